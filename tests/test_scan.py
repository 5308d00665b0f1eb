"""`flarekb scan` on a real Dask LocalCluster of 2 worker processes (no mocks): the same kb/ as one process's
full extraction, byte for byte; `build` reproduces it from corpora/; a worker killed mid-file and a client
killed mid-scan change nothing in the end; DeleteCitations remove cases in NCBI's file order.

The inputs are real records (tests/bulk_inputs.py): 4 PubMed files of background records with the corpus and
seed cases spread among them, an update file that revises one case and deletes another, a PMC package."""

from __future__ import annotations

import gzip
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from extractor import pipeline
from extractor.graph import store
from extractor.nlp import extract_many
from extractor.scan.prefilter import keeps
from extractor.scan.task import PROGRESS_TOPIC
from extractor.sources import pmc_jats
from extractor.sources.pubmed_xml import Deletion, iter_pubmed_xml
from tests.bulk_inputs import background_record, load_records, pmc_package, pubmed_file
from tests.conftest import REPO, SHARED

BACKGROUND_PER_FILE = 1500
KB_FILES = (store.FINDINGS_FILE, store.INDEX_FILE)

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: the scan inputs are made from it")


def jats_case(pmcid: str, title: str, text: str) -> bytes:
    return (f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.0 20120330//EN" '
            f'"JATS-archivearticle1.dtd">\n<article><front><article-meta><article-id pub-id-type="pmc">{pmcid[3:]}'
            f"</article-id><title-group><article-title>{title}</article-title></title-group></article-meta></front>"
            f"<body><sec><title>Case presentation</title><p>{text}</p></sec></body></article>").encode()


@pytest.fixture(scope="module")
def bulk_dir(tmp_path_factory) -> Path:
    records = load_records(SHARED, REPO / "corpora" / "seeds")
    directory = tmp_path_factory.mktemp("bulk")
    cases = records.cases
    revised_pmid, deleted_pmid = cases[0][0], cases[1][0]
    number = 0
    for file_number in range(4):  # baseline files: background with every fourth case among it
        articles = []
        for _ in range(BACKGROUND_PER_FILE):
            articles.append(background_record(records, number))
            number += 1
        for index, (_, case) in enumerate(cases[file_number::4]):
            articles.insert(index * 97, case)
        pubmed_file(records, directory / f"pubmed25n{file_number + 1:04d}.xml.gz", articles)
    # the update: case 0 revised to background text under its PMID; case 1 deleted
    revised = background_record(records, 0).replace(f">{70_000_001}<", f">{revised_pmid}<")
    pubmed_file(records, directory / "pubmed25n0005.xml.gz", [revised, background_record(records, number)],
                deleted=[deleted_pmid])
    jats = SHARED / "fixtures" / "ncbi" / "pmc_jats"
    members = {f"PMC000xxxxxx/{path.name}": path.read_bytes() for path in sorted(jats.glob("*.nxml"))}
    title, text = "Pseudoprogression under teclistamab", "Day 7 imaging showed pseudoprogression after teclistamab."
    members["PMC000xxxxxx/PMC99000001.nxml"] = jats_case("PMC99000001", title, text)
    pmc_package(directory / "oa_comm_xml.PMC000xxxxxx.baseline.2026-12-01.tar.gz", members)
    return directory


def reference_findings(directory: Path) -> list:
    """One process, no prefilter: every record of every file extracted in NCBI's order, the last word on each
    id winning, only what `keeps` keeps."""
    kept: dict[str, object] = {}
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".tar.gz"):
            import tarfile

            with tarfile.open(path) as package:
                documents = [d for m in package if m.isfile()
                             for d in pmc_jats.parse_jats(package.extractfile(m).read(), m.name)]
            items = documents
        else:
            items = list(iter_pubmed_xml(gzip.decompress(path.read_bytes())))
        documents = [item for item in items if not isinstance(item, Deletion)]
        findings = dict(zip((id(d) for d in documents), extract_many(documents)))
        for item in items:
            if isinstance(item, Deletion):
                kept.pop(item.pmid, None)
            elif keeps(findings[id(item)]):
                kept[item.id] = findings[id(item)]
            else:
                kept.pop(item.id, None)
    return list(kept.values())


@pytest.fixture(scope="module")
def reference_kb(bulk_dir: Path, tmp_path_factory) -> dict[str, bytes]:
    kb = tmp_path_factory.mktemp("reference") / "kb"
    store.save(kb, reference_findings(bulk_dir))
    return kb_bytes(kb)


def kb_bytes(kb: Path) -> dict[str, bytes]:
    return {name: (kb / name).read_bytes() for name in KB_FILES if (kb / name).exists()}


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as local, Client(local) as client:
        client.wait_for_workers(2)
        yield client


