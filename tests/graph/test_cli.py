"""The query, show, remove and export commands through the console-script entry point (`run`, where
expected errors become one line and an exit code), in process for speed; one test runs a real subprocess."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import igraph
import pytest

from extractor.cli import run
from extractor.graph import store


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def flarekb(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str, kb: Path) -> Result:
        monkeypatch.setattr(sys, "argv", ["flarekb", *args, "--kb", str(kb)])
        with pytest.raises(SystemExit) as stopped:
            run()
        out, err = capsys.readouterr()
        return Result(stopped.value.code, out, err)

    return invoke


def one_line_error(result: Result, code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("flarekb: error: ")
    return last


def test_the_first_question_in_a_real_subprocess(kb_dir):
    env = {**os.environ, "FLAREKB_KB": str(kb_dir), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "extractor", "ask", "which markers accompany flare with tarlatamab"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "il-6" in result.stdout and "PMID 1001" in result.stdout


def test_markers_json_keeps_the_contract(kb_dir, flarekb):
    result = flarekb("markers", "--drug", "Imdelltra", "--json", kb=kb_dir)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    contract = ("marker", "direction", "n_cases", "days", "drugs", "evidence")
    assert (rows[0]["n_patients"], rows[0]["n_papers"], rows[0]["display"]) == (2, 2, "IL-6")  # added keys
    assert {key: rows[0][key] for key in contract} == {"marker": "il-6", "direction": "increased", "n_cases": 2, "days": [2, 3],
                       "drugs": ["tarlatamab"], "evidence": [
                           {"pmid": "1001", "pmcid": None, "doi": "10.1/1001",
                            "sentence": "On day 3 the il-6 was increased.", "day": 3},
                           {"pmid": "1002", "pmcid": None, "doi": "10.1/1002",
                            "sentence": "On day 2 the il-6 was increased.", "day": 2}]}


def test_markers_table_shows_evidence(kb_dir, flarekb):
    result = flarekb("markers", "--target", "bcma x cd3", kb=kb_dir)
    assert result.returncode == 0 and "crp" in result.stdout and "PMID 2001" in result.stdout


def test_markers_bad_usage_exits_2_with_one_line(kb_dir, flarekb):
    assert "tarlatamab" in one_line_error(flarekb("markers", "--drug", "tarlatamib", kb=kb_dir), 2)
    assert "known engager classes" in one_line_error(flarekb("markers", "--target", "XYZ9", kb=kb_dir), 2)
    one_line_error(flarekb("markers", "--drug", "tarlatamab", "--target", "BCMA", kb=kb_dir), 2)


def test_ask_answers_the_first_question_and_refuses_what_it_cannot_map(kb_dir, flarekb):
    result = flarekb("ask", "which markers accompany flare with tarlatamab", "--json", kb=kb_dir)
    assert [row["marker"] for row in json.loads(result.stdout)] == ["il-6", "serum sodium", "serum sodium"]
    assert "which markers accompany" in one_line_error(flarekb("ask", "what time is it", kb=kb_dir), 2)


def test_onset_and_drugs(kb_dir, flarekb):
    [row] = json.loads(flarekb("onset", "--drug", "tarlatamab", "--json", kb=kb_dir).stdout)
    assert (row["median"], row["min"], row["max"], row["n_cases"]) == (5.5, 4, 7, 2)
    table = flarekb("onset", kb=kb_dir).stdout
    assert "5.5 (4-7)" in table and "epcoritamab" in table
    rows = json.loads(flarekb("drugs", "--role", "engager", "--json", kb=kb_dir).stdout)
    assert [row["drug"] for row in rows] == ["tarlatamab", "epcoritamab", "teclistamab"]


def test_show_prints_one_case_by_day(kb_dir, flarekb):
    result = flarekb("show", "1001", kb=kb_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("il-6") < result.stdout.index("serum sodium") < result.stdout.index("resolved")
    [timeline] = json.loads(flarekb("show", "PMID:1001", "--json", kb=kb_dir).stdout)
    assert [event["day"] for event in timeline["events"]] == [0, 3, 7, 7, 13]
    assert "999" in one_line_error(flarekb("show", "999", kb=kb_dir), 2)


def test_remove_takes_a_paper_out_and_names_the_unknown_ones(kb_dir, flarekb):
    assert flarekb("remove", "1002", kb=kb_dir).returncode == 0
    assert "1002" not in [case.id for case in store.load_findings(kb_dir)]
    [row] = [r for r in json.loads(flarekb("markers", "--drug", "tarlatamab", "--json", kb=kb_dir).stdout)
             if r["marker"] == "il-6"]
    assert row["n_cases"] == 1
    assert "777" in one_line_error(flarekb("remove", "1001", "777", kb=kb_dir), 2)
    assert "1001" not in [case.id for case in store.load_findings(kb_dir)]  # the rest of the batch went through


def test_export_is_byte_identical_across_runs_and_loads_in_igraph(kb_dir, tmp_path: Path, flarekb):
    for name in ("a.graphml", "b.graphml"):
        assert flarekb("export", "--format", "graphml", "-o", str(tmp_path / name), kb=kb_dir).returncode == 0
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    assert igraph.Graph.Read_GraphML(str(tmp_path / "a.graphml")).vcount() > 0
    one_line_error(flarekb("export", "--format", "csv", "-o", str(tmp_path / "no" / "such" / "dir.csv"), kb=kb_dir), 1)
