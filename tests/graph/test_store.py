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


def test_corrupt_knowledge_base_is_reported_not_dropped(tmp_path: Path):
    (tmp_path / store.FINDINGS_FILE).write_text('{"manifest": {}}\n{"id": "1", "pmid": \n')
    with pytest.raises(KnowledgeBaseError, match="findings.jsonl"):
        store.load(tmp_path)


def test_lock_refuses_a_second_writer_without_waiting(tmp_path: Path):
    with store.kb_lock(tmp_path):
        with pytest.raises(KnowledgeBaseError, match="another flarekb process"):
            with store.kb_lock(tmp_path, wait=False):
                pass
