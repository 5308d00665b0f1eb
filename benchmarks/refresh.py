"""Figure 4: refreshing 1,000 PMIDs from a local stand-in for NCBI E-utilities.

The server runs in a thread of the measuring process on 127.0.0.1 (it stops itself after a few minutes
whatever happens), answers efetch for any PMID with a synthetic record, and counts every request it sees.
flarekb's real code talks to it through FLAREKB_EUTILS_URL, at the rate it would use with NCBI (3
requests/s, no API key): `flarekb refresh` when that command exists, else the E-utilities client and the
incremental fetcher it is built on. A second refresh of the same ids must make no request at all.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from benchmarks.common import REPO, Stopwatch, Target, interleaved_runs, last_line, median_of_runs
from benchmarks.corpus import FIRST_PMID, RecordTemplate, pubmed_set, real_material, shared_dir, synthetic_abstract

SERVER_LIFETIME_S = 600  # the stand-in shuts itself down after this, even if a run hangs
EMPTY_ANSWERS = {
    "esearch.fcgi": b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/></eSearchResult>",
    "elink.fcgi": b"<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom></LinkSet></eLinkResult>",
}


class NcbiStandIn:
    """A local E-utilities: efetch db=pubmed returns a synthetic record for each PMID; requests are counted."""

    def __init__(self) -> None:
        shared = shared_dir()
        self.material, self.template = real_material(shared), RecordTemplate(shared)
        self.requests: Counter[str] = Counter()
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/entrez/eutils/"

    def __enter__(self) -> NcbiStandIn:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._stopper = threading.Timer(SERVER_LIFETIME_S, self.server.shutdown)
        self._stopper.daemon = True
        self._stopper.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopper.cancel()
        self.server.shutdown()
        self.server.server_close()

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.arrivals.clear()

    def max_per_second(self) -> int:
        """The most requests that arrived within any one-second window (NCBI's limit is 3)."""
        times = sorted(self.arrivals)
        return max((sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times)), default=0)

    def answer(self, endpoint: str, params: dict[str, list[str]]) -> bytes:
        with self._lock:
            self.requests[endpoint] += 1
            self.arrivals.append(time.monotonic())
        if endpoint != "efetch.fcgi":
            return EMPTY_ANSWERS.get(endpoint, b"<ERROR>unknown endpoint</ERROR>")
        if params.get("db", [""])[0] != "pubmed":
            return b'<?xml version="1.0"?>\n<pmc-articleset></pmc-articleset>\n'
        pmids = [pmid for value in params.get("id", []) for pmid in value.split(",") if pmid.strip()]
        abstracts = [synthetic_abstract(self.material, int(pmid) - FIRST_PMID) for pmid in pmids]
        return pubmed_set(self.template, abstracts)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._reply(urlsplit(self.path).query)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                self._reply(self.rfile.read(length).decode("utf-8"), urlsplit(self.path).query)

            def _reply(self, *queries: str) -> None:
                params: dict[str, list[str]] = {}
                for query in queries:
                    for key, values in parse_qs(query).items():
                        params.setdefault(key, []).extend(values)
                body = stand_in.answer(urlsplit(self.path).path.rsplit("/", 1)[-1], params)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass  # one line per request on stderr would drown the benchmark's own output

        return Handler


# -- driving flarekb's refresh ------------------------------------------------------------------------------


def refresh_command_exists() -> bool:
    return _flarekb(["refresh", "--help"], os.environ.copy()).returncode == 0


def measure_refresh(id_count: int, use_cli: bool) -> dict:
    """Two refreshes of the same `id_count` PMIDs into an empty corpora/ and kb/: requests and wall time."""
    pmids = [str(FIRST_PMID + index) for index in range(id_count)]
    workdir = Path(tempfile.mkdtemp(prefix="flarekb-bench-refresh-"))
    try:
        with NcbiStandIn() as server:
            refresh = _cli_refresh if use_cli else _library_refresh
            result = {}
            for name in ("first", "second"):
                server.reset_counts()
                with Stopwatch() as watch:
                    detail = refresh(server.url, pmids, workdir)
                result[name] = {
                    "seconds": round(watch.seconds, 3),
                    "requests": sum(server.requests.values()),
                    "efetch_requests": server.requests["efetch.fcgi"],
                    "max_requests_in_1_s": server.max_per_second(),
                    **detail,
                }
        result["cached_records"] = len(list((workdir / "corpora").rglob("*.xml")))
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _library_refresh(url: str, pmids: list[str], workdir: Path) -> dict:
    """What `flarekb refresh` does before extraction: the E-utilities client and the incremental fetcher."""
    from extractor.sources.crawl import fetch_records
    from extractor.sources.eutils import EutilsClient

    client = EutilsClient(url)  # no API key: NCBI's 3 requests/s
    report = fetch_records(client, workdir / "corpora", "pubmed", pmids)
    return {"fetched": len(report.fetched), "from_cache": len(report.from_cache), "failed": len(report.failed)}


