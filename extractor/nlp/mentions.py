"""Lexicon mentions in a text: compiled regular expressions over the folded text.

Each lexicon surface form becomes a pattern in which case, dash variants, hyphen/space/no-space joins,
American/British spelling and a plural -s do not matter, and '...' allows up to three intervening words.
All entity surface forms (drugs, markers, flare events, manifestations, diseases) are searched together and
the longest form wins where two start at the same place (the earlier one where they overlap); cue words are
searched separately because they may sit inside an entity ("increase in tumour size").
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extractor.nlp.lexicons import Term, spelling_pairs, terms
from extractor.nlp.text import fold

ENTITY_KINDS = ("drug", "marker", "event", "manifestation", "disease")

_WORD_SEPARATOR = r"[\s\-]{0,2}"
_GAP = r"[\s\-]+(?:[^\s.;]+[\s\-]+){0,3}?"
_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])"


@dataclass(frozen=True)
class Mention:
    kind: str  # drug | marker | event | manifestation | disease | cue
    name: str  # canonical name (cues: the cue word)
    detail: str  # see lexicons.Term.detail
    start: int  # offsets in Document.text
    end: int


def _word_pattern(word: str) -> str:
    pattern = re.escape(word)
    for american, british in spelling_pairs():
        spelling = american if american in word else british if british in word else None
        if spelling is None:
            continue
        # "tumour" -> tumo(?:r|ur): the shared start stays literal, so a form keeps its literal first letter.
        shared = os.path.commonprefix([american, british])
        at = word.index(spelling) + len(shared)
        variants = f"(?:{re.escape(american[len(shared):])}|{re.escape(british[len(shared):])})"
        pattern = re.escape(word[:at]) + variants + re.escape(word[at + len(spelling) - len(shared):])
        break
    if len(word) >= 3 and word[-1].isalpha():
        pattern += "(?:e?s)?"
    return pattern


def surface_pattern(surface: str) -> str:
    """The regular expression (over folded text) that a lexicon surface form stands for."""
    parts = [part.strip() for part in fold(surface).split("...")]
    return _GAP.join(
        _WORD_SEPARATOR.join(_word_pattern(word) for word in re.split(r"[\s\-]+", part) if word) for part in parts
    )


@dataclass(frozen=True)
class _Matcher:
    regexes: tuple[re.Pattern[str], ...]  # one per literal head of the surface forms
    terms: tuple[Term, ...]  # group "t<i>" matched -> terms[i]


def _compile(all_terms: Iterable[Term]) -> _Matcher:
    """One expression per literal two-character head. An expression that starts with literal characters lets
    the regex engine jump straight to where it can match, where one alternation of ~500 forms would try every
    form at every word (thirty times slower). Forms whose first letter a spelling variant changes
    ("oedema") share one expression without a head."""
    unique = {(t.surface, t.name, t.kind): t for t in all_terms}
    ordered = sorted(unique.values(), key=lambda t: len(t.surface), reverse=True)
    by_head: dict[str, list[str]] = {}
    for index, term in enumerate(ordered):
        pattern = surface_pattern(term.surface)
        head = re.match(r"[a-z0-9]{0,2}", pattern).group()
        by_head.setdefault(head, []).append(f"(?P<t{index}>{pattern[len(head):]})")
    regexes = []
    for head, groups in by_head.items():
        # the literal head first (found fast), then a check that no letter or digit precedes it
        start = f"{head}(?<![a-z0-9]{head})" if head else _BEFORE
        regexes.append(re.compile(f"{start}(?:{'|'.join(groups)}){_AFTER}"))
    return _Matcher(tuple(regexes), tuple(ordered))


@cache
def _entity_matcher() -> _Matcher:
    return _compile(term for kind in ENTITY_KINDS for term in terms(kind))


@cache
def _cue_matcher() -> _Matcher:
    return _compile(terms("cue"))


def _find(matcher: _Matcher, folded: str, start: int, end: int) -> list[Mention]:
    found = []
    for regex in matcher.regexes:
        for match in regex.finditer(folded, start, end):
            term = matcher.terms[int(match.lastgroup[1:])]
            found.append(Mention(term.kind, term.name, term.detail, match.start(), match.end()))
    return merge_mentions(found)


def find_entities(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Entity mentions in folded[start:end], in text order, not overlapping."""
    return _find(_entity_matcher(), folded, start, len(folded) if end is None else end)


def find_cues(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    return _find(_cue_matcher(), folded, start, len(folded) if end is None else end)


def lookup_entity(phrase: str) -> Term | None:
    """The lexicon entry a whole phrase names ("pro-gastrin-releasing peptide" -> pro-grp), else None."""
    folded = fold(phrase.strip())
    matcher = _entity_matcher()
    match = next((m for m in (regex.fullmatch(folded) for regex in matcher.regexes) if m), None)
    return matcher.terms[int(match.lastgroup[1:])] if match else None


# "tumour flare reaction (TFR)", "pseudoprogression (PsPD)": a short form in brackets right after a mention.
_BRACKETED_SHORT_FORM = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9+\-]{0,9})\s*[),;]")


def defined_short_forms(text: str, mentions: list[Mention], detected: Iterable[tuple[str, str]]) -> dict[str, Term]:
    """Short forms the document defines for lexicon entries: from the abbreviation detector's
    (short, long) pairs whose long form is a lexicon entry, and from a bracketed short form that
    directly follows a mention. The first definition of a short form wins."""
    defined: dict[str, Term] = {}
    for short, long in detected:
        term = lookup_entity(long)
        if term is not None:
            defined.setdefault(short, term)
    for mention in mentions:
        match = _BRACKETED_SHORT_FORM.match(text, mention.end)
        if match and any(ch.isupper() for ch in match.group(1)):
            defined.setdefault(match.group(1), Term(match.group(1), mention.name, mention.kind, mention.detail))
    return defined


def short_form_mentions(marks_folded: str, short_forms: dict[str, Term], start: int, end: int) -> list[Mention]:
    """Case-sensitive occurrences of defined short forms in marks_folded[start:end]."""
    if not short_forms:
        return []
    by_surface = {fold_short: term for fold_short, term in short_forms.items()}
    alternatives = "|".join(re.escape(s) for s in sorted(by_surface, key=len, reverse=True))
    regex = re.compile(f"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")
    found = []
    for match in regex.finditer(marks_folded, start, end):
        term = by_surface[match.group()]
        found.append(Mention(term.kind, term.name, term.detail, match.start(), match.end()))
    return found


def merge_mentions(*groups: list[Mention]) -> list[Mention]:
    """All mentions in text order; where two overlap, the earlier (then longer) one is kept."""
    ordered = sorted((m for group in groups for m in group), key=lambda m: (m.start, m.start - m.end))
    kept: list[Mention] = []
    for mention in ordered:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept
