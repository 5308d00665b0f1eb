"""The user's first session, through the real `flarekb` command: seeds in, the tarlatamab answer out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

TARLATAMAB_QUESTION = "which markers accompany flare with tarlatamab"
# What the two seed reports say, as (marker, direction, day) — the rows issue 2 asks for.
SEED_MARKERS = {
    ("serum sodium", "increased", 7),
    ("cytology", "negative", 7),
    ("pro-grp", "decreased", 13),
    ("lymphocyte count", "decreased", None),
    ("il-6", "increased", None),
}


def flarekb(*args: str, cwd: Path = REPO, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "extractor", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"flarekb {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def marker_days(rows: list[dict]) -> set[tuple]:
    return {(row["marker"], row["direction"], day) for row in rows for day in (row["days"] or [None])}


@pytest.fixture(scope="module")
def built_kb(tmp_path_factory) -> Path:
    """A knowledge base built by `flarekb build` from a copy of the repository's corpora/ seeds."""
    work = tmp_path_factory.mktemp("e2e")
    shutil.copytree(REPO / "corpora" / "seeds", work / "corpora" / "seeds")
    flarekb("build", "--corpora", str(work / "corpora"), "--kb", str(work / "kb"))
    return work / "kb"


def test_extract_seed_text_and_markdown_as_json_lines(seeds_dir: Path):
    result = flarekb("extract", str(seeds_dir / "pubmed_40827251_nakano_2025.txt"),
                     str(seeds_dir / "pmc12983044_ikeuchi_2026.md"), "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_id = {record["id"]: record for record in lines}
    assert set(by_id) == {"40827251", "PMC12983044"}
    nakano = by_id["40827251"]
    assert nakano["doi"] == "10.1002/rcr2.70319" and nakano["engagers"] == ["tarlatamab"]
    assert nakano["flare"]["reported"] is True and nakano["flare"]["onset_day"] == 7
    assert {(m["marker"], m["direction"], m["day"]) for m in nakano["markers"]} >= {
        ("serum sodium", "increased", 7), ("cytology", "negative", 7), ("pro-grp", "decreased", 13)}
    ikeuchi = by_id["PMC12983044"]
    assert ikeuchi["doi"] == "10.7759/cureus.103393"
    assert {(m["marker"], m["direction"]) for m in ikeuchi["markers"]} >= {
        ("lymphocyte count", "decreased"), ("il-6", "increased")}


def test_extract_offsets_slice_the_mention_inside_its_evidence(seeds_dir: Path):
    from extractor.nlp import extract_findings
    from extractor.sources import read_documents

    for path in sorted(seeds_dir.iterdir()):
        for document in read_documents(path):
            for marker in extract_findings(document).markers:
                mention = document.text[marker.start:marker.end]
                assert mention and mention in marker.evidence
                assert marker.evidence in document.text


def test_extract_pubmed_xml_gives_one_line_per_record(shared_dir: Path):
    xml = shared_dir / "fixtures" / "ncbi" / "pubmed_efetch" / "biopython_pubmed1.xml"
    result = flarekb("extract", str(xml), "--format", "json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["pmid"] for record in records] == ["12091962", "9997"]
    for record in records:
        assert {"id", "pmid", "pmcid", "doi", "title", "source", "drugs", "engagers", "disease", "flare",
                "markers", "resolution_day"} <= set(record)
        assert record["source"] == "pubmed-xml"


def test_extract_bad_file_is_one_line_and_exit_2_while_the_good_one_goes_through(tmp_path: Path, seeds_dir: Path):
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    result = flarekb("extract", str(junk), str(seeds_dir / "pmc12983044_ikeuchi_2026.md"), "--format", "json",
                     check=False)
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "junk.xml" in errors[0] and "Traceback" not in result.stderr
    assert json.loads(result.stdout)["id"] == "PMC12983044"


def pubmed_record(pmid: int) -> str:
    return (f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Pseudoprogression "
            f"after tarlatamab, case {pmid}</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")


# What makes the PubMed parser give up half-way: XML that stops being well-formed, and a well-formed record
# that is not a usable article.
HALF_WAY_FAULTS = {
    "not-well-formed": "<PubmedArticle><MedlineCitation><PMID>999</PMID><Article><ArticleTitle>x</Title>",
    "record-without-article": "<PubmedArticle><MedlineCitation><PMID>999</PMID></MedlineCitation></PubmedArticle>",
}


def pubmed_file_with_fault(path: Path, good_records: int, fault: str, records_after: int = 2) -> Path:
    after = "".join(pubmed_record(1000 + n) for n in range(records_after))
    path.write_text("<PubmedArticleSet>\n" + "".join(pubmed_record(n) for n in range(1, good_records + 1))
                    + HALF_WAY_FAULTS[fault] + "\n" + after + "</PubmedArticleSet>\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fault", sorted(HALF_WAY_FAULTS))
def test_extract_streams_a_pubmed_file_up_to_a_fault_half_way(tmp_path: Path, seeds_dir: Path, fault: str):
    """The records before the fault are extracted and printed, then one error line names the file, then the
    next file goes through; exit 2. More records than extraction reads ahead (64), so whole batches and a
    part batch are printed: the file is extracted as it is read, not read first."""
    broken = pubmed_file_with_fault(tmp_path / "baseline.xml", good_records=70, fault=fault)
    result = flarekb("extract", str(broken), str(seeds_dir / "pmc12983044_ikeuchi_2026.md"), "--format", "json",
                     check=False)
    assert result.returncode == 2
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == [str(n) for n in range(1, 71)] + ["PMC12983044"]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"flarekb: error: {broken}: ")
    assert "Traceback" not in result.stderr


def test_extract_prints_the_records_before_a_fault_in_the_last_record_before_its_error(tmp_path: Path):
    """stdout and stderr into one pipe: each record's JSON line is out before the parser reaches the malformed
    last record, and the error comes after them, not instead of them."""
    broken = pubmed_file_with_fault(tmp_path / "update.xml", good_records=3, fault="not-well-formed",
                                    records_after=0)
    result = subprocess.run([sys.executable, "-m", "extractor", "extract", str(broken), "--format", "json"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert [json.loads(line)["pmid"] for line in lines[:3]] == ["1", "2", "3"]
    assert len(lines) == 4 and lines[3].startswith(f"flarekb: error: {broken}: ")


def test_extract_several_files_with_bad_ones_in_the_middle(tmp_path: Path, seeds_dir: Path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    broken = pubmed_file_with_fault(tmp_path / "broken.xml", good_records=2, fault="not-well-formed")
    update = tmp_path / "update.xml"  # an update file: its DeleteCitation is not a document
    update.write_text("<PubmedArticleSet>\n" + pubmed_record(7)
                      + "<DeleteCitation><PMID>8</PMID><PMID>9</PMID></DeleteCitation>\n" + pubmed_record(10)
                      + "</PubmedArticleSet>\n", encoding="utf-8")
    paths = [seeds_dir / "pubmed_40827251_nakano_2025.txt", pdf, tmp_path / "missing.xml", broken, tmp_path, update,
             seeds_dir / "pmc12983044_ikeuchi_2026.md"]
    result = flarekb("extract", *map(str, paths), "--format", "json", check=False)
    assert result.returncode == 2
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["40827251", "1", "2", "7", "10", "PMC12983044"]
    errors = result.stderr.strip().splitlines()
    named = [pdf, tmp_path / "missing.xml", broken, tmp_path]
    assert len(errors) == len(named) and "Traceback" not in result.stderr
    for error, path in zip(errors, named):
        assert error.startswith(f"flarekb: error: {path}: ")


def test_build_then_ask_answers_with_evidence(built_kb: Path):
    result = flarekb("ask", TARLATAMAB_QUESTION, "--json", "--kb", str(built_kb))
    rows = json.loads(result.stdout)
    assert marker_days(rows) >= SEED_MARKERS
    for row in rows:
        assert row["drugs"] == ["tarlatamab"] and row["n_cases"] >= 1
        for evidence in row["evidence"]:
            assert evidence["sentence"] and (evidence["pmid"] or evidence["pmcid"] or evidence["doi"])
    sodium = next(row for row in rows if row["marker"] == "serum sodium")
    assert sodium["evidence"][0]["pmid"] == "40827251" and "sodium" in sodium["evidence"][0]["sentence"]


def test_ask_prints_a_readable_table(built_kb: Path):
    result = flarekb("ask", TARLATAMAB_QUESTION, "--kb", str(built_kb))
    for word in ("serum sodium", "pro-GRP", "IL-6", "lymphocyte count", "cytology", "40827251"):  # as clinicians write them
        assert word in result.stdout


def test_shipped_kb_answers_the_users_question():
    result = flarekb("ask", TARLATAMAB_QUESTION, "--json")
    assert marker_days(json.loads(result.stdout)) >= SEED_MARKERS


def test_shipped_kb_is_what_build_makes_of_the_shipped_corpora(built_kb: Path):
    """kb/ is committed: it must be byte-identical to a fresh build of corpora/ (deterministic and current),
    the findings and their query index."""
    for name in ("findings.jsonl", "index.jsonl"):
        assert (built_kb / name).read_bytes() == (REPO / "kb" / name).read_bytes(), name


def test_export_graphml_loads_in_igraph_with_the_same_counts(built_kb: Path, tmp_path: Path):
    import igraph
    import networkx as nx

    out = tmp_path / "kb.graphml"
    flarekb("export", "--format", "graphml", "-o", str(out), "--kb", str(built_kb))
    ours = nx.read_graphml(out, force_multigraph=True)
    theirs = igraph.Graph.Read_GraphML(str(out))
    assert (theirs.vcount(), theirs.ecount()) == (ours.number_of_nodes(), ours.number_of_edges())
    assert "drug:tarlatamab" in ours and "marker:il-6" in ours


def test_unknown_drug_and_unmappable_question_exit_2_with_one_line(built_kb: Path):
    for question in ("which markers accompany flare with tarlatamabb", "what is the weather"):
        result = flarekb("ask", question, "--kb", str(built_kb), check=False)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_every_command_has_help():
    commands = ("build", "extract", "ask", "markers", "export")
    for command in commands:
        assert "Usage" in flarekb(command, "--help").stdout


def test_usage_errors_are_one_line_with_exit_2():
    for args in (("nosuch",), ("ask",), ("export", "--format", "xml", "-o", "out.xml")):
        result = flarekb(*args, check=False)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
