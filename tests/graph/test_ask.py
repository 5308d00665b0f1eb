import pytest

from extractor.errors import BadInput
from extractor.graph.ask import answer


def markers(rows):
    return {(row.marker, row.direction): row.n_cases for row in rows}


@pytest.mark.parametrize("question", [
    "which markers accompany flare with tarlatamab",
    "Which markers accompany flare with Imdelltra?",  # brand name
    "what markers go with AMG 757",  # code name in two words
])
def test_marker_questions_name_the_drug_any_way(index, question):
    result = answer(index, question)
    assert result.intent == "markers"
    assert markers(result.rows) == {("il-6", "increased"): 2, ("serum sodium", "increased"): 1,
                                    ("serum sodium", "decreased"): 1}


def test_marker_question_about_a_target_class(index):
    result = answer(index, "what markers are seen with BCMA engagers")
    assert result.title.endswith("BCMA engagers") and markers(result.rows) == {("crp", "increased"): 1}


def test_marker_question_with_no_subject_covers_every_engager(index):
    rows = answer(index, "which markers accompany pseudoprogression").rows
    assert markers(rows)[("il-6", "increased")] == 2 and ("ldh", "decreased") in markers(rows)


def test_marker_question_about_a_neighbouring_therapy(index):
    assert markers(answer(index, "markers seen with checkpoint inhibitors").rows) == {("crp", "increased"): 1}


def test_onset_question(index):
    result = answer(index, "when does flare start with tarlatamab")
    assert result.intent == "onset"
    [row] = result.rows
    assert (row.drug, row.median, row.min, row.max) == ("tarlatamab", 5.5, 4, 7)


def test_onset_question_for_a_drug_without_reports_is_empty_not_an_error(index):
    assert answer(index, "when does flare start with glofitamab").rows == []


def test_onset_question_for_a_target_class(index):
    assert [row.drug for row in answer(index, "how early does flare come with CD20 engagers").rows] == ["epcoritamab"]


def test_drugs_question(index):
    result = answer(index, "which drugs have pseudoprogression reports")
    assert result.intent == "drugs"
    assert [row.drug for row in result.rows] == ["tarlatamab", "epcoritamab", "nivolumab", "teclistamab"]
    assert "nivolumab" not in [row.drug for row in answer(index, "which engagers have flare reports").rows]


def test_case_question(index):
    result = answer(index, "show case 1002")
    assert result.intent == "case" and [timeline.pmid for timeline in result.rows] == ["1002"]


def test_a_code_name_with_digits_is_not_taken_for_a_pmid(index):
    assert answer(index, "when does flare start with JNJ-64007957").intent == "onset"


def test_unknown_drug_gets_the_closest_known_names(index):
    with pytest.raises(BadInput, match="unknown drug 'tarlatamib'.*tarlatamab"):
        answer(index, "which markers accompany flare with tarlatamib")


def test_unmappable_question_says_what_can_be_asked(index):
    with pytest.raises(BadInput, match="cannot map.*which markers accompany flare with tarlatamab"):
        answer(index, "is it going to rain tomorrow")
