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
