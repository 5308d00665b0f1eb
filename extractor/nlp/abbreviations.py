"""The spaCy side: scispaCy's biomedical tokenizer on a blank English pipeline (built once), used for one
thing only: the abbreviations a document defines, found with scispaCy's AbbreviationDetector algorithm
(Schwartz & Hearst: `filter_matches` + `find_abbreviation`). No trained model is needed (none can be
installed here). Sentences, clauses, lexicon mentions and times are regular expressions over the text
(text.py, mentions.py, timing.py): none of flarekb's rules reads a token.

So the tokenizer runs only where a definition can matter: around a bracket that closes a lexicon mention,
either "<long form> (<short form>)" (the mention ends right before the bracket) or "<short form> (<long
form>)" (the mention ends right before the closing bracket); a definition whose long form is not a lexicon
entry is never used (mentions.defined_short_forms). Around each such bracket it tokenizes a window of whole
whitespace-separated chunks: spaCy tokenizes each chunk on its own, so the window's tokens are exactly
the ones the whole document would have, and each chunk is at least one token, so a window of n chunks
before the bracket reaches at least as far back as the detector looks (min(L + 5, 2L) tokens for a short
form of L characters; at most 32, as a short form has at most three tokens of under ten characters).
The plain form, tokenizing every document and running scispaCy's detector over it, would add the whole
tokenizer to every document: that is the benchmark's floor, a third of the extraction's time (2.85x the floor,
BENCHMARKS.md, December 2026), and would put extraction over its 3.0x target.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

_BRACKETED = re.compile(r"\(([^()]{1,80})\)")
_CHUNK = re.compile(r"\S+")
_MOST_WORDS_BEFORE = 32  # the furthest the detector looks back from a bracket that can hold a short form
_CHUNK_LENGTH = 16  # characters per chunk searched back for them first, before the search goes to the start


@cache
def tokenizer() -> Tokenizer:
    # spaCy is imported here, not at the top: it takes most of a second, and the commands that only query the
    # knowledge base never tokenise.
    import spacy
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own tokenizer regexes ("Possible set union")
        return combined_rule_tokenizer(nlp)


def abbreviation_pairs(
    text: str, mentions: Iterable[tuple[int, int]], used_again: Callable[[str], bool] | None = None
) -> list[tuple[str, str]]:
    """(short form, long form) definitions whose long form ends where a lexicon mention ends (`mentions`: the
    (start, end) of each in `text`), each once, in text order. (Only a long form that is a lexicon entry is
    used: mentions.defined_short_forms.)

    `used_again(short)`: whether the text has the short form anywhere but in its definition. Brackets that
    plainly hold a short form used nowhere else ("multiple myeloma (MM)." and no MM after) are then not read:
    such a definition would name nothing. (Abstracts define many short forms they never use again.)"""
    spans = set(mentions)
    ends = {end for _, end in spans}
    pairs = []
    for match in _BRACKETED.finditer(text):
        if _worth_reading(text, match, spans, ends, used_again):
            pairs.extend((short, long) for short, long, long_end in _definitions(text, match) if long_end in ends)
    return list(dict.fromkeys(pairs))


def _worth_reading(
    text: str, bracket: re.Match[str], mentions: set[tuple[int, int]], ends: set[int],
    used_again: Callable[[str], bool] | None,
) -> bool:
    """Whether the detector can find a definition here that the rules would use, decided without tokens.

    The detector reads "<long form> (<short form>)" when the brackets hold at most three tokens, and "<short
    form> (<long form>)" when they hold four to eight; either way the long form must be a lexicon mention.
    A short form must pass scispaCy's short_form_filter (first character a letter, at least half letters,
    words of two to nine characters). Token counts are bounded from the text: each whitespace-separated
    word is at least one token, and at most one plus two per character that is not a letter or digit. A
    bracket that holds one whole mention of at most three tokens ("(TFR)", "(IL-6)") defines nothing new:
    the lexicon finds every later use of it already (short forms are looked up case-sensitively, the
    lexicon is not, and where both match the lexicon mention is kept). Brackets glued to a word ("IL(6)")
    may be tokenized across the bracket: always read."""
    long_form_before = _end_before(text, bracket.start()) in ends
    long_form_inside = _end_before(text, bracket.end(1)) in ends
    if not (long_form_before or long_form_inside):
        return False
    if bracket.group(1).isspace():  # "( )" defines nothing (and scispaCy's short_form_filter divides by zero on it)
        return False
    start, end = bracket.start(), bracket.end()
    if (start > 0 and not text[start - 1].isspace()) or (end < len(text) and text[end].isalnum()):
        return True
    held = bracket.group(1).strip()
    words = held.split()
    # one per word, and two more per character in a word that is not a letter or digit (counted in C: map)
    most_tokens = len(words) + 2 * (len(held) - sum(map(str.isspace, held)) - sum(map(str.isalnum, held)))
    if long_form_inside and most_tokens > 3 and len(words) <= 8:
        # may be "<short form> (<long form>)"; when it surely is, Schwartz-Hearst first looks for the short
        # form's last letter or digit in the long form: without it, no definition
        return not _holds_long_form(text, bracket) or _last_alnum_before(text, start).lower() in held.lower()
    if not (long_form_before and words and len(words) <= 3):
        return False
    held_start = bracket.start(1) + bracket.group(1).index(held[0])
    if most_tokens <= 3 and (held_start, held_start + len(held)) in mentions:
        return False
    if used_again is not None and _stands_apart(text, end) and not used_again(held):
        # Spaced brackets hold exactly the short form's tokens: its only use would be here, in brackets right
        # after its long form, which names the same thing twice and is no mention (sentences._entities).
        return False
    return held[0].isalpha() and 2 * sum(map(str.isalpha, held)) >= len(held)


def _holds_long_form(text: str, bracket: re.Match[str]) -> bool:
    """Spaced brackets of four words or more hold more than three tokens: the detector reads them as the long
    form, and only the token right before them as the short form."""
    start = bracket.start()
    return start > 0 and text[start - 1].isspace() and len(bracket.group(1).split()) > 3


def _last_alnum_before(text: str, start: int) -> str:
    """The last letter or digit of the whitespace-separated chunk before text[start]: the last one of the token
    before a spaced bracket too, whenever that token can be a short form (its first character a letter).
    "" where the chunk has none (found in every text: the bracket is read)."""
    at = _end_before(text, start) - 1
    while at >= 0 and not text[at].isspace():
        if text[at].isalnum():
            return text[at]
        at -= 1
    return ""


def _stands_apart(text: str, end: int) -> bool:
    """The closing bracket ending at `end` is followed by a space, the end, or one stop then either."""
    if end < len(text) and text[end] in ",.;:":
        end += 1
    return end == len(text) or text[end].isspace()


def _end_before(text: str, position: int) -> int:
    """Where the text before `position` ends, whitespace skipped."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


