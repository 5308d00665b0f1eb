"""A local stand-in for NCBI E-utilities: real HTTP on 127.0.0.1, answers built from the real responses in
../shared/fixtures/ncbi, and scripted faults (status codes, hangs, resets, bad bodies).

    with FakeNcbi(pubmed_catalog(shared_dir)) as ncbi:
        ncbi.faults += ["503", "hang"]        # the next two requests misbehave, in that order
        client = EutilsClient(ncbi.url, ...)
        ...
        ncbi.calls("efetch.fcgi")            # what reached the server, with arrival times

Every request is recorded on arrival, so tests count requests and measure rate limits server-side.
Faults are consumed one per request; once the list is empty the server answers like NCBI would.
"""

from __future__ import annotations

import copy
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

PUBMED_PROLOG = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
    b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
PMC_PROLOG = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE pmc-articleset PUBLIC "-//NLM//DTD ARTICLE SET 2.0//EN"'
    b' "https://dtd.nlm.nih.gov/ncbi/pmc/articleset/nlm-articleset-2.0.dtd">\n'
)
FAULTS = ("429", "500", "502", "503", "504", "hang", "reset", "short", "truncated", "error-body", "html", "empty")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


# -- answers built from the shared fixtures --------------------------------------------------------------


def pubmed_catalog(shared_dir: Path) -> dict[str, bytes]:
    """{PMID: one <PubmedArticle> element} for every journal record in the shared efetch fixtures."""
    catalog = {}
    for name in ("biopython_pubmed1.xml", "biopython_pubmed4.xml", "biopython_pubmed6.xml", "metapub_38534005.xml",
                 "metapub_23657305.xml", "metapub_38048813.xml"):
        root = etree.parse(str(shared_dir / "fixtures/ncbi/pubmed_efetch" / name), _PARSER).getroot()
        for article in root.iterfind("PubmedArticle"):
            catalog[article.findtext("MedlineCitation/PMID")] = etree.tostring(article, with_tail=False)
    return catalog


def pmc_catalog(shared_dir: Path) -> dict[str, bytes]:
    """{PMCID: one <article> element} from the shared efetch db=pmc fixtures."""
    catalog = {}
    for name in ("biopython_efetch_pmc.xml", "ncbiutils_pmc_corres_ambiguous_REFORMATTED.xml"):
        root = etree.parse(str(shared_dir / "fixtures/ncbi/pmc_jats" / name), _PARSER).getroot()
        for article in root.iterfind("article"):
            pmc = article.findtext("front/article-meta/article-id[@pub-id-type='pmc']")
            catalog["PMC" + pmc] = etree.tostring(article, with_tail=False)
    return catalog


def record_with_ids(template: bytes, pmid: str, pmcid: str | None = None) -> bytes:
    """A PubmedArticle like `template` but for `pmid` (and linked to `pmcid` in its own ArticleIdList)."""
    article = copy.deepcopy(etree.fromstring(template, _PARSER))
    article.find("MedlineCitation/PMID").text = pmid
    ids = article.find("PubmedData/ArticleIdList")
    for node in ids.iterfind("ArticleId"):
        if node.get("IdType") in ("pubmed", "pmc"):
            ids.remove(node)
    etree.SubElement(ids, "ArticleId", IdType="pubmed").text = pmid
    if pmcid:
        etree.SubElement(ids, "ArticleId", IdType="pmc").text = pmcid
    return etree.tostring(article, with_tail=False)


def pubmed_set(records: list[bytes]) -> bytes:
    return PUBMED_PROLOG + b"<PubmedArticleSet>\n" + b"\n".join(records) + b"\n</PubmedArticleSet>\n"


def pmc_set(articles: list[bytes]) -> bytes:
    return PMC_PROLOG + b"<pmc-articleset>" + b"\n".join(articles) + b"</pmc-articleset>\n"


def esearch_answer(ids: list[str]) -> bytes:
    listed = "".join(f"<Id>{i}</Id>\n" for i in ids)
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>{n}</Count><RetMax>{n}</RetMax>'
        "<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_local</WebEnv><IdList>\n{ids}</IdList>"
        "</eSearchResult>\n"
    ).format(n=len(ids), ids=listed).encode()


def elink_answer(asked: list[str], linkname: str, linked: list[str]) -> bytes:
    ids = "".join(f"<Id>{i}</Id>" for i in asked)
    links = "".join(f"<Link><Id>{i}</Id></Link>" for i in linked)
    return (
        f'<?xml version="1.0" encoding="UTF-8" ?>\n<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList>{ids}</IdList>'
        f"<LinkSetDb><DbTo>pubmed</DbTo><LinkName>{linkname}</LinkName>{links}</LinkSetDb></LinkSet></eLinkResult>\n"
    ).encode()


