"""Lexicon mentions in a text: compiled regular expressions over the folded text.

Each lexicon surface form becomes a pattern in which case, dash variants, hyphen/space/no-space joins,
American/British spelling and a plural -s do not matter, and '...' allows up to three intervening words.
All entity surface forms (drugs, markers, flare events, manifestations, diseases) are searched together, in
one pass with one expression shaped like a prefix tree (_compile), tried only where an Aho-Corasick automaton
of the forms' beginnings says a form can begin; the longest form wins where two start at the same place, the
earlier one where they overlap. Cue words are searched separately, because they may sit inside an entity
("increase in tumour size").
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

from ahocorasick_rs import BytesAhoCorasick, Implementation

from extractor.lexicons import Term, spelling_pairs, terms
from extractor.lexicons.folding import fold
from extractor.nlp.substrings import one_byte_each

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
    beginnings: frozenset[bytes]  # the forms' beginnings after a break, as _words_only() writes them (_beginnings)
    named: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # the text after_break matched
    # (without the break) -> the form's (kind, name, detail), the start of its Mention; filled by name()

    def name(self, matched: str) -> tuple[str, str, str]:
        term = self.terms[self.at_word.fullmatch(matched).lastindex]
        head = term.kind, term.name, term.detail
        if len(self.named) < _MOST_NAMED:
            self.named[matched] = head
        return head


def _compile(all_terms: Iterable[Term], beginnings: bool = True) -> _Matcher:
    """All forms as one expression shaped like a prefix tree: forms that start alike share their start
    ("tumour" is read once for tumour flare, tumour swelling, tumour-infiltrating lymphocytes...), so the
    work at each word is the length of what matches there, not the number of forms. Where several forms
    match at one place the longest form wins; an empty group at the end of each form names it.

    A text is searched with the tree behind a non-letter (after_break), tried only where a form can begin
    (`beginnings`, below). That expression has one group, the form (a match object with one group per form
    would cost more than the search itself). The form is named afterwards from the matched text alone
    (_Matcher.name): the named tree matched against just that text tries the forms in the same order, and
    the first that fits is the one that matched in the text, as the next character (past the end) is no
    letter or digit in both. A text names few distinct forms, so the names are cached."""
    unique = {(t.surface, t.name, t.kind): t for t in all_terms}
    ordered = tuple(sorted(unique.values(), key=lambda t: len(t.surface), reverse=True))
    root = _Node()
    begun: set[bytes] = set()
    for index, term in enumerate(ordered):
        node = root
        node.longest = max(node.longest, len(term.surface))
        atoms = surface_atoms(term.surface)
        for atom in atoms:
            node = node.children.setdefault(atom, _Node())
            node.longest = max(node.longest, len(term.surface))
        if node.term is None:
            node.term = index
        if beginnings:
            begun.update(_words_only(" " + beginning) for beginning in _beginnings(atoms))
    at_word = re.compile(_BEFORE + _tree_pattern(root, named=True))
    after_break = re.compile(f"[^a-z0-9]({_tree_pattern(root, named=False)})")
    by_group: list[Term | None] = [None] * (at_word.groups + 1)
    for name, number in at_word.groupindex.items():
        by_group[number] = ordered[int(name[1:])]
    return _Matcher(at_word, after_break, tuple(by_group), frozenset(begun))


# -- where a form can begin ------------------------------------------------------------------------------------
# Searched with the tree alone, a text costs a try of the tree at every word (about 280 in an abstract), where
# few forms begin. So each matcher also holds the beginnings of all its forms: every way a form's text can
# begin, up to _BEGINNING_LENGTH letters and digits, after a break. Both matchers' beginnings make one
# Aho-Corasick automaton (ahocorasick-rs, _beginnings_automaton), run over the text with every character that is
# not a letter or digit made a space (_words_only), as the beginnings are; each tree is tried only where one of
# its beginnings was found (about 30 places in an abstract).
_BEGINNING_LENGTH = 8
_SPACED = bytes(byte if chr(byte) in _LETTERS_AND_DIGITS else 32 for byte in range(256))  # for bytes.translate


def _words_only(text: str) -> bytes:
    """The text, one byte a character, with every character that is not a-z or 0-9 a space."""
    return one_byte_each(text).translate(_SPACED)


def _beginnings(atoms: list[str]) -> set[str]:
    """Every way a text the atoms match can begin, each up to _BEGINNING_LENGTH letters and digits: the atoms
    spelled out in turn, a separator as nothing, one or two spaces, a spelling variant or plural ending as each
    of its alternatives; spelling stops at an atom that stands for more (a gap). A form spelled out whole is
    followed by a break (a space): "no " does not begin "normal"."""
    growing, grown = {""}, set()
    for atom in atoms:
        spellings = _spellings(atom)
        if spellings is None:
            return grown | growing
        longer = {beginning + spelling for beginning in growing for spelling in spellings}
        grown |= {beginning for beginning in longer if _length(beginning) >= _BEGINNING_LENGTH}
        growing = longer - grown
    return grown | {beginning + " " for beginning in growing}


_ALTERNATIVES = re.compile(r"\(\?:((?:\\[^|]|[^\\()\[\]{}|.*+?^$])*(?:\|(?:\\[^|]|[^\\()\[\]{}|.*+?^$])*)*)\)")
_ESCAPED = re.compile(r"\\(.)")


def _spellings(atom: str) -> tuple[str, ...] | None:
    """The texts an atom of surface_atoms() matches, where they are few: a character, a separator, a spelling
    variant or plural ending; None for any other (a gap)."""
    if atom == _WORD_SEPARATOR:
        return ("", " ", "  ")
    if len(atom) == 1 or (len(atom) == 2 and atom[0] == "\\"):
        return (atom[-1],)
    alternatives = _ALTERNATIVES.fullmatch(atom)
    if alternatives is None:
        return None
    return tuple(_ESCAPED.sub(r"\1", alternative) for alternative in alternatives.group(1).split("|"))


def _length(beginning: str) -> int:
    """Its letters and digits."""
    return sum(character in _LETTERS_AND_DIGITS for character in beginning)


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
    _beginnings_automaton()


# Mention(...) runs NamedTuple's __new__, a Python function: tuple.__new__ builds the same tuple in C (the lexicon
# search makes some 35 Mentions a document)
_new_mention = tuple.__new__


def _find(matcher: _Matcher, folded: str, start: int, end: int, beginnings: list[int]) -> list[Mention]:
    """Forms matched in folded[start:end], in text order, not overlapping (the first match wins): what a search
    of the text with after_break finds, the tree tried only where a form can begin (`beginnings`: where the
    matcher's forms can begin in it, in order: LexiconBeginnings)."""
    found: list[Mention] = []
    named, append, mention, match = matcher.named.get, found.append, _new_mention, matcher.after_break.match
    free = start  # where the next form may begin: not inside the one before
    for begin in beginnings:
        if begin < free:
            continue
        if begin:
            matched = match(folded, begin - 1, end)  # the break, then the form
            if matched is None:
                continue
            form = matched.group(1)
            kind, name, detail = named(form) or matcher.name(form)
        else:  # the text's first character: no break before it to match
            matched = matcher.at_word.match(folded, 0, end)
            if matched is None:
                continue
            term = matcher.terms[matched.lastindex]
            kind, name, detail = term.kind, term.name, term.detail
        stop = matched.end()
        append(mention(Mention, (kind, name, detail, begin, stop)))
        # the next form begins after a break; a form that ends in a non-letter ("cd8+") is itself that break
        free = stop + 1 if folded[stop - 1] in _LETTERS_AND_DIGITS else stop
    return found


def forms_pattern(forms: Iterable[Term]) -> re.Pattern[str]:
    """One expression that finds any of `forms` in folded text where the entity matcher would, built the same
    way: it matches after a character that is no letter or digit (search " " + folded for a form at the
    very start). For a prefilter that must find every mention the matcher finds (it needs no automaton of
    beginnings: it is searched for its first match only)."""
    return _compile(forms, beginnings=False).after_break


class LexiconBeginnings(NamedTuple):
    """Where a form of each lexicon can begin in a text, in order: what the entity and cue searches try."""

    entities: list[int]
    cues: list[int]


def lexicon_beginnings(folded: str, start: int = 0, end: int | None = None) -> LexiconBeginnings:
    """Where entity and cue forms can begin in folded[start:end], both found in one pass of one automaton."""
    automaton, cues_from, entities_to = _beginnings_automaton()
    end = len(folded) if end is None else end
    # From the character before `start` (at the very start, a space: a form may begin there), and a space after
    # `end` (a form may end there). A beginning found at `at` in it is a break, and a form may begin at
    # folded[start + at].
    window = _words_only((folded[start - 1 : end] if start else " " + folded[:end]) + " ")
    found = automaton.find_matches_as_indexes(window, overlapping=True)
    return LexiconBeginnings(
        sorted({start + at for index, at, _ in found if index < entities_to}),
        sorted({start + at for index, at, _ in found if index >= cues_from}),
    )


@cache
def _beginnings_automaton() -> tuple[BytesAhoCorasick, int, int]:
    """Both matchers' beginnings in one automaton: the entities' alone, then those of both, then the cues'
    alone; and where the cues' begin and the entities' end in that order."""
    entities, cues = _entity_matcher().beginnings, _cue_matcher().beginnings
    beginnings = [*sorted(entities - cues), *sorted(entities & cues), *sorted(cues - entities)]
    cues_from = len(entities - cues)
    entities_to = len(entities)
    return BytesAhoCorasick(beginnings, implementation=Implementation.DFA), cues_from, entities_to


def find_entities(
    folded: str, start: int = 0, end: int | None = None, beginnings: LexiconBeginnings | None = None
) -> list[Mention]:
    """Entity mentions in folded[start:end], in text order, not overlapping. `beginnings`:
    lexicon_beginnings(folded, start, end), where the caller has it."""
    end = len(folded) if end is None else end
    beginnings = lexicon_beginnings(folded, start, end) if beginnings is None else beginnings
    return _find(_entity_matcher(), folded, start, end, beginnings.entities)


def find_cues(
    folded: str, start: int = 0, end: int | None = None, beginnings: LexiconBeginnings | None = None
) -> list[Mention]:
    """Cue words in folded[start:end], as find_entities."""
    end = len(folded) if end is None else end
    beginnings = lexicon_beginnings(folded, start, end) if beginnings is None else beginnings
    return _find(_cue_matcher(), folded, start, end, beginnings.cues)


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
