"""Issue 16: hostile content in papers and files. Records whose text carries spreadsheet formulas, Rich markup
and terminal escapes go through the real commands (`build`, then `export`, `show`, `ask`, `markers`,
`extract`): no formula reaches a CSV cell, no text is read as markup, no control reaches the terminal, and
`--json` keeps the text exact."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractor.cli import run

FORMULA_ABSTRACT = ('=HYPERLINK("http://evil.example","x") IL-6 increased on day 3 after tarlatamab with tumor flare. '
                    "+CRP [normal range, &lt;5 mg/L] increased on day 2. @SUM(1) ferritin rose on day 4. "
                    "-LDH was elevated on day 5.")
HOSTILE_PUBMED = f"""<?xml version="1.0" encoding="utf-8"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1001</PMID><Article>
<ArticleTitle>=cmd|' /C calc'!A0 [/x] Pseudoprogression after tarlatamab &#x9b;2J</ArticleTitle>
<Abstract><AbstractText>{FORMULA_ABSTRACT}</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""
# A saved page can carry ESC (XML cannot): a screen clear, an OSC 8 hyperlink, colours. (HTML reads a C1
# character reference as Windows-1252, so the C1 CSI comes in PubMed XML's title above.)
HOSTILE_PAGE = """<html><head><title>&#x1b;[2J&#x1b;]8;;http://evil.example&#x1b;\\Pseudoprogression with
teclistamab&#x9b;31m</title></head><body><h1>&#x1b;[2JPseudoprogression with teclistamab</h1><p>PMID: 2002</p>
<p>After teclistamab, IL-6 increased on day 2 &#x1b;[31mwith tumor flare&#x1b;[0m.</p></body></html>
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection list
CONTROLS = [chr(code) for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def write_corpora(corpora: Path) -> None:
    corpora.mkdir(parents=True)
    (corpora / "hostile.xml").write_text(HOSTILE_PUBMED, encoding="utf-8")
    (corpora / "page.html").write_text(HOSTILE_PAGE, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory) -> Path:
    """A knowledge base built by the real `flarekb build` from the two hostile records."""
    work = tmp_path_factory.mktemp("hostile")
    write_corpora(work / "corpora")
    built = subprocess.run([sys.executable, "-m", "extractor", "build", "--corpora", str(work / "corpora"),
                            "--kb", str(work / "kb")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return work / "kb"


@pytest.fixture
def flarekb(capsys, monkeypatch):
    """The console-script entry point in process (where expected errors become an exit code)."""
    monkeypatch.setenv("COLUMNS", "250")

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["flarekb", *args])
        with pytest.raises(SystemExit) as stopped:
            run()
        out, err = capsys.readouterr()
        return Result(stopped.value.code, out, err)

    return invoke


# -- 1. CSV formula injection -----------------------------------------------------------------------------


def test_csv_export_has_no_cell_a_spreadsheet_would_run(hostile_kb: Path, tmp_path: Path, flarekb):
    output = tmp_path / "edges.csv"
    result = flarekb("export", "--format", "csv", "-o", str(output), "--kb", str(hostile_kb))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    cells = [cell for row in rows for cell in row.values() if cell]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    # the text is all there, behind the quote that makes it text
    il6 = next(row for row in rows if row["relation"] == "MARKER" and row["target"] == "marker:il-6")
    assert il6["evidence"] == "'" + FORMULA_ABSTRACT.replace("&lt;", "<")
    assert il6["day"] == "3"  # numbers stay numbers


# -- 2. Rich markup injection ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("show", "1001"),
    ("ask", "which markers accompany flare with tarlatamab"),
    ("markers", "--drug", "tarlatamab"),
])
def test_queries_print_brackets_in_papers_as_text(hostile_kb: Path, flarekb, command: tuple[str, ...]):
    result = flarekb(*command, "--kb", str(hostile_kb))
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())  # table cells fold long text over lines
    assert "[normal range, <5 mg/L]" in flat  # not swallowed as an unknown tag
    if command[0] == "show":
        assert "[/x] Pseudoprogression" in flat  # not a MarkupError


def test_extract_table_prints_markup_in_a_paper_as_text(tmp_path: Path, flarekb):
    write_corpora(tmp_path / "corpora")
    result = flarekb("extract", str(tmp_path / "corpora" / "hostile.xml"), "--format", "table")
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "[/x] Pseudoprogression" in flat and "[normal range, <5 mg/L]" in flat


def test_build_from_a_corpora_path_that_looks_like_markup(tmp_path: Path, flarekb):
    corpora = tmp_path / "[/x] [bold]corpora"
    write_corpora(corpora)
    result = flarekb("build", "--corpora", str(corpora), "--kb", str(tmp_path / "kb"))
    assert result.returncode == 0, result.stderr
    assert "from 2 document(s)" in result.stderr


# -- 3. Terminal escapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["1001", "2002"])
def test_show_prints_no_control_character(hostile_kb: Path, flarekb, paper: str):
    result = flarekb("show", paper, "--kb", str(hostile_kb))
    assert result.returncode == 0, result.stderr
    assert "Pseudoprogression" in result.stdout
    assert not [char for char in result.stdout if char in CONTROLS]


def test_json_keeps_the_papers_text_exact(hostile_kb: Path, flarekb):
    result = flarekb("show", "2002", "--json", "--kb", str(hostile_kb))
    assert result.returncode == 0, result.stderr
    (timeline,) = json.loads(result.stdout)
    evidence = [event["evidence"] for event in timeline["events"] if event["kind"] == "marker"]
    assert evidence == ["After teclistamab, IL-6 increased on day 2 \x1b[31mwith tumor flare\x1b[0m."]
    assert timeline["title"].startswith("\x1b[2J")
    (timeline,) = json.loads(flarekb("show", "1001", "--json", "--kb", str(hostile_kb)).stdout)
    assert timeline["title"].endswith("tarlatamab \x9b2J")


# -- 6. Identifiers and names that reach other parsers ----------------------------------------------------


def test_a_doi_with_a_control_character_is_no_doi_and_graphml_exports(tmp_path: Path, flarekb):
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "page.html").write_text(
        '<html><head><title>Pseudoprogression with teclistamab</title><meta name="citation_doi" '
        'content="10.1000/abc&#x1;def"></head><body><h1>Pseudoprogression with teclistamab</h1><p>After teclistamab, IL-6 increased on day 2 with tumor '
        "flare.</p></body></html>", encoding="utf-8")
    assert flarekb("build", "--corpora", str(corpora), "--kb", str(tmp_path / "kb")).returncode == 0
    output = tmp_path / "flare.graphml"
    result = flarekb("export", "--format", "graphml", "-o", str(output), "--kb", str(tmp_path / "kb"))
    assert result.returncode == 0, result.stderr
    graphml = output.read_text(encoding="utf-8")
    assert "case:page" in graphml and "\x01" not in graphml and "10.1000/abc" not in graphml


@pytest.mark.parametrize("doi", ["10.1000/abc\x01def", "10.1000/abc\x1b[2Jdef", "10.1000/abc\x7fdef",
                                 "10.1000/abc\x9bdef"])
def test_normalise_doi_refuses_control_characters(doi: str):
    from extractor.errors import BadInput
    from extractor.sources.identifiers import find_doi, normalise_doi

    with pytest.raises(BadInput):
        normalise_doi(doi)
    assert find_doi(f"doi: {doi}") == "10.1000/abc"  # in running text the DOI ends where the control starts


def test_dollar_signs_in_a_case_id_are_drawn_as_text(tmp_path: Path, flarekb):
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "a$x^$b.txt").write_text("Pseudoprogression with teclistamab\n\nAfter teclistamab, IL-6 increased on "
                                        "day 2 with tumor flare.\n", encoding="utf-8")
    kb = str(tmp_path / "kb")
    assert flarekb("build", "--corpora", str(corpora), "--kb", kb).returncode == 0
    timeline = flarekb("plot", "timeline", "a$x^$b", "-o", str(tmp_path / "case.png"), "--kb", kb)
    assert timeline.returncode == 0, timeline.stderr
    assert (tmp_path / "case.png").read_bytes().startswith(b"\x89PNG")
    report = flarekb("report", "-o", str(tmp_path / "report.html"), "--kb", kb, "--corpora", str(corpora))
    assert report.returncode == 0, report.stderr
    assert "a$x^$b" in (tmp_path / "report.html").read_text(encoding="utf-8")
