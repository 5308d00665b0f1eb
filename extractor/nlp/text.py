"""Sentences and clauses of a text, as offsets into it (the folded text, lexicons/folding.py, has the same
offsets as the original).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from extractor.lexicons.folding import fold
from extractor.nlp.substrings import Occurrences, occurrences


class Span(NamedTuple):
    start: int
    end: int


# A sentence ends at . ! ? followed by space and a capital, digit or bracket, unless the dot closes a common
# abbreviation; a line break always ends one (headings, figure labels, list items in page text).
_ABBREVIATIONS = ("vs", "e.g", "i.e", "et al", "fig", "figs", "dr", "approx", "no", "ref", "refs", "etc", "resp", "ca",
                  "mg", "cf")
_NEXT_SENTENCE = r"(?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9])"
# One lookbehind per length of abbreviation (a lookbehind has a fixed width): five instead of sixteen.
_NOT_AN_ABBREVIATION = "".join(
    rf"(?<!\b(?:{'|'.join(re.escape(word) for word in _ABBREVIATIONS if len(word) == length)})\.)"
    for length in sorted({len(word) for word in _ABBREVIATIONS})
)
# (One character class first: the regex engine skips to the next candidate character without trying the
# expression at every position. The abbreviations are lookbehinds, tried only at a dot that a capital follows:
# at the same place as the lookahead, so their order does not matter, and the lookahead turns away most dots,
# those of decimals and of abbreviations inside a sentence, at a glance.)
_SENTENCE_END = re.compile(
    r"[.!?\n](?:(?<=\n)\n*"
    rf"|(?<=[!?]){_NEXT_SENTENCE}"
    rf"|(?<=\.){_NEXT_SENTENCE}(?i:{_NOT_AN_ABBREVIATION}))"
)


# The bound on a sentence's length, which keeps extraction linear in the text. The rules compare the mentions
# of a sentence with one another (cue words against entities, marker groups against the mentions around
# them), so their work grows with the square of a sentence's length: one unpunctuated "sentence" naming
# markers took 3 s at 92 KB, 35 s at 368 KB, and was killed at 18 GB near 1 MB. A longer sentence is cut at
# whitespace into pieces of at most this many characters, so each costs at most a constant. Real sentences
# are far shorter (the longest in the shared corpus and NCBI fixtures: 795 characters).
MAX_SENTENCE_CHARS = 2000


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end], whitespace trimmed, empty ones dropped, none longer than
    MAX_SENTENCE_CHARS."""
    end = len(text) if end is None else end
    spans = _trimmed_spans(text, start, [match.end() for match in _SENTENCE_END.finditer(text, start, end)] + [end])
    if all(span.end - span.start <= MAX_SENTENCE_CHARS for span in spans):
        return spans
    return [piece for span in spans for piece in _bounded(text, span)]


def _bounded(text: str, span: Span) -> list[Span]:
    """`span` cut at whitespace into pieces of at most MAX_SENTENCE_CHARS (mid-word only where a piece has no
    whitespace at all)."""
    if span.end - span.start <= MAX_SENTENCE_CHARS:
        return [span]
    stops, at = [], span.start
    while span.end - at > MAX_SENTENCE_CHARS:
        limit = at + MAX_SENTENCE_CHARS
        cut = max(text.rfind(space, at + 1, limit + 1) for space in " \n\t")
        at = cut if cut > at else limit
        stops.append(at)
    return _trimmed_spans(text, span.start, [*stops, span.end])


# A semicolon, or a contrast that starts a statement of its own ("nodes regressed, whereas new lesions appeared").
_CLAUSE_BREAK = re.compile(r";|(?=\bwhereas\b)|(?<=,)(?=\s*while\s)")
CLAUSE_WORDS = (";", "whereas", ", while")  # a sentence with none of them is one clause


def split_clauses(text: str, sentence: Span, has_clause_words: bool | None = None) -> list[Span]:
    """Clauses of a sentence: the parts between semicolons and contrasts (each can carry its own day). `text` is
    the folded text; `has_clause_words`: whether the sentence holds any of CLAUSE_WORDS, where the caller knows."""
    if has_clause_words is None:
        has_clause_words = any(text.find(word, sentence.start, sentence.end) >= 0 for word in CLAUSE_WORDS)
    if not has_clause_words:
        return [sentence]
    stops = [match.end() for match in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end)] + [sentence.end]
    return _trimmed_spans(text, sentence.start, stops)


_new_span = tuple.__new__  # Span(...) runs NamedTuple's __new__, a Python function; this builds the same tuple in C


def _trimmed_spans(text: str, start: int, stops: list[int]) -> list[Span]:
    """The parts of the text from `start` to each stop in turn, whitespace trimmed, empty ones dropped."""
    spans: list[Span] = []
    for stop in stops:
        while start < stop and text[start].isspace():
            start += 1
        end = stop
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(_new_span(Span, (start, end)))
        start = stop
    return spans


# The reference list of a page or paper: nothing after this heading is about the patient.
_REFERENCES_HEADING = re.compile(
    r"^[ \t#*]*(?:references|bibliography|literature cited|reference list)[ \t:*]*$", re.IGNORECASE | re.MULTILINE
)


HEADING_WORDS = ("references", "bibliography", "literature cited", "reference list")


def body_end(text: str, folded: str | None = None, found: Occurrences | None = None) -> int:
    """Where the case text ends: the start of a reference-list heading, else the end of the text.
    `folded`: fold(text), `found`: the HEADING_WORDS' occurrences in it, when the caller has them. (Each
    heading word is checked on its own line: the word is common in keyword lists, a heading is not.)"""
    lowered = fold(text) if folded is None else folded
    found = occurrences(lowered, HEADING_WORDS) if found is None else found
    end = len(text)
    for word in HEADING_WORDS:
        for at in found.get(word, ()):
            if at + len(word) > end:
                break
            heading = _REFERENCES_HEADING.match(text, lowered.rfind("\n", 0, at) + 1)
            if heading:
                end = heading.start()
                break
    return end
