"""`flarekb evaluate`: scoring against gold, document matching by identifier, and the development-corpus figures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluate import evaluate, evaluation_documents, load_gold


def write_gold_corpus(tmp_path):
    """A two-document corpus written for this test: one flare case, one without."""
    docs = tmp_path / "corpus" / "docs"
    docs.mkdir(parents=True)
    (docs / "a.json").write_text(json.dumps({
        "id": "a", "pmid": "111", "pmcid": None, "doi": None, "title": "Flare after mosunetuzumab",
        "text": "A 70-year-old man with follicular lymphoma received mosunetuzumab. On day 3 the inguinal lymph "
                "nodes were enlarged, consistent with tumor flare, and ferritin rose.",
    }))
    (docs / "b.json").write_text(json.dumps({
        "id": "b-file", "pmid": None, "pmcid": "PMC2", "doi": "10.1/X", "title": "CRS after glofitamab",
        "text": "A 50-year-old woman with DLBCL received glofitamab and had cytokine release syndrome on day 1.",
    }))
    gold = tmp_path / "corpus" / "gold.jsonl"
    lines = [
        {"id": "a", "pmid": "111", "engagers": ["mosunetuzumab"], "other_drugs": ["dexamethasone"],
         "disease": "follicular lymphoma", "flare": True, "flare_onset_day": [2, 3],
         "markers": [{"marker": "ferritin", "direction": "increased"}, {"marker": "crp", "direction": "increased"}]},
        {"id": "b", "doi": "10.1/x", "engagers": ["glofitamab", "epcoritamab"], "other_drugs": [],
         "disease": "unspecified", "flare": False, "flare_onset_day": None, "markers": []},
        {"id": "c", "pmid": "999", "engagers": [], "flare": False, "markers": []},
    ]
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return gold


def test_scores_match_documents_by_any_identifier_and_list_disagreements(tmp_path):
    gold = write_gold_corpus(tmp_path)
    report = evaluate(load_gold(gold), evaluation_documents(gold, []))

    assert report.unmatched_gold == ["c"]  # no document carries pmid 999
    assert (report.engagers.true_positives, report.engagers.false_negatives) == (2, 1)
    assert report.engagers.precision == 1.0 and report.engagers.recall == pytest.approx(2 / 3)
    assert (report.markers.true_positives, report.markers.false_negatives) == (1, 1)
    assert report.flare.value == 1.0 and report.onset_day.value == 1.0
    assert "b: engager missed: epcoritamab" in report.disagreements
    assert "a: marker missed: crp increased" in report.disagreements


def test_other_drugs_and_disease_are_scored(tmp_path):
    gold = write_gold_corpus(tmp_path)
    report = evaluate(load_gold(gold), evaluation_documents(gold, []))

    # a: dexamethasone is in the gold but not in the text; b names DLBCL where the gold says "unspecified"
    assert (report.other_drugs.true_positives, report.other_drugs.false_negatives) == (0, 1)
    assert report.other_drugs.recall == 0.0
    assert (report.disease.correct, report.disease.total) == (1, 2)
    assert "a: other drug missed: dexamethasone" in report.disagreements
    assert "b: disease diffuse large b-cell lymphoma, gold None" in report.disagreements


def test_cli_prints_figures_and_disagreements(tmp_path):
    gold = write_gold_corpus(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert "engagers" in result.output and "F1 0.800" in result.output
    assert "other drugs" in result.output and "disease                accuracy 0.500" in result.output
    assert "onset day" in result.output and "marker missed: crp increased" in result.output


def test_cli_json_output_and_explicit_paths(tmp_path):
    gold = write_gold_corpus(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(gold), "--json", str(tmp_path / "corpus" / "docs" / "a.json")])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["documents"] == 1 and figures["unmatched_gold"] == ["b", "c"]


def test_cli_errors_list_every_miss_and_extra_with_its_evidence_and_figures_per_category(tmp_path):
    gold = write_gold_corpus(tmp_path)
    for name, category in (("a.json", "positive"), ("b.json", "negative")):
        path = tmp_path / "corpus" / "docs" / name
        path.write_text(json.dumps({**json.loads(path.read_text()), "category": category}))
    lines = gold.read_text().splitlines()
    first = json.loads(lines[0])
    first["markers"][1]["evidence"] = "CRP was high"
    gold.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")

    result = CliRunner().invoke(app, ["evaluate", "--gold", str(gold), "--errors", "--by-category"])

    assert result.exit_code == 0, result.output
    assert "  a\n    missed crp increased: \"CRP was high\"" in result.output
    assert "(marker, dir., day)" in result.output and "onset day (stated)" in result.output
    assert "category positive:" in result.output and "category negative:" in result.output
    assert "other disagreements:" in result.output and "b: engager missed: epcoritamab" in result.output


def test_gold_marker_names_are_matched_after_the_lexicon_synonyms():
    from extractor.evaluate import canonical_marker

    assert canonical_marker("pet suv") == canonical_marker("suv (pet)") == "suv (pet)"
    assert canonical_marker("interleukin-6") == "il-6"
    assert canonical_marker("car-t cells (peripheral blood)") == "car-t cells"  # an unknown qualifier is dropped
    assert canonical_marker("an unknown finding") == "an unknown finding"


def test_unreadable_gold_is_bad_input(tmp_path):
    from extractor.errors import BadInput

    bad = tmp_path / "gold.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(BadInput, match="gold.jsonl:1"):
        load_gold(bad)
    with pytest.raises(BadInput, match="cannot read"):
        load_gold(tmp_path / "absent.jsonl")


# A ratchet: the figures `flarekb evaluate --gold ../shared/corpus/gold.jsonl` prints on the 41-document corpus
# (first at the extraction issue's start: engagers 1.000, (marker, direction) F1 0.571, flare 37/41, onset 16/18,
# disease 34/41, other drugs 0.789; raised when it closed). The issue's targets are 0.95 / 0.85 / 0.95 / 0.85.
# Raise a bar when extraction improves; never lower one.
RATCHET = {
    "engagers F1": 1.0,
    "flare accuracy": 41 / 41,
    "(marker, direction) F1": 0.885,
    "(marker, direction, day) F1": 0.864,
    "onset day accuracy": 18 / 18,
    "onset day accuracy where the gold states a day": 6 / 6,
    "disease accuracy": 38 / 41,
    "other drugs F1": 0.893,
}


def test_development_corpus_meets_the_issue_targets(shared_dir):
    gold = shared_dir / "corpus" / "gold.jsonl"
    report = evaluate(load_gold(gold), evaluation_documents(gold, []))

    assert report.unmatched_gold == []  # the seeds are found beside the corpus
    reached = {
        "engagers F1": report.engagers.f1,
        "flare accuracy": report.flare.value,
        "(marker, direction) F1": report.markers.f1,
        "(marker, direction, day) F1": report.marker_days.f1,
        "onset day accuracy": report.onset_day.value,
        "onset day accuracy where the gold states a day": report.onset_day_stated.value,
        "disease accuracy": report.disease.value,
        "other drugs F1": report.other_drugs.f1,
    }
    below = {name: (round(reached[name], 3), bar) for name, bar in RATCHET.items() if reached[name] < bar - 5e-4}
    assert not below, (below, report.disagreements)