def _cli_refresh(url: str, pmids: list[str], workdir: Path) -> dict:
    """`flarekb refresh --ids-file` end to end: fetch, extract, merge into kb/."""
    ids_file = workdir / "ids.txt"
    ids_file.write_text("\n".join(pmids) + "\n", encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "NCBI_API_KEY"}
    environment["FLAREKB_EUTILS_URL"] = url
    arguments = ["refresh", "--ids-file", str(ids_file), "--kb", str(workdir / "kb"), "--corpora", str(workdir / "corpora")]
    completed = _flarekb(arguments, environment)
    if completed.returncode != 0:
        raise RuntimeError(f"flarekb refresh exited {completed.returncode}: {completed.stderr[-2000:]}")
    return {"exit_code": completed.returncode, "stderr_tail": completed.stderr.strip().splitlines()[-1:]}


def _flarekb(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "extractor", *arguments]
    return subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=SERVER_LIFETIME_S)


def run(plan, log) -> dict:
    """Two ways in: the fetch layer alone (client + incremental fetcher: the network part of a refresh), and
    `flarekb refresh` end to end (fetch, parse, extract, merge into kb/) when the command exists."""
    ways = {"fetch_only": (measure_refresh, (plan.refresh_ids, False))}
    if refresh_command_exists():
        ways["flarekb_refresh"] = (measure_refresh, (plan.refresh_ids, True))
    log(f"  refresh: {plan.refresh_ids:,} PMIDs, through {' and '.join(ways)}")
    runs = interleaved_runs(ways, plan.repeats, log)
    figure = {"input": {"ids": plan.refresh_ids, "rate": "3 requests/s (no API key)",
                        "fetch_only": "EutilsClient + crawl.fetch_records into an empty corpora/",
                        "flarekb_refresh": "flarekb refresh --ids-file (fetch + extract + kb merge), own process"}}
    for way, result in runs.items():
        if result["median"] is None:
            figure[way] = {"error": result["error"]}
            continue
        figure[way] = {name: median_of_runs([run[name] for run in result["runs"]]) for name in ("first", "second")}
        figure[way]["runs"] = result["runs"]
    return figure


EFETCH_BATCH = 200  # ids per efetch request (NCBI's advice for POSTed id lists)
NCBI_RATE = 3  # requests per second without an API key


def targets(figure: dict, plan) -> list[Target]:
    """Judged on what users run (`flarekb refresh`), or on the fetch layer while the command is missing."""
    way = "flarekb_refresh" if "flarekb_refresh" in figure else "fetch_only"
    expected = math.ceil(plan.refresh_ids / EFETCH_BATCH)  # issue 6: 5 efetch calls for 1,000 ids
    if "error" in figure[way]:
        return [Target("refresh", f"{way} of {plan.refresh_ids:,} PMIDs", "runs", "failed", False)]
    first, second = figure[way]["first"], figure[way]["second"]
    return [
        Target("refresh", f"efetch requests for {plan.refresh_ids:,} PMIDs ({way})", f"{expected}",
               f"{first['efetch_requests']:g}", first["efetch_requests"] == expected),
        Target("refresh", f"requests on a second refresh of the same ids ({way})", "0",
               f"{second['requests']:g}", second["requests"] == 0),
        Target("refresh", "most requests within any 1 s at the server", f"<= {NCBI_RATE}",
               f"{first['max_requests_in_1_s']:g}", first["max_requests_in_1_s"] <= NCBI_RATE),
    ]


def report_lines(figure: dict) -> list[str]:
    batches = math.ceil(figure["input"]["ids"] / EFETCH_BATCH)
    least = (math.ceil(batches / NCBI_RATE) - 1) * 1.0  # whole one-second windows the limiter must wait
    lines = [f"refresh ({figure['input']['ids']:,} PMIDs from a local server, {figure['input']['rate']}; "
             f"the limit alone allows {batches} requests in no less than {least:.0f} s):"]
    for way in ("fetch_only", "flarekb_refresh"):
        if way not in figure:
            continue
        if "error" in figure[way]:
            lines.append(f"  {way:<16} FAILED: {last_line(figure[way]['error'])}")
            continue
        for name in ("first", "second"):
            median = figure[way][name]
            lines.append(f"  {way:<16} {name:<6} {median['requests']:>3g} requests ({median['efetch_requests']:g} efetch, "
                         f"at most {median['max_requests_in_1_s']:g} in 1 s), {median['seconds']:6.2f} s wall")
    return lines + [""]
