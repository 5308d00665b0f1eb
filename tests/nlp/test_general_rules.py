"""The general rules of the extraction issue, each on sentences written for its test (none from a corpus
document): direction from word formation and from numbers, scope (what was measured in this patient after the
therapy began), patients counted, unnamed engagers."""

from __future__ import annotations

import pytest

from extractor.nlp import extract_findings
from extractor.nlp.morphology import find_affixed
from extractor.nlp.text import fold

from .conftest import make_document


def markers_of(text: str) -> set[tuple[str, str]]:
    return {(m.marker, m.direction) for m in extract_findings(make_document(text)).markers}


# --- direction from word formation -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "word, expected",
    [
        ("hypernatraemia", ("serum sodium", "increased")),  # Greek stem, British spelling
        ("hypokalemia", ("potassium", "decreased")),
        ("hyperferritinemia", ("ferritin", "increased")),  # the stem is itself a marker name
        ("hypofibrinogenemias", ("fibrinogen", "decreased")),
        ("lymphopenia", ("lymphocyte count", "decreased")),
        ("pancytopenia", ("blood counts", "decreased")),
        ("monocytosis", ("monocyte count", "increased")),
        ("basophilia", ("basophil count", "increased")),
    ],
)
def test_affixes_give_analyte_and_direction(word, expected):
    found = find_affixed(fold(f"The patient had {word} on day 3."))
    assert [(m.name, m.detail) for m in found] == [expected]


@pytest.mark.parametrize("word", ["leukemia", "septicemia", "hypoxemia", "anemia", "philadelphia", "hemophilia"])
def test_words_that_only_look_affixed_name_no_marker(word):
    assert find_affixed(fold(f"The patient had {word}.")) == []


def test_affixed_words_in_a_list_are_each_a_finding():
    text = ("A 50-year-old man received blinatumomab. On day 9 he developed hypertriglyceridemia, bicytopenia "
            "and hypercalcaemia.")
    assert markers_of(text) >= {("triglycerides", "increased"), ("blood counts", "decreased"),
                                ("calcium", "increased")}


# --- direction from numbers and from "normalised" ------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("On day 4, CRP was 48 mg/L (normal < 5 mg/L).", ("crp", "increased")),
        ("On day 4, sodium was 128 mmol/L (reference range 135-145 mmol/L).", ("serum sodium", "decreased")),
        ("On day 4, ferritin was 90 ng/mL (normal range, 20-250 ng/mL).", ("ferritin", "normal")),
        ("On day 4, ALT reached 5 x ULN.", ("alt", "increased")),
        ("On day 4, AST was three-fold... ", None),  # a number in words is not read
        ("On day 4, the IL-6 level showed a 12-fold rise.", ("il-6", "increased")),
        ("On day 4, LDH was 800 U/L, 3 times the upper limit of normal.", ("ldh", "increased")),
        ("On day 4, lipase was above the upper limit of normal.", ("lipase", "increased")),
        ("By day 30, the platelet count had normalized.", ("platelet count", "decreased")),
    ],
)
def test_direction_from_numbers_and_normal_ranges(sentence, expected):
    found = markers_of(f"A 60-year-old man received glofitamab. {sentence}")
    assert found == ({expected} if expected else set())


def test_normalised_is_the_opposite_of_the_last_direction_in_the_text():
    text = ("A 60-year-old woman received teclistamab. On day 3 she had thrombocytopenia. "
            "By day 20 the platelet count had normalised, and AFP normalized too.")
    assert markers_of(text) == {("platelet count", "decreased"), ("platelet count", "increased"),
                                ("afp", "decreased")}
