"""Lexicon mentions in a text: compiled regular expressions over the folded text.

Each lexicon surface form becomes a pattern in which case, dash variants, hyphen/space/no-space joins,
American/British spelling and a plural -s do not matter, and '...' allows up to three intervening words.
All entity surface forms (drugs, markers, flare events, manifestations, diseases) are searched together, in
one pass with one expression shaped like a prefix tree (_compile); the longest form wins where two start at
the same place, the earlier one where they overlap. Cue words are searched separately, because they may sit
inside an entity ("increase in tumour size").
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from extractor.lexicons import Term, spelling_pairs, terms
from extractor.lexicons.folding import fold

ENTITY_KINDS = ("drug", "marker", "event", "manifestation", "disease")

_WORD_SEPARATOR = r"[\s\-]{0,2}"
_GAP = r"[\s\-]+(?:[^\s.;]+[\s\-]+){0,3}?"
_BEFORE = r"(?<![a-z0-9])"
_LETTERS_AND_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_AFTER = r"(?![a-z0-9])"
_START, _END = attrgetter("start"), attrgetter("end")


class Mention(NamedTuple):
    kind: str  # drug | marker | event | manifestation | disease | cue
    name: str  # canonical name (cues: the cue word)
    detail: str  # see lexicons.Term.detail
    start: int  # offsets in Document.text
    end: int


def _word_atoms(word: str) -> list[str]:
    """A word as regex atoms: one per literal character, one for a spelling variant ("tumo" (?:r|ur)), one for
    an optional plural ending."""
    atoms = [re.escape(ch) for ch in word]
    for american, british in spelling_pairs():
        spelling = american if american in word else british if british in word else None
        if spelling is None:
            continue
        # "tumour" -> tumo(?:r|ur): the shared start stays literal, so a form keeps its literal first letter.
        shared = os.path.commonprefix([american, british])
        at = word.index(spelling) + len(shared)
        variants = f"(?:{re.escape(american[len(shared):])}|{re.escape(british[len(shared):])})"
        atoms = [*atoms[:at], variants, *atoms[at + len(spelling) - len(shared) :]]
        break
    if len(word) >= 3 and word[-1].isalpha():
        # "es", then "s", then nothing: what (?:e?s)? tries, as one alternation the regex engine walks faster
        # than a repeated group (6% of a lexicon scan)
        atoms.append("(?:es|s|)")
    return atoms


def surface_atoms(surface: str) -> list[str]:
    """The regular expression (over folded text) a lexicon surface form stands for, as a list of atoms."""
    atoms: list[str] = []
    for part_index, part in enumerate(p.strip() for p in fold(surface).split("...")):
        if part_index:
            atoms.append(_GAP)
        for word_index, word in enumerate(w for w in re.split(r"[\s\-]+", part) if w):
            if word_index:
                atoms.append(_WORD_SEPARATOR)
            atoms.extend(_word_atoms(word))
    return atoms


@dataclass
class _Node:
    """A node of the prefix tree of atoms: where forms that start alike part ways."""

    children: dict[str, _Node] = field(default_factory=dict)
    term: int | None = None  # index of the form that ends here
    longest: int = 0  # length of the longest form beneath: longer forms are tried first


def _tree_pattern(node: _Node, named: bool) -> str:
    branches = [
        atom + _tree_pattern(child, named)
        for atom, child in sorted(node.children.items(), key=lambda item: -item[1].longest)
    ]
    if node.term is not None:  # the form ends here, unless a longer one matches: tried last
        branches.append(f"{_AFTER}(?P<t{node.term}>)" if named else _AFTER)
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


_MOST_NAMED = 4096  # matched texts whose form is remembered: a form with a '...' gap can match ever new texts


@dataclass(frozen=True)
class _Matcher:
    at_word: re.Pattern[str]  # the tree where no letter or digit comes before; an empty group names each form
    after_break: re.Pattern[str]  # a character that is not a letter or digit, then the tree in one group
    terms: tuple[Term | None, ...]  # number of the (empty) group that matched -> the form
    named: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # the text after_break matched
    # (without the break) -> the form's (kind, name, detail), the start of its Mention; filled by name()

    def name(self, matched: str) -> tuple[str, str, str]:
        term = self.terms[self.at_word.fullmatch(matched).lastindex]
        head = term.kind, term.name, term.detail
        if len(self.named) < _MOST_NAMED:
            self.named[matched] = head
        return head


def _compile(all_terms: Iterable[Term]) -> _Matcher:
    """All forms as one expression shaped like a prefix tree: forms that start alike share their start
    ("tumour" is read once for tumour flare, tumour swelling, tumour-infiltrating lymphocytes...), so the
    work at each word is the length of what matches there, not the number of forms. Where several forms
    match at one place the longest form wins; an empty group at the end of each form names it.

    A text is searched with the tree behind a non-letter (after_break): an expression that starts with a
    character class lets the regex engine skip through words to the next candidate character. That search
    has one group, the form: re.split hands back the text between forms and the forms, all made in C (a
    match object per form, or one group per form, would cost more than the search itself). The form is
    named afterwards from the matched text alone (_Matcher.name): the named tree matched against just that
    text tries the forms in the same order, and the first that fits is the one that matched in the text, as
    the next character (past the end) is no letter or digit in both. A text names few distinct forms, so
    the names are cached."""
    unique = {(t.surface, t.name, t.kind): t for t in all_terms}
    ordered = tuple(sorted(unique.values(), key=lambda t: len(t.surface), reverse=True))
    root = _Node()
    for index, term in enumerate(ordered):
        node = root
        node.longest = max(node.longest, len(term.surface))
        for atom in surface_atoms(term.surface):
            node = node.children.setdefault(atom, _Node())
            node.longest = max(node.longest, len(term.surface))
        if node.term is None:
            node.term = index
    at_word = re.compile(_BEFORE + _tree_pattern(root, named=True))
    after_break = re.compile(f"[^a-z0-9]({_tree_pattern(root, named=False)})")
    by_group: list[Term | None] = [None] * (at_word.groups + 1)
    for name, number in at_word.groupindex.items():
        by_group[number] = ordered[int(name[1:])]
    return _Matcher(at_word, after_break, tuple(by_group))


@cache
def _entity_matcher() -> _Matcher:
    return _compile(term for kind in ENTITY_KINDS for term in terms(kind))


@cache
def _cue_matcher() -> _Matcher:
    return _compile(terms("cue"))


def compile_matchers() -> None:
    """Compile the matchers now rather than at the first text."""
    _entity_matcher()
    _cue_matcher()


# Mention(...) runs NamedTuple's __new__, a Python function: tuple.__new__ builds the same tuple in C (the lexicon
# search makes some 35 Mentions a document)
_new_mention = tuple.__new__


def _find(matcher: _Matcher, folded: str, start: int, end: int) -> list[Mention]:
    """Forms matched in folded[start:end], in text order, not overlapping (the first match wins)."""
    found: list[Mention] = []
    first = matcher.at_word.match(folded, start, end)  # a form right at the start: no break before it
    if first is not None:
        term = matcher.terms[first.lastindex]
        found.append(Mention(term.kind, term.name, term.detail, first.start(), first.end()))
        start = first.end() - (folded[first.end() - 1] not in _LETTERS_AND_DIGITS)
    named, append, mention = matcher.named.get, found.append, _new_mention
    while True:
        # [text, form, text, form, ..., text]: each text without the one-character break before its form
        pieces = matcher.after_break.split(folded[start:end])
        at = start
        for between, form in zip(pieces[::2], pieces[1::2]):
            at += len(between) + 1
            stop = at + len(form)
            kind, name, detail = named(form) or matcher.name(form)
            append(mention(Mention, (kind, name, detail, at, stop)))
            if form[-1] not in _LETTERS_AND_DIGITS:
                # a form that ends in a non-letter ("cd8+") is itself the break before the next one, which
                # the split (going on after the form) would miss: search again from that last character
                start = stop - 1
                break
            at = stop
        else:
            return found


def forms_pattern(forms: Iterable[Term]) -> re.Pattern[str]:
    """One expression that finds any of `forms` in folded text where the entity matcher would, built the same
    way: it matches after a character that is no letter or digit (search " " + folded for a form at the
    very start). For a prefilter that must find every mention the matcher finds."""
    return _compile(forms).after_break


def find_entities(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Entity mentions in folded[start:end], in text order, not overlapping."""
    return _find(_entity_matcher(), folded, start, len(folded) if end is None else end)