def flarekb(*args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONWARNINGS": "ignore::FutureWarning"}
    return subprocess.Popen([sys.executable, "-m", "extractor", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def scan(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    process = flarekb("scan", *args)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_two_workers_give_the_one_process_findings_and_build_reproduces_them(
        cluster, bulk_dir, reference_kb, tmp_path):
    kb, corpora = tmp_path / "kb", tmp_path / "corpora"
    done = scan(str(bulk_dir), "--scheduler", cluster.scheduler.address, "--kb", str(kb), "--corpora", str(corpora))
    assert done.returncode == 0, done.stderr
    assert kb_bytes(kb) == reference_kb
    assert done.stdout.count("scanned ") == 6 and "1 deleted" in done.stdout
    # the kept records are in corpora/ as raw XML, one file per id, and `build` makes the same kb/ of them
    assert len(list((corpora / "pubmed").glob("*.xml"))) >= 25 and (corpora / "pmc" / "PMC99000001.xml").is_file()
    pipeline.build(corpora, tmp_path / "kb2")  # what `flarekb build` runs
    assert kb_bytes(tmp_path / "kb2") == reference_kb


def test_delete_citations_apply_in_file_order_and_a_bad_file_costs_only_itself(cluster, tmp_path):
    kb, corpora = tmp_path / "kb", tmp_path / "corpora"
    records = load_records(SHARED, REPO / "corpora" / "seeds")
    pmid, case = records.cases[0]  # a flare report: kept
    baseline = pubmed_file(records, tmp_path / "pubmed25n0001.xml.gz", [case, background_record(records, 1)])
    update = pubmed_file(records, tmp_path / "pubmed25n0002.xml", [background_record(records, 2)], deleted=[pmid])
    options = ("--scheduler", cluster.scheduler.address, "--kb", str(kb), "--corpora", str(corpora))
    assert scan(str(baseline), *options).returncode == 0
    assert pmid in [case.pmid for case in store.load_findings(kb)]
    truncated = tmp_path / "pubmed25n0003.xml.gz"
    truncated.write_bytes(baseline.read_bytes()[:200])
    done = scan(str(baseline), str(update), str(truncated), *options)
    assert done.returncode == 2
    assert f"flarekb: error: {truncated}: " in done.stderr
    assert "skipped 1 file(s)" in done.stdout  # the baseline, finished by the first run
    assert pmid not in [case.pmid for case in store.load_findings(kb)]
    assert not (corpora / "pubmed" / f"{pmid}.xml").exists()
    again = scan(str(baseline), str(update), "--restart", *options)  # forgets both: the same end
    assert again.returncode == 0 and again.stdout.count("scanned ") == 2
    assert pmid not in [case.pmid for case in store.load_findings(kb)]


def test_bad_usage_is_one_line_and_exit_2(tmp_path):
    for args in (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], []):
        done = scan(str(tmp_path / "missing.xml.gz"), *args, "--kb", str(tmp_path / "kb"))
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "flarekb: error:" in done.stderr
    assert not (tmp_path / "kb" / store.FINDINGS_FILE).exists()


def test_a_killed_client_leaves_kb_as_it_was_and_the_next_run_finishes(cluster, bulk_dir, reference_kb, tmp_path):
    kb, corpora = tmp_path / "kb", tmp_path / "corpora"
    first = sorted(bulk_dir.iterdir())[0]
    assert scan(str(first), "--scheduler", cluster.scheduler.address, "--kb", str(kb), "--corpora",
                str(corpora)).returncode == 0
    before = kb_bytes(kb)
    states = corpora / "_scan"
    # its own LocalCluster (--workers 2), in a session of its own: the kill takes the client and its workers
    process = flarekb("scan", str(bulk_dir), "--workers", "2", "--kb", str(kb), "--corpora", str(corpora),
                      start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while len(list(states.glob("*.json"))) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the scan ended before it could be killed"
        finished = len(list(states.glob("*.json")))
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.communicate(timeout=60)
    assert 2 <= finished < 6
    assert kb_bytes(kb) == before
    done = scan(str(bulk_dir), "--scheduler", cluster.scheduler.address, "--kb", str(kb), "--corpora", str(corpora))
    assert done.returncode == 0, done.stderr
    assert f"skipped {finished} file(s)" in done.stdout
    assert kb_bytes(kb) == reference_kb


def test_a_worker_killed_mid_file_has_its_task_run_again(cluster, bulk_dir, reference_kb, tmp_path):
    kb, corpora = tmp_path / "kb", tmp_path / "corpora"
    scanning = threading.Event()
    seen: dict = {}

    def on_progress(event):  # a worker reports records read: it is inside a file
        if event[1]["records"] > 0 and not scanning.is_set():
            seen.update(event[1])
            scanning.set()

    cluster.subscribe_topic(PROGRESS_TOPIC, on_progress)
    process = flarekb("scan", str(bulk_dir), "--scheduler", cluster.scheduler.address, "--kb", str(kb),
                      "--corpora", str(corpora))
    try:
        assert scanning.wait(timeout=240)
        pids = cluster.run(os.getpid)
        os.kill(pids[seen["worker"]], signal.SIGKILL)  # a worker process of this test's cluster
        stdout, stderr = process.communicate(timeout=300)
    finally:
        cluster.unsubscribe_topic(PROGRESS_TOPIC)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert stdout.count("scanned ") == 6
    assert kb_bytes(kb) == reference_kb
