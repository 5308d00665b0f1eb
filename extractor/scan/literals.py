"""Literal strings a regular expression cannot match without, read from the pattern itself.

    spaced(text) -> str                                     hyphens removed, each run of whitespace one space
    necessary_literals(pattern, rank, cut_at) -> Necessary  what every match holds, in that form
    Necessary.might_match(text) -> bool                     False only where no match can be

Literals are read with hyphens removed and each run of whitespace made one space (`spaced`), so a pattern's
word separators ("[\\s\\-]{0,2}", "\\s*") match "" or " " there. `spaced` maps a substring of a text to a
substring of the text's form, so a literal necessary for every match is in the text's form wherever the
pattern matches the text.

`Necessary.alternatives` is a list of conjunctions: every match satisfies at least one of them, and a
conjunction is satisfied by a text that contains, for each of its clauses, one of the clause's strings.
`Necessary.gate` holds one clause of each conjunction: a text with none of its strings satisfies none.

The answer is read from the pattern's own parse tree (Python's re parser), so it follows every change of the
pattern: nothing is listed by hand. Each node of the tree is summed up by what is known of every string it
matches: the finite set of them (`exact`), strings one of which starts it (`prefixes`), sets one string of
each of which it contains (`clauses`). What cannot be summed up (a class of many characters, `.`, `[^.;]`, a
back reference) is unknown, which only ever loses information: the answer stays a necessary condition, at
worst a weaker one. Zero-width parts (lookarounds, `\\b`) are taken to match the empty string, which
over-approximates what they match. A concatenation that holds alternatives is read as the alternatives of
its expansions (A(b|c)D as AbD|AcD), so the literals before a fork join each branch's own: a prefix tree of
forms yields each form whole. A pattern about which nothing necessary can be said raises ValueError.

Literals hold no sigma, nor any character of `cut_at` (a string with one is cut to a run without, which
every string holding it holds too): lowercasing a whole text folds a final sigma by its neighbours, and the
texts searched may lack characters (`cut_at`) that the texts matched have. `rank(string)` orders strings by how
common they are expected to be in the texts searched (lower: rarer); where there is a choice, the rarer is
taken.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import product
from re import _constants as sre
from re import _parser as sre_parse

from ahocorasick_rs import BytesAhoCorasick, Implementation

_MOST_EXACT = 4096  # strings an exact set holds at most before it is given up
_MOST_CLASS = 16  # characters a class may hold and still count as a set of literals
_MOST_STRINGS = 8192  # strings a prefix set or a clause holds at most
_MOST_EXPANSIONS = 20_000  # alternatives expanded out of their concatenations, in all
_MOST_CLAUSES = 4  # clauses kept of each conjunction: the rarest

Clause = frozenset[str]


@dataclass(frozen=True, eq=False)
class Necessary:
    alternatives: tuple[tuple[Clause, ...], ...]  # conjunctions of clauses, rarest clause first
    gate: Clause  # the first clause of every conjunction, united

    def __or__(self, other: Necessary) -> Necessary:
        """What a match of either pattern needs."""
        return Necessary(self.alternatives + other.alternatives, self.gate | other.gate)

    def might_match(self, text: str) -> bool:
        """False only where the pattern matches no text T that differs from `text` in whitespace and hyphens
        alone, and each of whose runs without whitespace (nor a `cut_at` character) is in `text`: T may have
        whitespace where `text` has none (a Document's text, where an inline tag of its raw text sits between
        two words), and runs of whitespace of other lengths.

        So a string with a space is looked for without its spaces, in `text` without whitespace and hyphens,
        and one without, in `spaced(text)`; first, though, every string is looked for the first way (one
        search: most texts end there)."""
        return self._searcher.might_match(text)

    @cached_property
    def _searcher(self) -> _Searcher:
        return _Searcher(self)


class _Searcher:
    """A Necessary made quick to test: Aho-Corasick automata over UTF-8 (ahocorasick_rs: one pass over a text,
    however many strings), strings numbered, each clause a set of numbers."""

    def __init__(self, necessary: Necessary) -> None:
        self.gate = _Automata(necessary.gate)
        strings = {s for conjunction in necessary.alternatives for clause in conjunction for s in clause}
        self.strings = _Automata(strings)
        self.alternatives = [[frozenset(self.strings.numbers[s] for s in clause) for clause in conjunction]
                             for conjunction in necessary.alternatives]

    def might_match(self, text: str) -> bool:
        unhyphenated, joined = _forms(text)
        if not self.gate.found(unhyphenated, joined):
            return False
        found = self.strings.found(unhyphenated, joined, every=True)
        return any(all(not found.isdisjoint(clause) for clause in conjunction) for conjunction in self.alternatives)


class _Automata:
    """Strings without a space, found in a text without hyphens; strings with, found without their spaces in
    the text without whitespace and hyphens."""

    def __init__(self, strings: Iterable[str]) -> None:
        strings = sorted(set(strings))
        as_is = sorted({s.encode() for s in strings if " " not in s})
        joined = sorted({s.replace(" ", "").encode() for s in strings if " " in s})
        self.as_is = BytesAhoCorasick(as_is or [b"\0"], implementation=Implementation.DFA)
        self.joined = BytesAhoCorasick(joined or [b"\0"], implementation=Implementation.DFA)
        self.offset = len(as_is)
        numbers = {string: number for number, string in enumerate(as_is)}
        numbers |= {string: self.offset + number for number, string in enumerate(joined)}
        self.numbers = {s: numbers[s.replace(" ", "").encode() if " " in s else s.encode()] for s in strings}

    def found(self, unhyphenated: bytes, joined: bytes, every: bool = False) -> set[int]:
        """The numbers of the strings found (without `every`: at least one, if any is there)."""
        found = {number for number, _, _ in self.as_is.find_matches_as_indexes(unhyphenated, overlapping=every)}
        if found and not every:
            return found
        return found | {self.offset + n for n, _, _ in self.joined.find_matches_as_indexes(joined, overlapping=every)}


@cache
def _other_whitespace() -> re.Pattern[bytes]:
    """Whitespace that str.split splits on and bytes.split does not (outside ASCII, and \\x1c-\\x1f), as UTF-8."""
    spaces = (chr(code) for code in range(sys.maxunicode + 1)
              if chr(code).isspace() and chr(code) not in " \t\n\r\x0b\x0c")
    return re.compile(b"|".join(re.escape(space.encode()) for space in spaces))


_ASCII_WHITESPACE_AND_HYPHEN = b" \t\n\r\x0b\x0c-"


def _forms(text: str) -> tuple[bytes, bytes]:
    """`text` without hyphens, where a string without whitespace is in it wherever it is in `spaced(text)`; and
    `text` without whitespace and hyphens: as UTF-8, made with bytes operations in C, unless the text has
    whitespace that they do not know (rare)."""
    data = text.encode()
    joined = "".join(text.split()).encode() if _other_whitespace().search(data) else data
    return data.replace(b"-", b""), joined.translate(None, _ASCII_WHITESPACE_AND_HYPHEN)


@dataclass(frozen=True)
class _Info:
    exact: Clause | None = None  # every string the node matches is one of these
    prefixes: Clause | None = None  # every string it matches starts with one of these
    clauses: tuple[Clause, ...] = ()  # every string it matches contains one string of each


_UNKNOWN = _Info()
_EMPTY = _Info(exact=frozenset({""}), prefixes=frozenset({""}))


def spaced(text: str) -> str:
    return " ".join(text.replace("-", "").split())


def necessary_literals(pattern: re.Pattern[str], rank: Callable[[str], tuple] = lambda string: (-len(string),),
                       cut_at: str = "") -> Necessary:
    if pattern.flags & re.IGNORECASE:
        raise ValueError("a case-insensitive pattern: its literals do not stand for themselves")
    analysis = _Analysis(rank, re.compile(f"[σςΣ{re.escape(cut_at)}]"))
    items = list(sre_parse.parse(pattern.pattern, pattern.flags))
    alternatives = tuple(analysis.conjunction(info) for info in analysis.alternatives(items))
    if not all(alternatives):
        raise ValueError(f"no literal is necessary for a match of {pattern.pattern[:80]!r}")
    return Necessary(alternatives, frozenset().union(*(conjunction[0] for conjunction in alternatives)))


class _Analysis:
    """One pattern's analysis: which strings are rarer, how much work expanding alternatives may make."""

    def __init__(self, rank: Callable[[str], tuple], cut: re.Pattern[str]) -> None:
        self.rank, self.cut = cache(rank), cut
        self.expansions = _MOST_EXPANSIONS
        self.nodes: dict[int, tuple[tuple, _Info]] = {}  # id of a node of the parse tree -> it, what it gives
        self.usables: dict[Clause, Clause | None] = {}

    # -- choosing among necessary sets ------------------------------------------------------------

    def usable(self, strings: Clause) -> Clause | None:
        """Each string cut to its rarest run without a sigma (which it contains), those that another one
        starts dropped (it occurs wherever they do); None if a string has none, or there are too many."""
        known = self.usables.get(strings, False)
        if known is not False:
            return known
        joined = "\0".join(strings)
        cut: set[str] | None = set()
        if _BLANK.search(joined):  # a string of spaces at most: says nothing
            cut = None
        elif self.cut.search(joined) is None:  # most sets: nothing to cut
            cut = set(strings)
        else:
            for string in strings:
                runs = [run for run in self.cut.split(string) if run.strip()]
                if not runs:
                    cut = None
                    break
                cut.add(min(runs, key=self.rank))
        known = None
        if cut is not None and len(cut) <= _MOST_STRINGS:
            kept: list[str] = []
            for string in sorted(cut):  # a string's prefixes sort before it, and all between start with them
                if not kept or not string.startswith(kept[-1]):
                    kept.append(string)
            known = frozenset(kept)
        self.usables[strings] = known
        return known

    def order(self, clause: Clause) -> tuple:
        """Rarer first: by the rank of its most common string, then the fewest strings."""
        return max(map(self.rank, clause)), len(clause)

    def conjunction(self, info: _Info) -> tuple[Clause, ...]:
        """The node's usable clauses, rarest first, without repeats."""
        candidates = (c for c in (*info.clauses, info.prefixes, info.exact) if c is not None)
        kept: list[Clause] = []
        for clause in sorted({c for c in map(self.usable, candidates) if c}, key=lambda c: (self.order(c), min(c))):
            if not any(_implies(other, clause) for other in kept):
                kept.append(clause)
        return tuple(kept[:_MOST_CLAUSES])

    # -- the tree ---------------------------------------------------------------------------------

    def alternatives(self, items: list[tuple]) -> list[_Info]:
        """A concatenation as alternatives without forks at its top (A(b|c)D -> AbD, AcD), while they stay
        few; alternatives of known strings ("(?:es|s|)") are multiplied out by `sequence` instead."""
        for index, item in enumerate(items):
            branches = _branches(item)
            if branches is not None and self.expansions >= len(branches) and self.node(item).exact is None:
                self.expansions -= len(branches)
                return [info for branch in branches
                        for info in self.alternatives([*items[:index], *branch, *items[index + 1:]])]
        return [self.sequence(items)]

    def sequence(self, items: list[tuple]) -> _Info:
        """A concatenation: exact sets multiplied while they stay small; a run of known strings followed by a
        part with known prefixes gives strings the whole contains."""
        exact: Clause | None = frozenset({""})  # of the items so far, while known
        prefixes: Clause | None = frozenset({""})  # of the whole so far
        clauses: list[Clause] = []
        run: Clause | None = frozenset({""})  # exact set of the latest run of known items
        for item in items:
            info = self.node(item)
            clauses += [c for c in (*info.clauses, info.prefixes, info.exact) if c is not None]
            if info.exact is not None:
                run = _times(run, info.exact, _MOST_EXACT) if run is not None else info.exact
            else:
                if run is not None and info.prefixes is not None:
                    clauses.append(_times(run, info.prefixes, _MOST_STRINGS) or frozenset())
                run = None
            if run is not None:
                clauses.append(run)
            if exact is not None:
                prefixes = _times(exact, info.prefixes, _MOST_STRINGS) if info.prefixes is not None else exact
                exact = _times(exact, info.exact, _MOST_EXACT) if info.exact is not None else None
        clauses = [c for c in clauses if c and "" not in c]
        return _Info(exact=exact, prefixes=prefixes, clauses=self.conjunction(_Info(clauses=tuple(clauses))))

    def branch(self, branches: list[_Info]) -> _Info:
        """Alternatives: for each, its rarest clause; united, a clause of the whole."""
        rarest = [conjunction[0] if conjunction else None for conjunction in map(self.conjunction, branches)]
        united = _united(rarest, _MOST_STRINGS)
        return _Info(exact=_united([b.exact for b in branches], _MOST_EXACT),
                     prefixes=_united([b.prefixes for b in branches], _MOST_STRINGS),
                     clauses=(united,) if united else ())

    def node(self, item: tuple) -> _Info:
        known = self.nodes.get(id(item))
        if known is None or known[0] is not item:
            known = self.nodes[id(item)] = item, self.summed_up(item)
        return known[1]

    def summed_up(self, item: tuple) -> _Info:
        op, argument = item
        if op is sre.LITERAL:
            return _Info(exact=frozenset({_form(chr(argument))}), prefixes=frozenset({_form(chr(argument))}))
        if op is sre.IN:
            characters = _class(argument)
            return _Info(exact=characters, prefixes=characters) if characters else _UNKNOWN
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return _EMPTY
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, items = argument
            return _UNKNOWN if add_flags & sre.SRE_FLAG_IGNORECASE else self.sequence(list(items))
        if op is sre.ATOMIC_GROUP:
            return self.sequence(list(argument))
        if op is sre.BRANCH:
            return self.branch([self.sequence(list(items)) for items in argument[1]])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, items = argument
            return _repeat(low, high, self.sequence(list(items)))
        return _UNKNOWN  # any other character (., \s, [^...]), a back reference, a conditional


