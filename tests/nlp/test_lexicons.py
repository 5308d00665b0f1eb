"""Lexicon accessors and matching: names, brands, codes, spelling, dashes, Greek letters, case."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.lexicons import (
    drugs_with_target,
    engager_names,
    flare_terms,
    marker_names,
    resolve_drug,
)
from extractor.lexicons.folding import _MARKS, fold, fold_marks
from extractor.nlp.mentions import find_entities


def names_in(text: str, kind: str) -> list[str]:
    return [m.name for m in find_entities(fold(text)) if m.kind == kind]


@pytest.mark.parametrize("surface", ["tarlatamab", "Imdelltra", "AMG 757", "amg-757", "AMG757", "TARLATAMAB"])
def test_brand_and_code_names_resolve_to_the_canonical_drug(surface):
    drug = resolve_drug(surface)
    assert drug is not None and drug.name == "tarlatamab" and drug.targets == ("DLL3", "CD3")


def test_unknown_drug_resolves_to_none():
    assert resolve_drug("notamab") is None


def test_target_classes_group_engagers():
    assert {"teclistamab", "elranatamab", "linvoseltamab"} <= {d.name for d in drugs_with_target("BCMA")}
    assert {"epcoritamab", "glofitamab", "mosunetuzumab", "odronextamab"} <= {d.name for d in drugs_with_target("cd20")}
    assert "pembrolizumab" not in engager_names()
    assert "tebentafusp" in engager_names() and "blinatumomab" in engager_names()


def test_flare_terms_and_marker_names_are_canonical_lowercase():
    assert "pseudoprogression" in flare_terms() and "tumor flare reaction" in flare_terms()
    assert {"il-6", "pro-grp", "lymphocyte count", "serum sodium"} <= set(marker_names())
    assert all(name == name.lower() for name in marker_names())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("TNF-α rose", "tnf-alpha"),
        ("IFN‐γ was high", "ifn-gamma"),
        ("interleukin 6 was high", "il-6"),
        ("IL6 was high", "il-6"),
        ("pro\u2010GRP fell", "pro-grp"),
        ("haemoglobin fell", "hemoglobin"),
        ("anaemia developed", "hemoglobin"),
    ],
)
def test_markers_match_across_dashes_greek_spelling_and_case(text, expected):
    assert names_in(text, "marker") == [expected]


@pytest.mark.parametrize("text", ["tumour flare reaction", "Tumor Flare Reaction", "pseudo‐progression", "PsPD"])
def test_flare_words_match_in_any_spelling(text):
    assert names_in(text, "event")


def test_longest_form_wins_and_words_are_not_matched_inside_words():
    assert names_in("non-small cell lung cancer", "disease") == ["non-small cell lung cancer"]
    assert names_in("small‐cell lung cancer", "disease") == ["small-cell lung cancer"]
    assert names_in("the IL-60 receptor", "marker") == []


def test_plural_forms_match():
    assert names_in("enlarged lymph nodes", "manifestation") == ["lymph node enlargement"]
    assert names_in("bilateral pleural effusions", "manifestation") == ["pleural effusion"]


@given(st.text(alphabet=st.sampled_from("ab -\u2010\u2013\u2212\u00a0\u2009αβγκΜ\u2019\u00b5éü中\U0001f600\n"), max_size=60))
@settings(max_examples=300, deadline=None)
def test_fold_marks_maps_each_character_as_its_table_says_and_keeps_the_length(text):
    folded = fold_marks(text)
    assert folded == text.translate(_MARKS)
    assert len(folded) == len(text)
