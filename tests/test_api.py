"""The Python face (`import extractor`): the same findings as `flarekb extract`, and no global side effect."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import extractor
from extractor.cli import run
from extractor.errors import BadInput
from extractor.graph import store

SEED_TEXT = "pubmed_40827251_nakano_2025.txt"


def cli_extract(path, capsys, monkeypatch) -> list[dict]:
    monkeypatch.setattr(sys, "argv", ["flarekb", "extract", str(path), "--format", "json"])
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    assert stopped.value.code == 0, err
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("seed", [SEED_TEXT, "pmc12983044_ikeuchi_2026.md"])
def test_extract_text_gives_the_findings_of_flarekb_extract(seeds_dir, tmp_path, capsys, monkeypatch, seed):
    text = (seeds_dir / seed).read_text(encoding="utf-8")
    unnamed = tmp_path / ("case" + (seeds_dir / seed).suffix)  # no identifier in the file name
    unnamed.write_text(text, encoding="utf-8")
    expected = cli_extract(unnamed, capsys, monkeypatch)
    found = extractor.extract_text(text).to_json()
    assert expected == [{**found, "id": expected[0]["id"]}]  # the id: the file's stem, or "text"
    assert found["engagers"] == ["tarlatamab"] and found["flare"]["reported"]


def test_identifiers_given_win_and_name_the_case(seeds_dir):
    text = (seeds_dir / SEED_TEXT).read_text(encoding="utf-8")
    findings = extractor.extract_text(text, pmid="PMID: 40827251", pmcid="pmc123")
    assert (findings.id, findings.pmid, findings.pmcid, findings.doi) == (
        "40827251", "40827251", "PMC123", "10.1002/rcr2.70319")  # the DOI still from the text


@pytest.mark.parametrize("call", [
    lambda: extractor.extract_text("On day 3 IL-6 rose.", pmid="12ab"),
    lambda: extractor.extract_text("On day 3 IL-6 rose.", doi="not a doi"),
    lambda: extractor.extract_text("   \n\n "),
])
def test_bad_input_is_one_line_of_bad_input(call):
    with pytest.raises(BadInput) as error:
        call()
    assert "\n" not in str(error.value)


def test_extract_file_gives_one_findings_per_record(shared_dir, seeds_dir):
    citations = shared_dir / "fixtures" / "ncbi" / "pubmed_efetch" / "bmcs_test_citations.xml"
    found = extractor.extract_file(citations)
    assert len(found) == citations.read_text(encoding="utf-8").count("<PubmedArticle>") > 1
    assert all(case.pmid for case in found) and len({case.id for case in found}) == len(found)
    [seed] = extractor.extract_file(str(seeds_dir / SEED_TEXT))
    assert seed.id == "40827251"  # from the file name, as `flarekb extract` names it


def test_a_library_call_leaves_the_collector_as_it_found_it(seeds_dir, tmp_path):
    """In a fresh interpreter (pytest's own process has its history): import, extract, query, graph."""
    store.save(tmp_path / "empty-kb", [])  # a knowledge base must exist to be queried
    script = textwrap.dedent(f"""
        import gc, sys
        before = (gc.isenabled(), gc.get_freeze_count())
        import extractor
        extractor.extract_text(open({str(seeds_dir / SEED_TEXT)!r}, encoding="utf-8").read())
        extractor.extract_file({str(seeds_dir / SEED_TEXT)!r})
        kb = extractor.load_kb({str(tmp_path / "empty-kb")!r})
        kb.markers(drug="tarlatamab"); kb.graph()
        after = (gc.isenabled(), gc.get_freeze_count())
        print(before, after)
        sys.exit(0 if before == after else 1)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