def _branches(item: tuple) -> list[list[tuple]] | None:
    """The alternatives of a BRANCH, or of a group that is one (without flags); None for anything else."""
    op, argument = item
    if op is sre.SUBPATTERN and not argument[1] and len(argument[3]) == 1:
        return _branches(argument[3][0])
    if op is sre.BRANCH:
        return [list(items) for items in argument[1]]
    return None


def _implies(clause: Clause, other: Clause) -> bool:
    """Whether a text with a string of `clause` has one of `other` too: each string contains one of them
    (not looked into for large clauses: keeping a clause that says nothing more costs a test, not an answer)."""
    if len(clause) * len(other) > 256:
        return False
    return all(any(o in string for o in other) for string in clause)


def _united(sets: Iterable[Clause | None], most: int) -> Clause | None:
    sets = list(sets)
    if any(s is None for s in sets):
        return None
    union = frozenset().union(*sets)
    return union if len(union) <= most else None


def _times(left: Clause, right: Clause | None, most: int) -> Clause | None:
    if right is None or len(left) * len(right) > most:
        return None
    return frozenset(a + b for a, b in product(left, right))


_BLANK = re.compile("(?:^|\0) *(?:\0|$)")
_SPACE = (sre.CATEGORY, sre.CATEGORY_SPACE), (sre.CATEGORY, sre.CATEGORY_UNI_SPACE)


