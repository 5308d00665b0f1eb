"""PMID / PMCID / DOI validation, normalisation and discovery in text and file names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.errors import BadInput
from extractor.sources.identifiers import (
    Identifiers,
    find_doi,
    find_identifiers,
    find_pmcid,
    find_pmid,
    identifiers_from_filename,
    is_doi,
    is_pmcid,
    is_pmid,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
)


@pytest.mark.parametrize("value", ["1", "9997", "40827251", "123456789"])
def test_valid_pmids(value: str) -> None:
    assert is_pmid(value)
    assert normalise_pmid(value) == value


@pytest.mark.parametrize(
    "value", ["", "0", "0123", "1234567890", "12a", "-5", "1 2", "../../etc/passwd", "40827251\n", "٣٤"]
)
def test_invalid_pmids_are_rejected(value: str) -> None:
    assert not is_pmid(value)


@pytest.mark.parametrize("value", ["", "abc", "0", "12;rm -rf /", "../40827251", "1e5"])
def test_normalise_pmid_raises_bad_input_naming_the_value(value: str) -> None:
    with pytest.raises(BadInput, match="not a PubMed id"):
        normalise_pmid(value)


def test_normalise_pmid_accepts_a_label_and_spaces() -> None:
    assert normalise_pmid(" PMID: 40827251 ") == "40827251"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("PMC12983044", "PMC12983044"), ("pmc123", "PMC123"), ("8435807", "PMC8435807"), ("PMC3460867.1", "PMC3460867")],
)
def test_normalise_pmcid(value: str, expected: str) -> None:
    assert normalise_pmcid(value) == expected
    assert is_pmcid(expected)


@pytest.mark.parametrize("value", ["", "PMC", "PMC0", "PMCabc", "PMC12/../x", "PMID123", "PMC 12"])
def test_bad_pmcids_raise(value: str) -> None:
    with pytest.raises(BadInput, match="not a PMC id"):
        normalise_pmcid(value)


def test_is_pmcid_wants_the_canonical_form() -> None:
    assert not is_pmcid("pmc123")
    assert not is_pmcid("123")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1002/rcr2.70319", "10.1002/rcr2.70319"),
        ("doi: 10.1002/RCR2.70319.", "10.1002/rcr2.70319"),
        ("https://doi.org/10.7759/cureus.103393", "10.7759/cureus.103393"),
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
    ],
)
def test_normalise_doi(value: str, expected: str) -> None:
    assert normalise_doi(value) == expected
    assert is_doi(expected)


@pytest.mark.parametrize("value", ["", "10.12/x", "11.1002/abc", "doi:", "10.1002/"])
def test_bad_dois_raise(value: str) -> None:
    with pytest.raises(BadInput, match="not a DOI"):
        normalise_doi(value)


def test_find_doi_drops_sentence_punctuation_but_keeps_balanced_brackets() -> None:
    assert find_doi("doi: 10.1002/rcr2.70319. eCollection 2025 Aug.") == "10.1002/rcr2.70319"
    assert find_doi("(see 10.1016/S0140-6736(20)30183-5).") == "10.1016/s0140-6736(20)30183-5"
    assert find_doi("no identifier here, 10.5 mg") is None


def test_find_pmid_needs_a_label() -> None:
    assert find_pmid("PMID: 40827251; PMCID: PMC12983044") == "40827251"
    assert find_pmid("Day 40827251 of therapy") is None


def test_find_pmcid_normalises() -> None:
    assert find_pmcid("https://tomesphere.com/paper/pmc12983044/full.md") == "PMC12983044"
    assert find_pmcid("PMCID none") is None


def test_find_identifiers_takes_the_first_of_each() -> None:
    text = "PMC · DOI: 10.7759/cureus.103393 · 2026\nSource: https://x/paper/PMC12983044\nref 10.1000/other"
    assert find_identifiers(text) == Identifiers(pmid=None, pmcid="PMC12983044", doi="10.7759/cureus.103393")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pubmed_40827251_nakano_2025.txt", Identifiers(pmid="40827251")),
        ("corpora/seeds/pmc12983044_ikeuchi_2026.md", Identifiers(pmcid="PMC12983044")),
        ("PMC3460867.nxml", Identifiers(pmcid="PMC3460867")),
        ("40827251.xml", Identifiers(pmid="40827251")),
        ("pmid-9997.xml", Identifiers(pmid="9997")),
        ("report_2025.txt", Identifiers()),
        ("s2orc_PMC6398430.nxml", Identifiers(pmcid="PMC6398430")),
    ],
)
def test_identifiers_from_filename(name: str, expected: Identifiers) -> None:
    assert identifiers_from_filename(name) == expected


def test_or_else_fills_only_missing_ids() -> None:
    merged = Identifiers(doi="10.1/x").or_else(Identifiers(pmid="5", doi="10.2/y"))
    assert merged == Identifiers(pmid="5", doi="10.1/x")


@given(st.text(max_size=40))
def test_normalisers_either_return_a_valid_id_or_raise_bad_input(value: str) -> None:
    for normalise, valid in ((normalise_pmid, is_pmid), (normalise_pmcid, is_pmcid), (normalise_doi, is_doi)):
        try:
            result = normalise(value)
        except BadInput:
            continue
        assert valid(result)
        assert "/" not in result or normalise is normalise_doi  # ids that become file names never hold a path
