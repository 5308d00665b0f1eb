"""Laboratory words whose direction is in their affixes, as a general rule rather than a word list:

    hyper- STEM -(a)emia   increased    hyperferritinemia, hypernatraemia
    hypo-  STEM -(a)emia   decreased    hypofibrinogenemia, hypokalemia
    STEM -penia            decreased    lymphopenia, cytopenias
    STEM -cytosis          increased    lymphocytosis, thrombocytosis
    STEM -philia           increased    eosinophilia, basophilia

STEM is a Greek or Latin stem of lexicons/morphology.tsv ("natr" -> serum sodium), or itself a marker name of
the lexicon ("ferritin"). A word the lexicon already names keeps the lexicon's reading (find_entities runs first);
this rule names the rest, so a report's next -emia word needs no new lexicon row.
"""

from __future__ import annotations

import re

from extractor.lexicons import morphology_stems
from extractor.nlp.mentions import Mention, lookup_entity
from extractor.nlp.substrings import Occurrences, occurrences

# The suffix is found first (substrings.py); the word is then read backwards.
SUFFIXES = ("emia", "penia", "cytosis", "philia")
_WORD = re.compile(r"(?:(?P<prefix>hyper|hypo)(?P<emia_stem>[a-z]+?)a?emia|(?P<stem>[a-z]+?)(?P<suffix>penia|cytosis|philia))s?")
_DIRECTIONS = {"hyper": "increased", "hypo": "decreased", "penia": "decreased", "cytosis": "increased", "philia": "increased"}
_LONGEST_WORD = 40


def find_affixed(
    folded: str, start: int = 0, end: int | None = None, suffixes: Occurrences | None = None
) -> list[Mention]:
    """Marker mentions of affixed laboratory words in folded[start:end], in text order. `suffixes`: the
    SUFFIXES' occurrences in folded, when the caller has them (most texts have none, or a "leukemia" or two)."""
    end = len(folded) if end is None else end
    suffixes = occurrences(folded, SUFFIXES, start, end) if suffixes is None else suffixes
    found = []
    for suffix in SUFFIXES:
        for at in suffixes.get(suffix, ()):
            if at < start:
                continue
            stop = at + len(suffix)
            if stop > end:
                break
            if stop < end and folded[stop] == "s":  # a plural: "cytopenias"
                stop += 1
            if stop >= end or not ("a" <= folded[stop] <= "z"):
                mention = _word_before(folded, start, at, stop)
                if mention is not None:
                    found.append(mention)
    return sorted(found, key=lambda mention: mention.start)


def _word_before(folded: str, start: int, suffix_start: int, stop: int) -> Mention | None:
    """The affixed word that ends with the suffix at folded[suffix_start:stop], read backwards to its start."""
    word_start = suffix_start
    limit = max(start, suffix_start - _LONGEST_WORD)
    while word_start > limit and folded[word_start - 1].isalpha() and folded[word_start - 1].isascii():
        word_start -= 1
    if word_start > start and folded[word_start - 1].isalnum():
        return None  # a longer word than any laboratory term, or one joined to a digit
    return _read(folded[word_start:stop], word_start)


def _read(word: str, at: int) -> Mention | None:
    match = _WORD.fullmatch(word)
    if match is None:
        return None
    if match.group("prefix"):
        stem, affix = match.group("emia_stem"), match.group("prefix")
    else:
        stem, affix = match.group("stem"), match.group("suffix")
    marker = _marker(stem)
    return Mention("marker", marker, _DIRECTIONS[affix], at, at + len(word)) if marker else None


def _marker(stem: str) -> str | None:
    named = morphology_stems().get(stem)
    if named:
        return named
    term = lookup_entity(stem)
    return term.name if term is not None and term.kind == "marker" and not term.detail else None
