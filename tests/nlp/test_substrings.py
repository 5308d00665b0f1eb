"""substrings.occurrences: what one substring search per word, from each occurrence on, would find."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.lexicons.folding import fold
from extractor.nlp import cohort, morphology, text, timing, unnamed
from extractor.nlp.findings import _WORDS
from extractor.nlp.sentences import read_sentences
from extractor.nlp.substrings import occurrences
from extractor.nlp.text import split_clauses

from .conftest import make_document


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
    assert found == {word: starts for word in _WORDS if (starts := _by_find(folded, word))}  # the others: no key


def test_words_may_overlap_each_other_and_themselves():
    assert occurrences("cd3 cd33 aaa", ("cd3", "d3", "aa", "x")) == {
        "cd3": [0, 4], "d3": [1, 5], "aa": [9, 10]}


def test_a_word_listed_twice_is_reported_once():
    assert occurrences("pts pts", ("pts", "pts")) == {"pts": [0, 4]}


def test_offsets_are_characters_of_the_text_not_bytes():
    folded = "β-ω ferritin: hyperferritinemia"
    assert occurrences(folded, ("emia",))["emia"] == [folded.index("emia")]


def test_the_document_pass_covers_every_rule_that_starts_from_a_plain_string():
    for words in (text.HEADING_WORDS, text.CLAUSE_WORDS, timing.UNIT_BEGINNINGS, morphology.SUFFIXES, cohort.NOUNS,
                  unnamed.ANCHORS, unnamed.REQUIRED):
        assert set(words) <= set(_WORDS)


_SENTENCE_PIECES = st.sampled_from(
    ["CRP rose", "; ", "whereas", " ferritin fell", ", while", " while", ". ", "Day 3", ";", ",", " ", "\n\n", "whereas."]
)


@settings(deadline=None)  # the first example compiles the lexicon matchers
@given(st.lists(_SENTENCE_PIECES, min_size=1, max_size=30).map("".join))
def test_a_sentence_is_cut_into_the_clauses_a_search_of_its_own_text_finds(text):
    # read_sentences tells each sentence whether it holds a clause word from the document's one pass
    folded = fold(text)
    for sentence in read_sentences(make_document(text), folded):
        assert [clause.span for clause in sentence.clauses] == split_clauses(folded, sentence.span)


def test_a_word_with_a_question_mark_is_refused():
    # characters beyond latin-1 are searched as '?': such a word would match them
    with pytest.raises(ValueError, match="'\\?'"):
        occurrences("ω", ("?",))


_TIME_PIECES = st.sampled_from(
    ["day", "days", "Day 7", "D8", "d+23", "C1D8", "c12 d3", "6h", "6 h", "24 hours", "hrs", "week 6", "months",
     "year", "cycle 2", "baseline", "cd19", "dd", "3", " ", "-", "+", ".", "\n", "ω", "within", "on ", "by "]
)


@given(st.lists(_TIME_PIECES, max_size=30).map("".join), st.integers(0, 60), st.integers(0, 60))
def test_unit_words_are_found_where_the_pattern_alone_finds_them(text, start, length):
    # timing tries its unit-word pattern only where the document's one pass found a unit word's beginning
    folded = fold(text)
    start = min(start, len(folded))
    end = min(len(folded), start + length)
    units = timing.unit_beginnings(occurrences(folded, timing.UNIT_BEGINNINGS))
    expected = [match.span() for match in timing._UNIT_WORD.finditer(folded, start, end)]
    assert [match.span() for match in timing._unit_words(folded, start, end, units)] == expected


@given(st.lists(_PIECES, max_size=30).map("".join), st.integers(0, 120), st.integers(0, 120))
def test_part_of_a_text_is_searched_as_str_find_searches_it(folded, start, length):
    end = min(len(folded), start + length)
    found = occurrences(folded, _WORDS, start, end)
    expected = {}
    for word in dict.fromkeys(_WORDS):  # (a word two rules start from is searched once)
        at = folded.find(word, start, end)
        while at >= 0:
            expected.setdefault(word, []).append(at)
            at = folded.find(word, at + 1, end)
    assert found == expected
