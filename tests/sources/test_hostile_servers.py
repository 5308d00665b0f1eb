"""Issue 16 points 7 and 8: a hostile or broken server. `flarekb refresh` against a real local HTTP server:
a non-numeric esearch <Count> is one line with the API key masked, a redirect to another host is not followed
(the POST body carries the key), a record that names another PMID in its own ArticleIdList is not cached and
overwrites nothing, `--max` holds when esearch sends more ids, and preparing a fetch is linear in the ids."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

from lxml import etree
from pytest_httpserver import HTTPServer
from werkzeug import Response

from extractor.graph import store
from extractor.sources.crawl import fetch_records
from extractor.sources.eutils import EutilsClient
from tests.fake_ncbi import FakeNcbi, pubmed_catalog

REPO = Path(__file__).resolve().parents[2]
SECRET = "0123456789abcdef-not-a-real-key"
EMPTY_SET = b'<?xml version="1.0"?>\n<PubmedArticleSet></PubmedArticleSet>\n'


def refresh(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "FLAREKB_EUTILS_URL": url, "NCBI_API_KEY": SECRET, "NCBI_EMAIL": "c@example.org"}
    command = [sys.executable, "-m", "extractor", "refresh", *args, "--kb", str(tmp_path / "kb"),
               "--corpora", str(tmp_path / "corpora")]
    return subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET[:8] not in result.stderr + result.stdout  # nor a start of it, where a message cuts a quote short
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("flarekb: error: ")
    return last


def test_a_non_numeric_esearch_count_is_one_line_with_the_key_masked(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/esearch.fcgi").respond_with_data(
        f"<eSearchResult><Count>{SECRET}</Count><IdList><Id>12091962</Id></IdList></eSearchResult>",
        content_type="text/xml")
    result = refresh(httpserver.url_for("/"), tmp_path, "--query", "pseudoprogression")
    assert "esearch <Count> is not a number ('***')" in one_line_error(result)
    assert not (tmp_path / "kb" / "findings.jsonl").exists()


def test_a_redirect_to_another_host_is_not_followed(httpserver: HTTPServer, tmp_path: Path):
    elsewhere = HTTPServer(host="127.0.0.1", port=0)
    elsewhere.start()
    try:
        elsewhere.expect_request("/esearch.fcgi").respond_with_data("<eSearchResult><Count>0</Count></eSearchResult>")
        httpserver.expect_request("/esearch.fcgi").respond_with_response(
            Response(status=307, headers={"Location": elsewhere.url_for("/esearch.fcgi")}))
        result = refresh(httpserver.url_for("/"), tmp_path, "--query", "pseudoprogression")
        assert not elsewhere.log  # neither the query nor the API key went there
    finally:
        elsewhere.clear()
        elsewhere.stop()
    assert "redirected to another host" in one_line_error(result)


def test_a_redirect_within_the_host_is_followed(httpserver: HTTPServer, tmp_path: Path):
    """(The guard beside the one above: NCBI moving an endpoint on its own host still works.)"""
    httpserver.expect_request("/esearch.fcgi").respond_with_response(
        Response(status=307, headers={"Location": "/v2/esearch.fcgi"}))
    httpserver.expect_request("/v2/esearch.fcgi").respond_with_data(
        "<eSearchResult><Count>0</Count><IdList/></eSearchResult>", content_type="text/xml")
    result = refresh(httpserver.url_for("/"), tmp_path, "--query", "pseudoprogression")
    assert result.returncode == 0, result.stderr
    assert "0 match(es), 0 taken" in result.stdout
    assert [request.path for request, _ in httpserver.log] == ["/esearch.fcgi", "/v2/esearch.fcgi"]


def naming_another_pmid(record: bytes, other_pmid: str) -> bytes:
    """The same record, its MedlineCitation PMID kept, its own ArticleIdList naming `other_pmid`."""
    article = copy.deepcopy(etree.fromstring(record))
    (own,) = article.xpath("PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']")
    own.text = other_pmid
    article.find("MedlineCitation/Article/ArticleTitle").text = "HOSTILE"
    return etree.tostring(article)


def test_a_record_that_names_another_pmid_overwrites_nothing(shared_dir: Path, tmp_path: Path):
    catalog = pubmed_catalog(shared_dir)
    catalog["12091962"] = naming_another_pmid(catalog["12091962"], "9997")
    with FakeNcbi(catalog) as ncbi:
        assert refresh(ncbi.url, tmp_path, "9997").returncode == 0
        result = refresh(ncbi.url, tmp_path, "12091962")
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert "PMID 12091962: the record for PMID 12091962 names PMID '9997' in its ArticleIdList" in result.stderr
    cases = {case.id: case.title for case in store.load_findings(tmp_path / "kb")}
    assert list(cases) == ["9997"] and cases["9997"] != "HOSTILE"
    assert not (tmp_path / "corpora" / "pubmed" / "12091962.xml").exists()


# -- 8. Large id lists -----------------------------------------------------------------------------------


def test_max_holds_when_esearch_sends_more_ids(shared_dir: Path, tmp_path: Path):
    catalog = pubmed_catalog(shared_dir)
    with FakeNcbi(catalog) as ncbi:
        ncbi.searches["pseudoprogression"] = sorted(catalog)  # every id, whatever retmax asks for
        result = refresh(ncbi.url, tmp_path, "--query", "pseudoprogression", "--max", "2")
        fetched = [pmid for call in ncbi.calls("efetch.fcgi") for pmid in call.form["id"].split(",")]
    assert result.returncode == 0, result.stderr
    assert len(catalog) > 2 and ncbi.calls("esearch.fcgi")[0].form["retmax"] == "2"
    assert f"{len(catalog)} match(es), 2 taken" in result.stdout
    assert len(fetched) == 2 and len(store.load_findings(tmp_path / "kb")) == 2


class CountedId(str):
    """A PMID that counts how often it is hashed: the work of putting it in a set or dict."""

    hashes = 0

    def __hash__(self) -> int:
        CountedId.hashes += 1
        return str.__hash__(self)


def test_preparing_a_fetch_hashes_each_id_a_few_times_not_once_per_id(httpserver: HTTPServer, tmp_path: Path):
    """Before, the ids already cached were found with a set of the ids to fetch built anew for every id:
    n hashes per id, minutes before the first request at 100k ids (BENCHMARKS.md has the figure)."""
    httpserver.expect_request("/efetch.fcgi").respond_with_data(EMPTY_SET, content_type="text/xml")
    ids = [CountedId(str(30_000_000 + n)) for n in range(2_000)]
    client = EutilsClient(httpserver.url_for("/"), sleep=lambda seconds: None)  # no rate-limit waits here
    CountedId.hashes = 0
    report = fetch_records(client, tmp_path / "corpora", "pubmed", ids)
    assert len(report.missing) == len(ids)
    assert CountedId.hashes < 10 * len(ids)

