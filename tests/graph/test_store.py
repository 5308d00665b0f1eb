import json
import logging
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.errors import KnowledgeBaseError
from extractor.graph import store
from extractor.models import CaseFindings, Drug, Flare, MarkerFinding


def case(case_id: str, marker: str = "il-6", direction: str = "increased") -> CaseFindings:
    return CaseFindings(
        id=case_id, pmid=case_id, pmcid=None, doi=None, title=f"case {case_id}", source="text",
        drugs=[Drug("tarlatamab", "engager", ["DLL3", "CD3"])],
        flare=Flare(reported=True, onset_day=7),
        markers=[MarkerFinding(marker, direction, 7, f"{marker} was {direction}.", 0, len(marker))],
    )


def test_missing_knowledge_base_is_empty(tmp_path: Path):
    assert store.load_findings(tmp_path / "kb") == []


def test_round_trip_keeps_every_field(tmp_path: Path):
    original = case("111")
    store.save(tmp_path, [original])
    assert store.load_findings(tmp_path) == [original]


def test_merge_replaces_a_paper_instead_of_duplicating_it(tmp_path: Path):
    store.merge_findings(tmp_path, [case("111"), case("222")])
    summary = store.merge_findings(tmp_path, [case("111", "crp")])
    loaded = {c.id: c for c in store.load_findings(tmp_path)}
    assert summary.replaced == ["111"] and summary.added == [] and summary.total == 2
    assert [m.marker for m in loaded["111"].markers] == ["crp"]


def test_merge_removes_and_records_queries(tmp_path: Path):
    store.merge_findings(tmp_path, [case("111"), case("222")], queries=["q2", "q1"])
    summary = store.merge_findings(tmp_path, [], remove_ids=["222", "999"], queries=["q1"])
    stored = store.load(tmp_path)
    assert summary.removed == ["222"]
    assert [c.id for c in stored.findings] == ["111"]
    assert stored.manifest.queries == ["q1", "q2"]


def test_same_findings_give_identical_bytes_whatever_the_order(tmp_path: Path):
    store.save(tmp_path / "a", [case("111"), case("222")])
    store.save(tmp_path / "b", [case("222"), case("111")])
    a = (tmp_path / "a" / store.FINDINGS_FILE).read_bytes()
    assert a == (tmp_path / "b" / store.FINDINGS_FILE).read_bytes()
    assert b"/tmp" not in a


def test_writes_leave_no_temporary_files(tmp_path: Path):
    store.merge_findings(tmp_path, [case("111")])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_saved_bytes_are_the_manifest_line_then_one_line_per_case_sorted(tmp_path: Path):
    cases = [case("222"), case("111", "crp")]
    store.save(tmp_path, cases, store.Manifest(queries=["b", "a", "b"]))
    index_id = json.loads((tmp_path / store.INDEX_FILE).read_bytes().splitlines()[0])["index"]["id"]
    manifest = store.Manifest(queries=["a", "b"], index=index_id)  # the manifest names the index beside it
    expected = [manifest.to_json()] + [c.to_json() for c in sorted(cases, key=lambda c: c.id)]
    written = (tmp_path / store.FINDINGS_FILE).read_bytes()
    assert written == "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in expected).encode("utf-8")


def test_a_save_that_fails_half_way_keeps_the_previous_knowledge_base(tmp_path: Path):
    """The file is written case by case: a case that cannot be written (here a lone surrogate, which UTF-8
    cannot encode) after others have been leaves the old file whole and no temporary behind."""
    store.save(tmp_path, [case("111")])
    before = (tmp_path / store.FINDINGS_FILE).read_bytes()
    unwritable = case("999")
    unwritable.title = "broken \ud800 title"
    with pytest.raises(UnicodeEncodeError):
        store.save(tmp_path, [case("111"), case("222"), unwritable])
    assert (tmp_path / store.FINDINGS_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_corrupt_knowledge_base_is_reported_not_dropped(tmp_path: Path):
    (tmp_path / store.FINDINGS_FILE).write_text('{"manifest": {}}\n{"id": "1", "pmid": \n')
    with pytest.raises(KnowledgeBaseError, match="findings.jsonl"):
        store.load(tmp_path)


def test_lock_refuses_a_second_writer_without_waiting(tmp_path: Path):
    with store.kb_lock(tmp_path):
        with pytest.raises(KnowledgeBaseError, match="another flarekb process"):
            with store.kb_lock(tmp_path, wait=False):
                pass


def test_remove_papers_by_pmid_pmcid_or_doi_and_reports_the_missing(tmp_path: Path):
    third = case("333")
    third.pmid, third.pmcid = None, "PMC333"
    store.save(tmp_path, [case("111"), case("222"), third])
    summary, missing = store.remove_papers(tmp_path, ["111", "pmc333", "999"])
    assert summary.removed == ["111", "333"] and missing == ["999"] and summary.total == 1
    assert [c.id for c in store.load_findings(tmp_path)] == ["222"]


def test_a_lock_left_by_a_killed_process_is_detected_and_its_temporary_files_cleared(tmp_path: Path, caplog):
    # A real process takes the lock, starts a write, and dies by SIGKILL in the middle of it.
    store.save(tmp_path, [case("111")])
    before = (tmp_path / store.FINDINGS_FILE).read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sys, time
import signal
import subprocess
import sys
from pathlib import Path
from extractor.graph import store
with store.kb_lock(Path({str(tmp_path)!r})):
    (Path({str(tmp_path)!r}) / ".findings.jsonl.abc.tmp").write_text("half a knowledge ba")
    print("writing", flush=True)
    time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "writing\n"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    caplog.set_level(logging.INFO, logger="extractor")
    with store.kb_lock(tmp_path, wait=False) as lock:
        assert lock.stale_pid == holder.pid
        assert lock.removed_temporaries == [".findings.jsonl.abc.tmp"]
    told = [record.getMessage() for record in caplog.records]  # the user is told, in one line
    assert len(told) == 1 and f"process {holder.pid} stopped in the middle of writing" in told[0]
    assert len(told[0].splitlines()) == 1 and caplog.records[0].levelno == logging.WARNING
    assert (tmp_path / store.FINDINGS_FILE).read_bytes() == before
    caplog.clear()
    with store.kb_lock(tmp_path) as lock:  # a clean release leaves nothing to detect, nor to tell
        assert lock.stale_pid is None and lock.removed_temporaries == []
    assert caplog.records == []


def test_written_files_are_readable_by_others_like_any_output(tmp_path: Path):
    store.save(tmp_path, [case("111")])
    assert (tmp_path / store.FINDINGS_FILE).stat().st_mode & 0o777 == 0o644


def test_a_second_writer_waits_for_the_first_and_says_so(tmp_path: Path, caplog):
    holder = subprocess.Popen([sys.executable, "-c", f"""
import time
from pathlib import Path
from extractor.graph import store
with store.kb_lock(Path({str(tmp_path)!r})):
    print("holding", flush=True)
    time.sleep(1)
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "holding\n"
    caplog.set_level(logging.INFO, logger="extractor")
    store.merge_findings(tmp_path, [case("111")])  # blocks until the holder lets go, then writes
    holder.wait()
    assert f"waiting for process {holder.pid} to finish writing" in caplog.text
    assert [c.id for c in store.load_findings(tmp_path)] == ["111"]