def find_cues(folded: str, start: int = 0, end: int | None = None) -> list[Mention]:
    return _find(_cue_matcher(), folded, start, len(folded) if end is None else end)


def lookup_entity(phrase: str) -> Term | None:
    """The lexicon entry a whole phrase names ("pro-gastrin-releasing peptide" -> pro-grp), else None."""
    folded = fold(phrase.strip())
    matcher = _entity_matcher()
    match = matcher.at_word.fullmatch(folded)
    return matcher.terms[match.lastindex] if match else None


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
        following = text[mention.end : mention.end + 2]
        if "(" not in following and not following.isspace():  # no bracket can follow (most mentions)
            continue
        match = _BRACKETED_SHORT_FORM.match(text, mention.end)
        if match and any(ch.isupper() for ch in match.group(1)):
            defined.setdefault(match.group(1), Term(match.group(1), mention.name, mention.kind, mention.detail))
    return defined


def short_form_mentions(marks_folded: str, short_forms: dict[str, Term], start: int, end: int) -> list[Mention]:
    """Case-sensitive occurrences of defined short forms in marks_folded[start:end]."""
    found = []
    for short, term in short_forms.items():
        at = marks_folded.find(short, start, end)
        while at >= 0:
            after = at + len(short)
            if not _letter_or_digit(marks_folded, at - 1, start, end) and not _letter_or_digit(marks_folded, after, start, end):
                found.append(Mention(term.kind, term.name, term.detail, at, after))
            at = marks_folded.find(short, at + 1, end)
    return merge_mentions(found)


def _letter_or_digit(text: str, at: int, start: int, end: int) -> bool:
    return start <= at < end and text[at].isascii() and text[at].isalnum()


def merge_mentions(*groups: list[Mention]) -> list[Mention]:
    """All mentions in text order; where two overlap, the earlier (then longer) one is kept."""
    # by start, then the longer first: two sorts on C key functions (sorting is stable), no Python key per mention
    ordered = sorted(chain.from_iterable(groups), key=_END, reverse=True)
    ordered.sort(key=_START)
    kept: list[Mention] = []
    for mention in ordered:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept
