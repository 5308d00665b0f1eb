"""kb/index.jsonl: a query answered from the stored index gives exactly what the whole load gives, for every
kind of query and key, on knowledge bases built from generated findings; and an index that does not belong
to the findings beside it is never used."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.errors import BadInput
from extractor.graph import index_file, queries, store
from extractor.graph.index import build_index
from extractor.models import DIRECTIONS, CaseFindings, Drug, Flare, MarkerFinding
from tests.graph.answers import as_json, every_answer
from tests.graph.conftest import small_findings

# A few drugs sharing classes and antigens (two DLL3xCD3 engagers, two BCMA ones), neighbouring therapies,
# a steroid that never carries a flare, and a drug the lexicon does not know.
DRUGS = [
    Drug("tarlatamab", "engager", ["DLL3", "CD3"]), Drug("obrixtamig", "engager", ["DLL3", "CD3"]),
    Drug("teclistamab", "engager", ["BCMA", "CD3"]), Drug("elranatamab", "engager", ["BCMA", "CD3"]),
    Drug("tebentafusp", "engager", ["gp100", "CD3"]), Drug("nivolumab", "checkpoint-inhibitor", ["PD-1"]),
    Drug("ipilimumab", "checkpoint-inhibitor", ["CTLA-4"]), Drug("cilta-cel", "car-t", ["BCMA"]),
    Drug("lenalidomide", "imid", []), Drug("dexamethasone", "steroid", []), Drug("mystery-mab", "other", []),
]
DAYS = st.none() | st.integers(-3, 60)
# Few sentences and papers, so that evidence repeats: two markers of one sentence, two cases of one paper.
SENTENCES = st.sampled_from(["IL-6 rose.", "CRP and IL-6 rose on day 3.", "Natrium stieg an – ü, 中文.", ""]) \
    | st.text(max_size=30)
PAPERS = st.none() | st.sampled_from(["1001", "1002", "40827251"])
DOIS = st.none() | st.sampled_from(["10.1/A", "10.1/a", "10.1/b"])  # two differ only in case


@st.composite
def case_findings(draw, number: int) -> CaseFindings:
    received = draw(st.lists(st.sampled_from(DRUGS), max_size=3, unique_by=lambda drug: drug.name))
    reported = draw(st.booleans())
    linked = draw(st.none() | st.sampled_from([drug.name for drug in DRUGS])) if reported else None
    markers = draw(st.lists(st.builds(
        MarkerFinding, st.sampled_from(["il-6", "crp", "ldh", "serum sodium"]), st.sampled_from(DIRECTIONS), DAYS,
        SENTENCES, st.just(0), st.just(3)), max_size=5))
    return CaseFindings(
        id=draw(st.sampled_from([f"{number}", f"PMC{number}", f"case-{number}"])), pmid=draw(PAPERS),
        pmcid=draw(st.none() | st.just(f"PMC{number}")), doi=draw(DOIS),
        title=draw(st.text(max_size=10)), source="text", drugs=received, disease=draw(st.none() | st.just("sclc")),
        flare=Flare(reported, draw(DAYS) if reported else None, [], [], linked), markers=markers,
        resolution_day=draw(DAYS))


@st.composite
def knowledge_bases(draw) -> list[CaseFindings]:
    count = draw(st.integers(0, 12))
    return [draw(case_findings(number)) for number in draw(st.lists(st.integers(1, 30), min_size=count,
                                                                     max_size=count, unique=True))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knowledge_bases())
def test_the_stored_index_answers_every_query_as_the_whole_load_does(findings):
    with tempfile.TemporaryDirectory() as directory:
        kb = Path(directory) / "kb"
        store.save(kb, findings)
        whole = build_index(findings)
        with store.open_index(kb) as stored:
            assert isinstance(stored.signatures, Mapping) and not isinstance(stored.signatures, dict)  # the file
            assert every_answer(stored, whole) == every_answer(whole, whole)
            # Table by table, the same content as build_index's (the stored one is its rows, serialised).
            for table in ("drugs", "signatures", "flare_cases", "flare_papers", "onset_days", "onset_papers",
                          "papers", "cases"):
                assert dict(getattr(stored, table)) == dict(getattr(whole, table)), table


def test_the_cli_prints_the_same_with_and_without_the_index(kb_dir: Path, tmp_path: Path, capsys, monkeypatch):
    from extractor.cli import run

    without = shutil.copytree(kb_dir, tmp_path / "without")
    (without / store.INDEX_FILE).unlink()
    commands = [["markers", "--drug", "tarlatamab"], ["markers", "--target", "BCMA"], ["markers", "--role", "car-t"],
                ["markers"], ["onset"], ["onset", "--drug", "epcoritamab"], ["drugs"], ["drugs", "--role", "engager"],
                ["ask", "which markers accompany flare with tarlatamab"], ["show", "1001"], ["show", "10.1/2001"]]
    monkeypatch.setenv("COLUMNS", "200")
    for command in commands:
        printed = []
        for kb in (kb_dir, without):
            for json_flag in ([], ["--json"]):
                monkeypatch.setattr("sys.argv", ["flarekb", *command, *json_flag, "--kb", str(kb)])
                with pytest.raises(SystemExit) as stopped:
                    run()
                assert stopped.value.code == 0
                printed.append(capsys.readouterr())
        assert [out.out for out in printed[:2]] == [out.out for out in printed[2:]], command
        assert printed[0].err == printed[1].err == ""  # the stored index: nothing to say
        assert "reading all of findings.jsonl" in printed[2].err and len(printed[2].err.splitlines()) == 1


def test_a_query_reads_only_the_lines_of_its_answer(kb_dir: Path):
    """Every line of the index but the header and those of tarlatamab's signature and evidence is made
    unreadable: `markers --drug tarlatamab` still gives its answer (and another query fails, loudly)."""
    path = kb_dir / store.INDEX_FILE
    header, *lines = path.read_bytes().splitlines(keepends=True)
    needed = {("signatures", "drug:tarlatamab"), ("evidence", "drug:tarlatamab")}
    blanked = [line if (json.loads(line)["table"], json.loads(line)["key"]) in needed
               else b"?" * (len(line) - 1) + b"\n" for line in lines]
    path.write_bytes(header + b"".join(blanked))
    whole = store.load_index(kb_dir)
    with store.open_index(kb_dir) as stored:
        assert as_json(queries.markers_with_flare(stored, drug="tarlatamab")) == \
            as_json(queries.markers_with_flare(whole, drug="tarlatamab"))
        with pytest.raises(Exception, match="cannot read the line"):
            queries.markers_with_flare(stored, drug="teclistamab")


def test_the_index_and_the_manifest_name_each_other_and_are_deterministic(tmp_path: Path):
    findings = small_findings()
    store.save(tmp_path / "a", findings, store.Manifest(queries=["q"]))
    store.save(tmp_path / "b", list(reversed(findings)), store.Manifest(queries=["q"]))
    for name in (store.FINDINGS_FILE, store.INDEX_FILE):
        content = (tmp_path / "a" / name).read_bytes()
        assert content == (tmp_path / "b" / name).read_bytes() and str(tmp_path).encode() not in content
        assert (tmp_path / "a" / name).stat().st_mode & 0o777 == 0o644
    header = json.loads((tmp_path / "a" / store.INDEX_FILE).read_bytes().splitlines()[0])["index"]
    assert store.load(tmp_path / "a").manifest.index == header["id"]
    assert header["findings_bytes"] == (tmp_path / "a" / store.FINDINGS_FILE).stat().st_size
    assert sorted(path.name for path in (tmp_path / "a").iterdir()) == [store.FINDINGS_FILE, store.INDEX_FILE]


# -- an index that does not belong to the findings beside it is never used -------------------------------------


def other_findings() -> list[CaseFindings]:
    """small_findings with one case gone and another's markers changed: answers that differ."""
    findings = [case for case in small_findings() if case.id != "1002"]
    findings[0].markers[0].direction = "decreased"
    return findings


def answers_and_note(kb: Path, capsys) -> tuple[dict[str, str], str]:
    capsys.readouterr()
    whole = store.load_index(kb)
    with store.open_index(kb) as index:
        found = every_answer(index, whole)
    assert found == every_answer(whole, whole)
    return found, capsys.readouterr().err


def test_old_findings_beside_a_new_index_are_answered_from_the_findings(tmp_path: Path, capsys):
    """What a crash between the two renames of `save` leaves: the new index, the old findings."""
    old, new, reference = tmp_path / "old", tmp_path / "new", tmp_path / "reference"
    store.save(old, small_findings())
    store.save(reference, small_findings())
    store.save(new, other_findings())
    shutil.copy(new / store.INDEX_FILE, old / store.INDEX_FILE)
    found, note = answers_and_note(old, capsys)
    assert found == answers_and_note(reference, capsys)[0] != answers_and_note(new, capsys)[0]
    assert len(note.splitlines()) == 1 and "does not match findings.jsonl" in note


@pytest.mark.parametrize("damage", ["missing", "empty", "not json", "older format", "findings appended to"])
def test_a_missing_unreadable_or_foreign_index_falls_back_to_the_whole_load(tmp_path: Path, capsys, damage: str):
    kb = tmp_path / "kb"
    store.save(kb, small_findings())
    index = kb / store.INDEX_FILE
    if damage == "missing":
        index.unlink()
    elif damage == "empty":
        index.write_bytes(b"")
    elif damage == "not json":
        index.write_bytes(b"{not json\n" + index.read_bytes())
    elif damage == "older format":
        header, rest = index.read_bytes().split(b"\n", 1)
        index.write_bytes(header.replace(b'"format":%d' % index_file.INDEX_FORMAT, b'"format":0') + b"\n" + rest)
    else:  # a case added by hand: the manifest still names the index, which does not know the case
        extra = CaseFindings("7777", "7777", None, None, "by hand", "text", [DRUGS[0]], None,
                             Flare(True, 3, [], [], None), [MarkerFinding("crp", "increased", 3, "CRP rose.", 0, 3)])
        with (kb / store.FINDINGS_FILE).open("a", encoding="utf-8") as findings:
            findings.write(json.dumps(extra.to_json()) + "\n")
    found, note = answers_and_note(kb, capsys)
    assert len(note.splitlines()) == 1 and "reading all of findings.jsonl" in note
    if damage == "findings appended to":
        assert '"pmid": "7777"' in found["markers --drug tarlatamab"]


def test_a_knowledge_base_written_before_the_index_existed_still_answers(tmp_path: Path, capsys):
    kb = tmp_path / "kb"
    kb.mkdir()
    manifest = {"manifest": {"format": 1, "flarekb_version": "0.1.0", "queries": []}}
    lines = [manifest] + [case.to_json() for case in small_findings()]
    (kb / store.FINDINGS_FILE).write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    found, note = answers_and_note(kb, capsys)
    assert "has no query index yet" in note and '"n_cases": 2' in found["markers --drug tarlatamab"]
    store.merge_findings(kb, [])  # any write adds the index
    assert answers_and_note(kb, capsys) == (found, "")


def test_a_writer_replacing_kb_during_a_query_changes_nothing_it_reads(tmp_path: Path, capsys):
    """A query reads from the files it opened: another process's save meanwhile (both files renamed over)
    neither mixes the two knowledge bases nor makes the query fall back."""
    kb = tmp_path / "kb"
    store.save(kb, small_findings())
    before = store.load_index(kb)
    with store.open_index(kb) as index:
        store.save(kb, other_findings())
        assert every_answer(index, before) == every_answer(before, before)
    assert capsys.readouterr().err == ""
    after = store.load_index(kb)
    with store.open_index(kb) as index:
        assert every_answer(index, after) == every_answer(after, after) != every_answer(before, after)


def test_no_knowledge_base_is_an_error_that_says_where_it_looked(tmp_path: Path):
    with pytest.raises(BadInput, match=f"no knowledge base at {tmp_path / 'nothing'}/"):
        with store.open_index(tmp_path / "nothing"):
            pass
    assert not (tmp_path / "nothing").exists()


def test_the_lock_clears_an_index_temporary_left_by_a_dead_writer(tmp_path: Path, capsys):
    store.save(tmp_path, small_findings())
    (tmp_path / f".{store.INDEX_FILE}.abc.tmp").write_text("half an index")
    with store.kb_lock(tmp_path) as holder:
        assert holder.removed_temporaries == [f".{store.INDEX_FILE}.abc.tmp"]
