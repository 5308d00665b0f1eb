"""Lexicon mentions in a text: one compiled regular expression over the folded text per search.

Each lexicon surface form becomes a pattern in which case, dash variants, hyphen/space/no-space joins,
American/British spelling and a plural -s do not matter, and '...' allows up to three intervening words.
All entity surface forms (drugs, markers, flare events, manifestations, diseases) are alternatives of one
expression, longest first, so the longest form wins where two start at the same place; cue words are a
second expression because they may sit inside an entity ("increase in tumour size").
"""

from __future__ import annotations

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
        for spelling in (american, british):
            if spelling in word:
                pattern = pattern.replace(re.escape(spelling), f"(?:{re.escape(american)}|{re.escape(british)})")
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
    regex: re.Pattern[str]
    terms: tuple[Term, ...]  # group "t<i>" matched -> terms[i]


def _compile(all_terms: Iterable[Term]) -> _Matcher:
    unique = {(t.surface, t.name, t.kind): t for t in all_terms}
    ordered = sorted(unique.values(), key=lambda t: len(t.surface), reverse=True)
    groups = [f"(?P<t{index}>{surface_pattern(t.surface)})" for index, t in enumerate(ordered)]
    prefixes = [_literal_prefix(fold(t.surface)) for t in ordered]
    body = _dispatch(list(zip(prefixes, groups)), depth=0)
    return _Matcher(re.compile(f"{_BEFORE}(?:{body}){_AFTER}"), tuple(ordered))


def _literal_prefix(surface: str) -> str:
    """The first two characters every match of `surface` starts with ('' when a spelling variant may change them)."""
    first_word = re.split(r"[\s\-.]+", surface, maxsplit=1)[0]
    if any(first_word.startswith(a[:2]) or first_word.startswith(b[:2]) for a, b in spelling_pairs() if a[0] != b[0]):
        return ""
    return first_word[:2] if len(first_word) >= 2 else first_word[:1]


def _dispatch(entries: list[tuple[str, str]], depth: int) -> str:
    """Alternatives behind one-character lookaheads, two levels deep, so the regex engine tries only the few
    alternatives that can start at a position (a plain alternation of ~500 forms is 30x slower). The groups
    keep their relative order inside each branch, so the longest form still wins among those that can match."""
    if depth == 2:
        return "|".join(group for _, group in entries)
    branches: dict[str, list[tuple[str, str]]] = {}
    for prefix, group in entries:
        key = prefix[depth] if len(prefix) > depth else ""
        branches.setdefault(key, []).append((prefix, group))
    parts = []
    for key, members in branches.items():
        inner = _dispatch(members, depth + 1) if key else "|".join(group for _, group in members)
        parts.append(f"(?={'.' * depth}{re.escape(key)})(?:{inner})" if key else inner)
    return "|".join(parts)


@cache
def _entity_matcher() -> _Matcher:
    return _compile(term for kind in ENTITY_KINDS for term in terms(kind))


@cache
def _cue_matcher() -> _Matcher:
    return _compile(terms("cue"))


def _find(matcher: _Matcher, folded: str, start: int, end: int) -> list[Mention]:
    found = []
    for match in matcher.regex.finditer(folded, start, end):
        term = matcher.terms[int(match.lastgroup[1:])]
        found.append(Mention(term.kind, term.name, term.detail, match.start(), match.end()))
    return found


def find_entities(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Entity mentions in folded[start:end], in text order, not overlapping."""
    return _find(_entity_matcher(), folded, start, len(folded) if end is None else end)


def find_cues(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    return _find(_cue_matcher(), folded, start, len(folded) if end is None else end)


def lookup_entity(phrase: str) -> Term | None:
    """The lexicon entry a whole phrase names ("pro-gastrin-releasing peptide" -> pro-grp), else None."""
    folded = fold(phrase.strip())
    match = _entity_matcher().regex.fullmatch(folded)
    return _entity_matcher().terms[int(match.lastgroup[1:])] if match else None


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
