"""Reading E-utilities responses: is this body what we asked for, and what does it hold?

The client (eutils.py) hands every body to one of these readers before it counts as an answer; a reader
raises InvalidResponse for anything that is not a good answer (empty, truncated, an HTML page, an `<ERROR>`
body, the wrong document), and the client retries. efetch sets are split into one record each, keeping
the bytes NCBI sent for that record, so the cache holds exactly what came over the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from extractor.errors import BadInput
from extractor.sources import xmlsafe
from extractor.sources.identifiers import is_pmid, normalise_pmcid


class InvalidResponse(Exception):
    """A body that is not a valid answer; the message says why in a few words."""


@dataclass(frozen=True)
class SearchResult:
    count: int  # how many records match, which may exceed len(ids)
    ids: list[str]
    webenv: str | None = None  # the history server's handle (usehistory=y)
    query_key: str | None = None
    warnings: list[str] = field(default_factory=list)  # phrases PubMed did not find, "No items found."


def read_pubmed_set(data: bytes) -> dict[str, bytes]:
    """Split an efetch db=pubmed answer into {PMID: a PubmedArticleSet holding that one record}.

    An empty set is a valid answer (none of the ids exist); the caller reports the ids it lacks."""
    root = _read_xml(data, "PubmedArticleSet")
    pmids = []
    for record in root:
        if record.tag in ("PubmedArticle", "PubmedBookArticle"):
            pmid = record.findtext("MedlineCitation/PMID") or record.findtext("BookDocument/PMID") or ""
            if not is_pmid(pmid.strip()):
                raise InvalidResponse(f"a {record.tag} without a valid PMID ({pmid.strip()[:20]!r})")
            # The parser names a record by its own ArticleIdList: a record that names another paper there would
            # be cached as this PMID and overwrite that other paper's case.
            own = record.xpath("(PubmedData/ArticleIdList | PubmedBookData/ArticleIdList)[1]"
                               "/ArticleId[@IdType='pubmed'][1]/text()")
            if own and own[0].strip() != pmid.strip():
                raise InvalidResponse(f"the record for PMID {pmid.strip()} names PMID {own[0].strip()[:20]!r} "
                                      "in its ArticleIdList")
            pmids.append(pmid.strip())
    return _split(data, _PUBMED_RECORD, pmids)


def read_pmc_set(data: bytes) -> dict[str, bytes]:
    """Split an efetch db=pmc answer into {PMCID: a pmc-articleset holding that one article}."""
    root = _read_xml(data, "pmc-articleset")
    pmcids = []
    for article in root.iterfind("article"):
        ids = {node.get("pub-id-type"): (node.text or "").strip() for node in article.iterfind("front/article-meta/article-id")}
        value = ids.get("pmcid") or ids.get("pmc") or ""
        try:
            pmcids.append(normalise_pmcid(value))
        except BadInput:
            raise InvalidResponse(f"an article without a valid PMC id ({value[:20]!r})") from None
    return _split(data, _PMC_ARTICLE, pmcids)


_COUNT = re.compile(r"[0-9]{1,12}")


def read_esearch(data: bytes) -> SearchResult:
    root = _read_xml(data, "eSearchResult")
    ids = [text.strip() for text in root.xpath("IdList/Id/text()")]
    bad = [value for value in ids if not is_pmid(value)]
    if bad:
        raise InvalidResponse(f"esearch returned ids that are not PMIDs ({bad[0][:20]!r})")
    warnings = [
        f"{node.tag}: {(node.text or '').strip()}"
        for node in root.xpath("ErrorList/* | WarningList/*")
        if (node.text or "").strip()
    ]
    count = (root.findtext("Count") or "").strip() or "0"
    if not _COUNT.fullmatch(count):
        raise InvalidResponse(f"esearch <Count> is not a number ({count[:20]!r})")
    return SearchResult(
        count=int(count),
        ids=ids,
        webenv=(root.findtext("WebEnv") or "").strip() or None,
        query_key=(root.findtext("QueryKey") or "").strip() or None,
        warnings=warnings,
    )


def read_elink(data: bytes, linkname: str) -> list[str]:
    """The ids linked by `linkname`, first seen first, leaving out the ids the request asked about.

    Link ids are digits in every database (PubMed PMIDs, PMC's numeric uids)."""
    root = _read_xml(data, "eLinkResult")
    asked = {text.strip() for text in root.xpath("LinkSet/IdList/Id/text()")}
    linked: dict[str, None] = {}
    for link_set in root.iterfind("LinkSet/LinkSetDb"):
        if (link_set.findtext("LinkName") or "").strip() != linkname:
            continue
        for text in link_set.xpath("Link/Id/text()"):
            if not is_pmid(text.strip()):
                raise InvalidResponse(f"elink returned an id that is not a number ({text.strip()[:20]!r})")
            if text.strip() not in asked:
                linked[text.strip()] = None
    return list(linked)


# -- checks shared by every reader -----------------------------------------------------------------

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def _read_xml(data: bytes, root_tag: str) -> etree._Element:
    if not data.strip():
        raise InvalidResponse("empty body")
    if _HTML_START.match(data[:1024]):
        raise InvalidResponse("an HTML page instead of XML")
    try:
        root = xmlsafe.parse_xml(data, "answer")
    except BadInput as error:
        raise InvalidResponse(str(error).removeprefix("answer: ")) from None
    errors = [root] if root.tag == "ERROR" else root.findall("ERROR")
    if errors:
        raise InvalidResponse("NCBI error: " + "; ".join((node.text or "").strip() for node in errors))
    if root.tag == "html":
        raise InvalidResponse("an HTML page instead of XML")
    if root.tag != root_tag:
        raise InvalidResponse(f"expected <{root_tag}>, got <{root.tag}>")
    return root


# One record's bytes, as NCBI sent them. Markup cannot occur in XML text (a '<' there is escaped), so the
# only '<PubmedArticle' / '</article>' in a response are the tags themselves.
_PUBMED_RECORD = re.compile(rb"<(PubmedArticle|PubmedBookArticle)[\s>].*?</\1>", re.DOTALL)
_PMC_ARTICLE = re.compile(rb"<(article)[\s>].*?</\1>", re.DOTALL)
_ROOT_START = re.compile(rb"<(PubmedArticleSet|pmc-articleset)(?:\s[^>]*)?>")


def _split(data: bytes, record: re.Pattern[bytes], ids: list[str]) -> dict[str, bytes]:
    """Cut `data` into one document per record: the response's prologue and root tag around each record."""
    if not ids:
        return {}
    root_start = _ROOT_START.search(data)
    if root_start is None:
        raise InvalidResponse("no root element to split")
    head = data[: root_start.end()]
    pieces = [match.group(0) for match in record.finditer(data, root_start.end())]
    if len(pieces) != len(ids):
        raise InvalidResponse(f"{len(ids)} records parsed but {len(pieces)} found in the bytes")
    return {id_: one_record_file(head, piece) for id_, piece in zip(ids, pieces)}


def one_record_file(head: bytes, piece: bytes) -> bytes:
    """A document holding one record: `head` (a response's or bulk file's prologue up to and including its
    root's start tag), the record's bytes as sent, and the root's end tag."""
    root_start = _ROOT_START.search(head)
    if root_start is None:
        raise InvalidResponse("no root element to split")
    return head + b"\n" + piece + b"\n" + f"</{root_start.group(1).decode()}>\n".encode()