def _form(ch: str) -> str:
    """A character as `spaced` leaves it, alone: "" for a hyphen, " " for whitespace."""
    return " " if ch.isspace() else "" if ch == "-" else ch


def _class(items: list[tuple]) -> Clause | None:
    """What a class made only of a few literals and ranges, and whitespace, matches in `spaced` form ("[\\s\\-]"
    matches " " or ""); None for any other."""
    characters: set[str] = set()
    for op, argument in items:
        if op is sre.LITERAL:
            characters.add(_form(chr(argument)))
        elif op is sre.RANGE and argument[1] - argument[0] < _MOST_CLASS:
            characters.update(_form(chr(code)) for code in range(argument[0], argument[1] + 1))
        elif (op, argument) in _SPACE:
            characters.add(" ")
        else:
            return None
        if len(characters) > _MOST_CLASS:
            return None
    return frozenset(characters)


def _repeat(low: int, high: int, body: _Info) -> _Info:
    """A repeat: its exact set while small, and what one pass of the body gives when at least one is made."""
    exact: Clause | None = None
    if body.exact is not None and body.exact <= {"", " "}:  # whitespace: one space, however long the run
        exact = frozenset({" "}) if low > 0 and "" not in body.exact else frozenset({"", " "})
    elif body.exact is not None and high <= 4:
        exact, power = frozenset(), frozenset({""})
        for count in range(high + 1):
            if count >= low:
                exact = exact | power
            if count < high:
                power = _times(power, body.exact, _MOST_EXACT)
            if power is None or len(exact) > _MOST_EXACT:
                exact = None
                break
    if low == 0:
        return _Info(exact=exact, prefixes=exact if exact is not None else frozenset({""}))
    return _Info(exact=exact, prefixes=body.prefixes, clauses=body.clauses)