# -- the server --------------------------------------------------------------------------------------------


@dataclass
class Call:
    at: float  # the server's clock on arrival
    endpoint: str  # "efetch.fcgi"
    form: dict[str, str]
    fault: str | None  # the fault this request got, if any


@dataclass
class FakeNcbi:
    pubmed: dict[str, bytes] = field(default_factory=dict)  # PMID -> <PubmedArticle>
    pmc: dict[str, bytes] = field(default_factory=dict)  # PMCID -> <article>
    searches: dict[str, list[str]] = field(default_factory=dict)  # term -> PMIDs
    related: dict[str, list[str]] = field(default_factory=dict)  # PMID -> related PMIDs (pubmed_pubmed)
    faults: list[str | None] = field(default_factory=list)  # for the next requests, one each (None: no fault)
    retry_after: str = "1"  # the Retry-After header of a 429
    hang_seconds: float = 1.5  # how long a "hang" waits before answering (bounded: the thread ends)
    error_message: str = "Unable to obtain query #1"  # the text of an "error-body" answer
    html_page: bytes = b"<html><head><title>Error</title></head><body>Service unavailable</body></html>"
    received: list[Call] = field(default_factory=list)
    # What Call.at reads: a test passes the client's virtual clock to see arrivals in the client's time.
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/entrez/eutils/"

    def __enter__(self) -> FakeNcbi:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def calls(self, endpoint: str | None = None) -> list[Call]:
        return [call for call in self.received if endpoint is None or call.endpoint == endpoint]

    def _take(self, endpoint: str, form: dict[str, str]) -> Call:
        with self._lock:
            fault = self.faults.pop(0) if self.faults else None
            call = Call(self.clock(), endpoint, form, fault)
            self.received.append(call)
            return call

    def answer(self, endpoint: str, form: dict[str, str]) -> bytes:
        """What NCBI would send for this request."""
        ids = [i for i in form.get("id", "").split(",") if i]
        if endpoint == "esearch.fcgi":
            return esearch_answer(self.searches.get(form.get("term", ""), []))
        if endpoint == "elink.fcgi":
            linked = [link for i in ids for link in self.related.get(i, [])]
            return elink_answer(ids, form.get("linkname", ""), linked)
        if form.get("db") == "pmc":
            return pmc_set([self.pmc[f"PMC{i}"] for i in ids if f"PMC{i}" in self.pmc])
        return pubmed_set([self.pubmed[i] for i in ids if i in self.pubmed])  # unknown ids are left out


def _handler_for(ncbi: FakeNcbi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like NCBI: the client reuses its connection

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {key: values[-1] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            self._serve(form)

        def do_GET(self) -> None:
            self._serve({key: values[-1] for key, values in parse_qs(urlsplit(self.path).query).items()})

        def _serve(self, form: dict[str, str]) -> None:
            endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1]
            call = ncbi._take(endpoint, form)
            fault = call.fault
            if fault and fault.isdigit():  # an HTTP status: "429", "503", "400"...
                headers = {"Retry-After": ncbi.retry_after} if fault == "429" else {}
                body = b'{"error":"API rate limit exceeded","count":"11"}' if fault == "429" else ncbi.html_page
                return self._send(int(fault), body, headers)
            if fault == "hang":
                time.sleep(ncbi.hang_seconds)
            body = ncbi.answer(endpoint, form)
            if fault == "reset":
                return self._send_then_reset(body)
            if fault == "short":  # announces the whole body, sends half, closes cleanly
                self.close_connection = True
                return self._send(200, body[: len(body) // 2], {"Content-Length": str(len(body))})
            if fault == "truncated":  # a complete HTTP answer whose XML stops half-way
                body = body[: len(body) // 2]
            elif fault == "error-body":
                body = f'<?xml version="1.0" ?>\n<eFetchResult>\n\t<ERROR>{ncbi.error_message}</ERROR>\n</eFetchResult>\n'.encode()
            elif fault == "html":
                body = ncbi.html_page
            elif fault == "empty":
                body = b""
            self._send(200, body, {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Content-Length", headers.pop("Content-Length", str(len(body))))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a "hang" past its timeout)

        def _send_then_reset(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST instead of FIN, a connection reset mid-body.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    return Handler
