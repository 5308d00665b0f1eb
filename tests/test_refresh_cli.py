"""`flarekb refresh` end to end: the real command in a subprocess, NCBI replaced by a local server that
replays the shared fixtures and counts what reaches it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.graph import store
from extractor import lexicons
from tests.fake_ncbi import FakeNcbi, pmc_catalog, pubmed_catalog, record_with_ids

REPO = Path(__file__).resolve().parents[1]
SECRET = "0123456789abcdef-not-a-real-key"


@pytest.fixture
def ncbi(shared_dir: Path):
    catalog = pubmed_catalog(shared_dir)
    # A paper whose own ArticleIdList names its PMC copy, which the PMC fixture holds.
    catalog["34527728"] = record_with_ids(catalog["9997"], "34527728", "8435807")
    with FakeNcbi(catalog, pmc=pmc_catalog(shared_dir)) as server:
        yield server


def flarekb(ncbi: FakeNcbi, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if name != "NCBI_API_KEY"}
    environment.update(FLAREKB_EUTILS_URL=ncbi.url, NCBI_EMAIL="curator@example.org", **env)
    command = [sys.executable, "-m", "extractor", "refresh", *args,
               "--kb", str(tmp_path / "kb"), "--corpora", str(tmp_path / "corpora")]
    return subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)


def kb_ids(tmp_path: Path) -> set[str]:
    return {case.id for case in store.load_findings(tmp_path / "kb")}


def test_a_malformed_pmid_is_refused_by_name_the_good_ones_fetched_and_the_exit_is_2(ncbi, tmp_path):
    result = flarekb(ncbi, tmp_path, "12ab", "12091962")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    refusal = [line for line in result.stderr.splitlines() if "12ab" in line]
    assert len(refusal) == 1 and refusal[0].startswith("flarekb: error: ") and "not fetched" in refusal[0]
    assert kb_ids(tmp_path) == {"12091962"}
    assert [call for call in ncbi.received if "12ab" in str(call)] == []


def test_only_malformed_pmids_exit_2_before_any_request(ncbi, tmp_path):
    result = flarekb(ncbi, tmp_path, "4082725l")
    assert result.returncode == 2 and "4082725l" in result.stderr and "Traceback" not in result.stderr
    assert ncbi.received == []
    assert not (tmp_path / "kb").exists() and not (tmp_path / "corpora").exists()


def test_a_malformed_line_in_the_ids_file_is_named_with_its_line(ncbi, tmp_path):
    ids_file = tmp_path / "pmids.txt"
    ids_file.write_text("# seeds\n12091962\n9997, ../../etc/passwd\n")
    result = flarekb(ncbi, tmp_path, "--ids-file", str(ids_file))
    assert result.returncode == 2
    assert f"{ids_file} line 3" in result.stderr
    assert kb_ids(tmp_path) == {"12091962", "9997"}


def test_thousands_of_unknown_pmids_are_a_count_and_a_few_examples_all_with_verbose(ncbi, tmp_path):
    unknown = [str(70000000 + n) for n in range(2000)]
    result = flarekb(ncbi, tmp_path, "12091962", *unknown)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) <= 3, lines
    summary = next(line for line in lines if "2000 failed" in line)
    assert "not found in PubMed" in summary and "70000000" in summary and "1995 more" in summary
    verbose = flarekb(ncbi, tmp_path, *unknown[:20], "--verbose")
    assert sum("not found in PubMed" in line for line in verbose.stderr.splitlines()) == 20


def test_a_repeat_refresh_that_changed_nothing_says_0_changed(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962", "9997").returncode == 0
    again = flarekb(ncbi, tmp_path, "12091962", "9997")
    assert again.returncode == 0
    assert "0 added, 0 changed, 2 unchanged" in again.stdout and "updated" not in again.stdout


def test_discover_prints_a_short_query_and_leaves_out_ambiguous_short_forms(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962").returncode == 0
    ncbi.related["12091962"] = ["30108519"]
    result = flarekb(ncbi, tmp_path, "--discover")
    assert result.returncode == 0, result.stderr
    query_line = next(line for line in result.stdout.splitlines() if line.startswith("query:"))
    assert len(query_line) < 200 and "engager names" in query_line and "--verbose" in query_line
    recorded = store.load(tmp_path / "kb").manifest.queries
    assert len(recorded) == 1 and '"tarlatamab"' in recorded[0]
    assert '"psp"' not in recorded[0] and '"tfr"' not in recorded[0] and '"pseudoprogression"' in recorded[0]
    verbose = flarekb(ncbi, tmp_path, "--discover", "--verbose")
    assert recorded[0] in verbose.stdout


def test_an_unknown_pmid_is_reported_while_the_rest_go_into_the_kb(ncbi, tmp_path):
    result = flarekb(ncbi, tmp_path, "12091962", "99999999", "9997")
    assert result.returncode == 1
    assert "PMID 99999999: not found in PubMed" in result.stderr
    assert "2 record(s) fetched, 0 from cache, 1 failed" in result.stdout
    assert "2 added" in result.stdout
    assert kb_ids(tmp_path) == {"12091962", "9997"}
    assert sorted(p.name for p in (tmp_path / "corpora" / "pubmed").iterdir()) == ["12091962.xml", "9997.xml"]


def test_a_second_refresh_makes_no_request_and_force_refetches(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962", "9997").returncode == 0
    assert len(ncbi.received) == 1
    again = flarekb(ncbi, tmp_path, "12091962", "9997")
    assert again.returncode == 0 and len(ncbi.received) == 1
    assert "0 record(s) fetched, 2 from cache" in again.stdout
    forced = flarekb(ncbi, tmp_path, "12091962", "9997", "--force")
    assert forced.returncode == 0 and len(ncbi.received) == 2


def test_many_ids_go_in_batches_of_200(ncbi, tmp_path):
    pmids = [str(31000000 + n) for n in range(250)]
    ncbi.pubmed.update({pmid: record_with_ids(ncbi.pubmed["9997"], pmid) for pmid in pmids})
    ids_file = tmp_path / "pmids.txt"
    ids_file.write_text("\n".join(pmids) + "\n")
    result = flarekb(ncbi, tmp_path, "--ids-file", str(ids_file))
    assert result.returncode == 0, result.stderr
    assert [len(call.form["id"].split(",")) for call in ncbi.calls("efetch.fcgi")] == [200, 50]
    assert len(kb_ids(tmp_path)) == 250


def test_query_fetches_its_matches_and_is_recorded_in_the_kb(ncbi, tmp_path):
    ncbi.searches["pseudoprogression AND tarlatamab"] = ["9997", "27797938"]
    result = flarekb(ncbi, tmp_path, "--query", "pseudoprogression AND tarlatamab")
    assert result.returncode == 0, result.stderr
    assert ncbi.calls("esearch.fcgi")[0].form["term"] == "pseudoprogression AND tarlatamab"
    assert kb_ids(tmp_path) == {"9997", "27797938"}
    assert store.load(tmp_path / "kb").manifest.queries == ["pseudoprogression AND tarlatamab"]


def test_discover_runs_the_lexicon_query_and_adds_related_articles(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962").returncode == 0
    ncbi.related["12091962"] = ["12091962", "30108519"]
    result = flarekb(ncbi, tmp_path, "--discover")
    assert result.returncode == 0, result.stderr
    (search,) = ncbi.calls("esearch.fcgi")
    term = search.form["term"]
    for engager in lexicons.engager_names():
        assert f'"{engager}"' in term
    assert '"pseudoprogression"' in term and '"tumour flare"' in term and '"case reports"[Publication Type]' in term
    (link,) = ncbi.calls("elink.fcgi")
    assert link.form["linkname"] == "pubmed_pubmed" and link.form["id"] == "12091962"
    assert kb_ids(tmp_path) == {"12091962", "30108519"}
    assert store.load(tmp_path / "kb").manifest.queries == [term]


def test_full_text_comes_from_the_pmcid_in_the_records_own_id_list(ncbi, tmp_path):
    result = flarekb(ncbi, tmp_path, "34527728", "9997", "--full-text")
    assert result.returncode == 0, result.stderr
    (pmc_call,) = [call for call in ncbi.calls("efetch.fcgi") if call.form["db"] == "pmc"]
    assert pmc_call.form["id"] == "8435807"
    assert (tmp_path / "corpora" / "pmc" / "PMC8435807.xml").is_file()
    sources = {case.id: case.source for case in store.load_findings(tmp_path / "kb")}
    assert sources["34527728"] == "pmc-jats" and sources["9997"] == "pubmed-xml"


def test_a_503_then_success_goes_through(ncbi, tmp_path):
    ncbi.faults = ["503"]
    result = flarekb(ncbi, tmp_path, "9997")
    assert result.returncode == 0, result.stderr
    assert [call.fault for call in ncbi.received] == ["503", None]
    assert kb_ids(tmp_path) == {"9997"}


def test_a_failed_fetch_exits_1_names_the_pmids_and_keeps_the_kb(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962", "9997").returncode == 0
    before = (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes()
    ncbi.faults = ["400"]  # not worth retrying: fails at once
    result = flarekb(ncbi, tmp_path, "12091962", "9997", "--force", NCBI_API_KEY=SECRET)
    assert result.returncode == 1
    assert "PMID 12091962: HTTP 400" in result.stderr and "PMID 9997: HTTP 400" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert ncbi.received[-1].form["api_key"] == SECRET
    assert (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes() == before


def test_an_html_page_is_retried_and_never_cached(ncbi, tmp_path):
    ncbi.faults = ["html"]
    result = flarekb(ncbi, tmp_path, "9997")
    assert result.returncode == 0, result.stderr
    cached = (tmp_path / "corpora" / "pubmed" / "9997.xml").read_bytes()
    assert b"<html" not in cached and b"<PubmedArticleSet>" in cached
    assert kb_ids(tmp_path) == {"9997"}


def test_a_refresh_killed_mid_fetch_loses_nothing_and_the_next_one_resumes(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962").returncode == 0
    kb_before = (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes()
    pmids = [str(32000000 + n) for n in range(250)]
    ncbi.pubmed.update({pmid: record_with_ids(ncbi.pubmed["9997"], pmid) for pmid in pmids})
    ncbi.faults, ncbi.hang_seconds = [None, "hang"], 5.0  # the second batch never comes while we watch
    environment = {**os.environ, "FLAREKB_EUTILS_URL": ncbi.url}
    command = [sys.executable, "-m", "extractor", "refresh", *pmids,
               "--kb", str(tmp_path / "kb"), "--corpora", str(tmp_path / "corpora")]
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(ncbi.calls("efetch.fcgi")) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert len(ncbi.calls("efetch.fcgi")) == 3, "the refresh never reached its second batch"
    finally:
        process.kill()  # SIGKILL: no handler runs, nothing gets tidied up
        process.communicate(timeout=30)
    assert (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes() == kb_before
    cached = sorted(p.stem for p in (tmp_path / "corpora" / "pubmed").glob("[0-9]*.xml"))
    assert cached == sorted(["12091962", *pmids[:200]])  # the first batch, whole; nothing of the second
    for pmid in cached:
        assert ncbi.pubmed[pmid] in (tmp_path / "corpora" / "pubmed" / f"{pmid}.xml").read_bytes()

    resumed = flarekb(ncbi, tmp_path, *pmids)
    assert resumed.returncode == 0, resumed.stderr
    assert "50 record(s) fetched, 200 from cache" in resumed.stdout
    assert kb_ids(tmp_path) == {"12091962", *pmids}


def test_a_removed_paper_stays_out_of_a_query_refresh_and_comes_back_when_named(ncbi, tmp_path):
    assert flarekb(ncbi, tmp_path, "12091962", "9997").returncode == 0
    removed = subprocess.run([sys.executable, "-m", "extractor", "remove", "9997", "--kb", str(tmp_path / "kb")],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
    assert removed.returncode == 0, removed.stderr
    ncbi.searches["flare"] = ["9997", "27797938"]
    found = flarekb(ncbi, tmp_path, "--query", "flare")
    assert found.returncode == 0, found.stderr
    assert "1 paper(s) taken out by `flarekb remove` stay out (9997)" in found.stderr
    assert kb_ids(tmp_path) == {"12091962", "27797938"}
    named = flarekb(ncbi, tmp_path, "9997")
    assert named.returncode == 0 and "1 added" in named.stdout
    assert kb_ids(tmp_path) == {"12091962", "27797938", "9997"}
    assert store.load(tmp_path / "kb").manifest.removed == []
