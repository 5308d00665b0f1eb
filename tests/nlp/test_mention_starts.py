"""The lexicon searches try their prefix trees only where the Aho-Corasick automaton of the forms' beginnings
says a form can begin (mentions.lexicon_beginnings). They must find exactly what a plain search of the text with
each tree finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.lexicons import terms
from extractor.lexicons.folding import fold
from extractor.nlp.mentions import (
    ENTITY_KINDS,
    Mention,
    _beginnings,
    _cue_matcher,
    _entity_matcher,
    find_cues,
    find_entities,
    surface_atoms,
)

_LETTERS_AND_DIGITS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _searched(matcher, folded: str, start: int, end: int) -> list[Mention]:
    """The plain search: the tree after a break, again and again, from the end of each form found."""
    padded = (folded[start - 1] if start else " ") + folded[start:end]  # the break before a form at `start`
    found, at = [], 0
    while (match := matcher.after_break.search(padded, at)) is not None:
        form = match.group(1)
        term = matcher.terms[matcher.at_word.fullmatch(form).lastindex]
        begin, stop = start + match.start(1) - 1, start + match.end() - 1
        found.append(Mention(term.kind, term.name, term.detail, begin, stop))
        at = match.end() - (form[-1] not in _LETTERS_AND_DIGITS)  # such a form is the break before the next
    return found


_FORMS = sorted({t.surface for kind in (*ENTITY_KINDS, "cue") for t in terms(kind)})
# Lexicon forms written as a text may write them (cases, dashes, plurals, British spelling), with words and
# characters around them that may or may not end a word
_PIECES = st.one_of(
    st.sampled_from(_FORMS),
    st.sampled_from(_FORMS).map(str.upper),
    st.sampled_from(_FORMS).map(lambda form: form.replace(" ", "-")),
    st.sampled_from(_FORMS).map(lambda form: form.replace(" ", "")),
    st.sampled_from(_FORMS).map(lambda form: form + "s"),
    st.sampled_from(_FORMS).map(lambda form: form.replace("or", "our")),
    st.sampled_from(["the", "and", "a", "x", "3", "de", " ", "  ", "-", "+", "(", ")", ",", ".", "\n", "β", "ä",
                     "\u2013", "\u00a0", "\u3000", "İ", "≥", "of the", "levels", "rose"]),
)


@settings(deadline=None, max_examples=300)  # (the first example compiles the matchers)
@given(st.lists(_PIECES, min_size=1, max_size=25).map(" ".join), st.lists(_PIECES, max_size=6).map("".join))
def test_the_search_finds_what_a_plain_search_with_the_tree_finds(spaced, glued):
    for text in (spaced, glued, spaced + glued):
        folded = fold(text)
        assert find_entities(folded) == _searched(_entity_matcher(), folded, 0, len(folded))
        assert find_cues(folded) == _searched(_cue_matcher(), folded, 0, len(folded))


@settings(deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12).map(" ".join), st.integers(0, 200), st.integers(0, 200))
def test_a_search_of_part_of_a_text_sees_the_character_before_it(text, start, length):
    folded = fold(text)
    start = min(start, len(folded))
    end = min(len(folded), start + length)
    assert find_entities(folded, start, end) == _searched(_entity_matcher(), folded, start, end)
    assert find_cues(folded, start, end) == _searched(_cue_matcher(), folded, start, end)


def test_a_beginning_is_spelled_every_way_the_form_may_be_written():
    # separators as nothing, a space or two, the spelling variants and the plural ending, cut at 8 letters
    beginnings = _beginnings(surface_atoms("tumour flare"))
    assert {"tumorfla", "tumor fla", "tumor  fla", "tumourfl", "tumour fl", "tumour  fl"} <= beginnings
    assert all(sum(c.isalnum() for c in beginning) == 8 for beginning in beginnings)  # (cut: no break after)
    # a form spelled out whole is followed by a break
    assert _beginnings(surface_atoms("il-6")) == {"il6 ", "il 6 ", "il  6 "}
    assert _beginnings(surface_atoms("cd8+")) == {"cd8+ "}
    assert _beginnings(surface_atoms("t cell")) >= {"tcells ", "t cells ", "t  cell "}
    assert _beginnings(surface_atoms("rise ... il-6")) == {"rise", "rises", "risees"}  # stops at the gap


def test_a_form_at_the_very_start_of_the_text_or_of_the_part_searched_is_found():
    folded = fold("IL-6 rose; CD8+ T cells rose")
    assert [(m.name, m.start) for m in find_entities(folded)] == [
        ("il-6", 0), ("cd8+ t cells", 11)]
    assert [m.start for m in find_entities(folded, 11)] == [11]  # after a break
    assert find_entities(folded, 12) == []  # inside a word: no form begins there