def _definitions(text: str, bracket: re.Match[str]) -> list[tuple[str, str, int]]:
    """(short form, long form, where the long form ends) found by scispaCy's functions at this bracket."""
    from scispacy.abbreviation import (  # after tokenizer(): spaCy is loaded
        filter_matches,
        find_abbreviation,
    )

    window_start, window_end = _window(text, bracket)
    doc = tokenizer()(text[window_start:window_end])
    inside = doc.char_span(bracket.start(1) - window_start, bracket.end(1) - window_start, alignment_mode="expand")
    if inside is None or inside.start == 0:
        return []
    pairs = []
    for long_candidate, short_candidate in filter_matches([(-1, inside.start, inside.end)], doc):
        short, long = find_abbreviation(long_candidate, short_candidate)
        if long is not None:
            pairs.append((short.text, long.text, window_start + long.end_char))
    return pairs


def _window(text: str, bracket: re.Match[str]) -> tuple[int, int]:
    """Whole chunks around the bracket: as many before it as the detector may look back (or back to the start
    of the text), and on to the end of the chunk it ends in."""
    start, end = bracket.start(), bracket.end()
    following = _CHUNK.match(text, end)
    window_end = following.end() if following else end
    if _holds_long_form(text, bracket):  # the token right before the brackets is all the detector reads
        chunks_before = 2
    else:
        # the short form is at most the chunks the brackets are in ("x(y)z" may be one token)
        opening_chunk = max(text.rfind(space, 0, start) for space in " \n\t") + 1  # other spaces: a longer window
        short = window_end - opening_chunk
        chunks_before = max(2, min(2 * short, short + 5, _MOST_WORDS_BEFORE)) + 1
    look_from = max(0, start - _CHUNK_LENGTH * chunks_before)
    while True:
        chunk_starts = [chunk.start() for chunk in _CHUNK.finditer(text, look_from, start)]
        # the first chunk found may be cut by look_from: it never counts
        if look_from == 0 or len(chunk_starts) > chunks_before + 1:
            break
        look_from = 0
    if look_from == 0 and len(chunk_starts) <= chunks_before:
        return 0, window_end
    return chunk_starts[-chunks_before - 1], window_end
