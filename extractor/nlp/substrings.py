"""Where a few fixed strings occur in a folded text, every one of them found in one pass.

Some rules start from a plain string and read the text only around it: a reference-list heading word
(text.body_end), a clause word (text.split_clauses), the beginning of a time unit (timing), the suffix of an
affixed laboratory word (morphology), a patient noun (cohort), an engager word (unnamed). Rather than a
substring search of the text per string (and per sentence for some), one Aho-Corasick pass (ahocorasick-rs)
finds every occurrence of all of them, overlapping ones too, in less than half the time (11 against 26 us a
benchmark abstract for the first 21 of them; in instructions executed the two are close: the searches stall
the processor more). findings.py makes the pass once per document for all of them; a rule called on its own
makes it over the part of the text it reads, for its own strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from ahocorasick_rs import BytesAhoCorasick, Implementation

# word -> the start of each of its occurrences, in text order (a word that does not occur is no key: most do not)
Occurrences = dict[str, list[int]]


def occurrences(folded: str, words: Sequence[str], start: int = 0, end: int | None = None) -> Occurrences:
    """Every occurrence of each of `words` in folded[start:end], overlapping ones included, at its offset in
    `folded`: what str.find(word, start, end) finds, from each occurrence on to the next."""
    automaton, words = _automaton(tuple(words))
    found: Occurrences = {}
    for index, at, _ in automaton.find_matches_as_indexes(one_byte_each(folded[start:end]), overlapping=True):
        word = words[index]
        if word in found:
            found[word].append(start + at)  # (reported by their end: a word's starts come in order)
        else:
            found[word] = [start + at]
    return found


def one_byte_each(text: str) -> bytes:
    """The text as one byte a character: latin-1, any other character a '?' (which no searched word holds). The
    offsets are the text's, so no conversion between UTF-8 and character offsets is needed."""
    return text.encode("latin-1", "replace")


@cache
def _automaton(words: tuple[str, ...]) -> tuple[BytesAhoCorasick, tuple[str, ...]]:
    """The automaton of the words (each once), and the words in its order."""
    words = tuple(dict.fromkeys(words))
    if any("?" in word for word in words):
        raise ValueError(f"substrings: a word with '?' would match any character that is not latin-1: {words}")
    return BytesAhoCorasick([word.encode("latin-1") for word in words], implementation=Implementation.DFA), words
