"""Network faults against a local server (issue 7 item 3): each is retried or reported by id, and nothing
invalid ever reaches the cache."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from extractor.sources import xmlsafe
from extractor.sources.crawl import fetch_records
from extractor.sources.eutils import EutilsClient
from tests.fake_ncbi import FAULTS, FakeNcbi, pubmed_catalog

PMIDS = ["12091962", "9997", "27797938"]


@pytest.fixture
def catalog(shared_dir: Path) -> dict[str, bytes]:
    return pubmed_catalog(shared_dir)


@pytest.fixture
def html_error_page(shared_dir: Path) -> bytes:
    """A real non-XML answer efetch once gave (PmFetch HTML), served as the "html" fault."""
    return (shared_dir / "fixtures/ncbi/errors/biopython_pubmed3_html_not_xml.html").read_bytes()


def client_for(url: str, attempts: int = 3) -> EutilsClient:
    return EutilsClient(url, backoff=0.01, timeout=0.3, attempts=attempts)


def cached_files(corpora: Path) -> list[Path]:
    return sorted(path for path in corpora.rglob("*") if path.is_file() and not path.name.startswith("_"))


def assert_cache_holds_only_valid_records(corpora: Path, catalog: dict[str, bytes]) -> None:
    for path in cached_files(corpora):
        assert not path.name.startswith("."), f"temporary file left behind: {path}"
        root = xmlsafe.parse_xml(path.read_bytes(), path.name)
        records = root.findall("PubmedArticle")
        assert [record.findtext("MedlineCitation/PMID") for record in records] == [path.stem]
        assert catalog[path.stem] in path.read_bytes()


@pytest.mark.parametrize("fault", FAULTS)
def test_one_fault_then_recovery_caches_every_record(fault, catalog, html_error_page, tmp_path):
    with FakeNcbi(catalog, faults=[fault], retry_after="0", hang_seconds=1.0, html_page=html_error_page) as ncbi:
        report = fetch_records(client_for(ncbi.url), tmp_path, "pubmed", PMIDS)
    assert [call.fault for call in ncbi.received] == [fault, None]
    assert sorted(report.fetched) == sorted(PMIDS) and report.failed == {}
    assert_cache_holds_only_valid_records(tmp_path, catalog)
    assert len(cached_files(tmp_path)) == len(PMIDS)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_that_persists_is_reported_by_pmid_and_caches_nothing(fault, catalog, html_error_page, tmp_path):
    with FakeNcbi(catalog, faults=[fault] * 3, retry_after="0", hang_seconds=0.6, html_page=html_error_page) as ncbi:
        report = fetch_records(client_for(ncbi.url, attempts=3), tmp_path, "pubmed", PMIDS)
    assert len(ncbi.received) == 3  # bounded: the attempts, then it stops
    assert sorted(report.failed) == sorted(PMIDS)
    assert all(reason for reason in report.failed.values())
    assert report.fetched == []
    assert cached_files(tmp_path) == []


def test_a_failed_batch_does_not_stop_the_next_one(catalog, tmp_path):
    many = {str(30000000 + n): catalog["9997"].replace(b">9997<", f">{30000000 + n}<".encode()) for n in range(250)}
    with FakeNcbi(many, faults=["503"] * 2) as ncbi:
        report = fetch_records(client_for(ncbi.url, attempts=2), tmp_path, "pubmed", list(many))
    assert len(report.failed) == 200
    assert sorted(report.fetched) == sorted(list(many)[200:])
    assert len(cached_files(tmp_path)) == 50


def test_connection_refused_is_reported_by_pmid_and_caches_nothing(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = fetch_records(client_for(f"http://127.0.0.1:{port}/"), tmp_path, "pubmed", PMIDS)
    assert sorted(report.failed) == sorted(PMIDS)
    assert all("connection refused" in reason for reason in report.failed.values())
    assert cached_files(tmp_path) == []


def test_a_fault_on_a_forced_refetch_keeps_the_record_already_cached(catalog, tmp_path):
    with FakeNcbi(catalog) as ncbi:
        fetch_records(client_for(ncbi.url), tmp_path, "pubmed", PMIDS)
        before = {path: path.read_bytes() for path in cached_files(tmp_path)}
        ncbi.faults = ["truncated"] * 3
        report = fetch_records(client_for(ncbi.url), tmp_path, "pubmed", PMIDS, force=True)
    assert sorted(report.failed) == sorted(PMIDS)
    assert {path: path.read_bytes() for path in cached_files(tmp_path)} == before
