"""substrings.occurrences: what one substring search per word, from each occurrence on, would find."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractor.nlp import cohort, morphology, text, unnamed
from extractor.nlp.findings import _WORDS
from extractor.nlp.substrings import occurrences


def _by_find(folded: str, word: str) -> list[int]:
    found, at = [], folded.find(word)
    while at >= 0:
        found.append(at)
        at = folded.find(word, at + 1)
    return found


# Texts made of the rules' own words, their pieces and neighbours, so that words overlap, repeat and abut
_PIECES = st.sampled_from([*_WORDS, "a", "s", "emias", "anaemia", "cd", "3", "aga", "inst", "pt", " ", "-", "ω", "\n"])


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_every_occurrence_of_every_word_is_found_as_str_find_finds_it(folded):
    found = occurrences(folded, _WORDS)
    assert found == {word: _by_find(folded, word) for word in _WORDS}


def test_words_may_overlap_each_other_and_themselves():
    assert occurrences("cd3 cd33 aaa", ("cd3", "d3", "aa", "x")) == {
        "cd3": [0, 4], "d3": [1, 5], "aa": [9, 10], "x": []}


def test_a_word_listed_twice_is_reported_once():
    assert occurrences("pts pts", ("pts", "pts")) == {"pts": [0, 4]}


def test_offsets_are_characters_of_the_text_not_bytes():
    folded = "β-ω ferritin: hyperferritinemia"
    assert occurrences(folded, ("emia",))["emia"] == [folded.index("emia")]


def test_the_document_pass_covers_every_rule_that_starts_from_a_plain_string():
    for words in (text.HEADING_WORDS, morphology.SUFFIXES, cohort.NOUNS, unnamed.ANCHORS, unnamed.REQUIRED):
        assert set(words) <= set(_WORDS)
