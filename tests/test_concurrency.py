"""Refreshes started at the same time are serialised by the kb lock, and every one's papers end up in kb/.

Real `flarekb refresh` subprocesses against a local E-utilities server; the kb lock is the real one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.graph import store
from tests.fake_ncbi import FakeNcbi, pubmed_catalog
from tests.graph.conftest import small_findings

REPO = Path(__file__).resolve().parents[1]
OLD_IDS = {case.id for case in small_findings()}


@pytest.fixture
def ncbi(shared_dir: Path):
    with FakeNcbi(pubmed_catalog(shared_dir)) as server:
        yield server


def start_refresh(ncbi: FakeNcbi, tmp_path: Path, *pmids: str) -> subprocess.Popen:
    env = {**os.environ, "FLAREKB_EUTILS_URL": ncbi.url, "NCBI_EMAIL": "curator@example.org"}
    env.pop("NCBI_API_KEY", None)
    command = [sys.executable, "-m", "extractor", "refresh", *pmids,
               "--kb", str(tmp_path / "kb"), "--corpora", str(tmp_path / "corpora")]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kb_ids(tmp_path: Path) -> set[str]:
    return {case.id for case in store.load_findings(tmp_path / "kb")}


def test_two_refreshes_that_meet_at_the_lock_both_land(tmp_path: Path, ncbi):
    store.save(tmp_path / "kb", small_findings())
    before = (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes()
    with store.kb_lock(tmp_path / "kb"):  # held by the test: both refreshes must wait for it
        first = start_refresh(ncbi, tmp_path, "12091962", "9997")
        second = start_refresh(ncbi, tmp_path, "23657305", "38534005")
        deadline = time.monotonic() + 60
        while len(ncbi.calls("efetch.fcgi")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # both have fetched; give them time to extract and reach the merge
        for process in (first, second):  # waiting on the lock, not writing
            assert process.poll() is None, process.communicate()
        assert (tmp_path / "kb" / store.FINDINGS_FILE).read_bytes() == before
    for process in (first, second):
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert kb_ids(tmp_path) == OLD_IDS | {"12091962", "9997", "23657305", "38534005"}
    print(f"\n[concurrency, lock held] 2 refreshes serialised, 4 papers added, records lost: "
          f"{len(OLD_IDS - kb_ids(tmp_path))}")


def test_refreshes_started_together_lose_nothing(tmp_path: Path, ncbi):
    store.save(tmp_path / "kb", small_findings())
    batches = [("12091962",), ("9997",), ("23657305", "38534005"), ("27797938",), ("30108519", "38048813")]
    for round_start in (0, 3):
        processes = [start_refresh(ncbi, tmp_path, *pmids) for pmids in batches[round_start:round_start + 3]]
        for process in processes:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
    expected = OLD_IDS | {pmid for batch in batches for pmid in batch}
    assert kb_ids(tmp_path) == expected
    print(f"\n[concurrency, started together] {len(batches)} refreshes in 2 rounds, "
          f"{len(expected) - len(OLD_IDS)} papers added, records lost: {len(expected - kb_ids(tmp_path))}")


def test_a_refresh_while_a_build_reads_the_corpora_is_not_overwritten(tmp_path: Path, ncbi, seeds_dir: Path):
    """The build is stopped (SIGSTOP) once it has listed corpora/ and opened its first document; a refresh
    runs meanwhile. The build must not then write a kb/ without the refreshed papers."""
    shutil.copytree(seeds_dir, tmp_path / "corpora" / "seeds")
    store.save(tmp_path / "kb", small_findings())
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"argv": ["build", "--corpora", str(tmp_path / "corpora"), "--kb", str(tmp_path / "kb")],
                                 "stop_on_open": str(tmp_path / "corpora" / "seeds"), "pid_to": str(tmp_path / "pid")}]))
    build = subprocess.Popen([sys.executable, str(REPO / "tests" / "crash_launcher.py"), str(plan)], cwd=REPO,
                             env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = int((tmp_path / "pid").read_text())
    refresh = start_refresh(ncbi, tmp_path, "12091962", "9997")
    while not ncbi.calls("efetch.fcgi") and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        refresh.wait(timeout=5)  # it finishes now only if the stopped build holds no lock
    except subprocess.TimeoutExpired:
        pass
    os.kill(stopped, signal.SIGCONT)
    assert json.loads(build.communicate(timeout=120)[0]) == {"exit": 0}
    _, stderr = refresh.communicate(timeout=120)
    assert refresh.returncode == 0, stderr
    seeds = {"40827251", "PMC12983044"}
    assert {"12091962", "9997"} | seeds <= kb_ids(tmp_path)
