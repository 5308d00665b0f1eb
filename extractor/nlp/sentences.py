"""A document's case text as sentences and clauses, each with its lexicon mentions, cue words and times.

The text is cut at the reference list and searched once for entity mentions (drugs, markers, flare words,
manifestations, diseases) and the short forms the document defines for them. Cue words are searched once
too, when anything is named (most PubMed abstracts name nothing of the lexicon: a document that names
nothing costs one search), and time expressions sentence by sentence, when a rule first asks for them.

A sentence with a background cue ("has not been reported with", "is known to induce") speaks about the
literature or the drug class, not this patient (the title never counts as background).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from operator import attrgetter

from extractor.lexicons import is_summary_heading
from extractor.lexicons.folding import fold_marks
from extractor.models import Document, Passage
from extractor.nlp.abbreviations import abbreviation_pairs
from extractor.nlp.mentions import (
    LexiconBeginnings,
    Mention,
    defined_short_forms,
    find_cues,
    find_entities,
    lexicon_beginnings,
    merge_mentions,
    short_form_mentions,
)
from extractor.nlp.morphology import SUFFIXES, find_affixed
from extractor.nlp.substrings import Occurrences, occurrences
from extractor.nlp.text import (
    CLAUSE_WORDS,
    HEADING_WORDS,
    Span,
    body_end,
    split_clauses,
    split_sentences,
)
from extractor.nlp.timing import UNIT_BEGINNINGS, DayMention, find_days, unit_beginnings

_ANTI_BEFORE = re.compile(r"anti[\s-]?$")
_OPENING_BRACKET = re.compile(r"\s*\(\s*")
_CLOSING_BRACKET = re.compile(r"\s*\)")
_START = attrgetter("start")
_PASSAGE_RANKS = {"title": 1, "caption": 2, "table": 2}
# The plain strings read_sentences starts from (the reference-list headings, the affixes of laboratory words,
# what may cut a sentence into clauses, the beginnings of time units)
WORDS = (*HEADING_WORDS, *SUFFIXES, *CLAUSE_WORDS, *UNIT_BEGINNINGS)


class Clause:
    """The part of a sentence between semicolons."""

    __slots__ = ("span", "entities", "cues")

    def __init__(self, span: Span, entities: list[Mention], cues: list[Mention]) -> None:
        self.span = span
        self.entities = entities
        self.cues = cues  # cue words, also those inside an entity ("enlarged" in "metastases enlarged")

    def has_cue(self, kind: str) -> bool:
        return _has_cue(self.cues, kind)


class Sentence:
    """A sentence with its entity mentions and cue words; its times and clauses are found when first asked for
    (plain attributes rather than functools.cached_property, which takes a lock on every first access)."""

    # slots: a document has a few dozen sentences, made and read by the hundred thousand
    __slots__ = ("span", "passage", "cues", "_entities", "_folded", "_days", "_clauses", "_has_clause_words", "_units")

    def __init__(self, span: Span, passage: Passage, entities: list[Mention], cues: list[Mention], folded: str,
                 has_clause_words: bool | None = None, units: list[int] | None = None) -> None:
        self.span = span
        self.passage = passage  # where it is: title, abstract, section, caption, table or text, and its label
        self.cues = cues  # cue words, also those inside an entity
        self._entities = entities  # every entity mention inside the sentence
        self._folded = folded  # the document's folded text
        self._days: list[DayMention] | None = None
        self._clauses: list[Clause] | None = None
        self._has_clause_words = has_clause_words  # (text.CLAUSE_WORDS; None: not known yet)
        self._units = units  # where a unit word may begin in the document (timing.unit_beginnings), if known

    @property
    def days(self) -> list[DayMention]:
        # sentence by sentence: times are asked for in few sentences (flare, resolution and marker clauses)
        if self._days is None:
            self._days = find_days(self._folded, self.span.start, self.span.end, self._units)
        return self._days

    @property
    def clauses(self) -> list[Clause]:
        if self._clauses is None:
            spans = split_clauses(self._folded, self.span, self._has_clause_words)
            if len(spans) == 1:
                self._clauses = [Clause(self.span, self._entities, self.cues)]
            else:
                self._clauses = [Clause(span, within(self._entities, span), within(self.cues, span)) for span in spans]
        return self._clauses

    @property
    def folded(self) -> str:
        """The document's folded text (the sentence is folded[span.start:span.end])."""
        return self._folded

    @property
    def names_anything(self) -> bool:
        return bool(self._entities)

    @property
    def entities(self) -> list[Mention]:
        """The entity mentions of its clauses (a mention across a semicolon belongs to neither)."""
        clauses = self.clauses
        if len(clauses) == 1:
            return clauses[0].entities
        return [m for clause in clauses for m in clause.entities]

    @property
    def background(self) -> bool:
        # "Although hyperprogression has been described, our patient had ...": the case cue says it is about him
        return self.passage.kind != "title" and self.has_cue("background") and not self.has_cue("own case")

    @property
    def evidence_rank(self) -> int:
        """How good a witness the sentence is, 0 best: the abstract and body, then the title, then figure
        captions and tables, then keyword lists and summaries written apart from the paper's text."""
        if is_summary_heading(self.passage.label):
            return 3
        return _PASSAGE_RANKS.get(self.passage.kind, 0)

    def has_cue(self, kind: str) -> bool:
        return _has_cue(self.cues, kind)

    def clause_days(self, clause: Clause) -> list[DayMention]:
        if clause.span is self.span:  # the sentence is one clause
            return self.days
        return within(self.days, clause.span)


def _has_cue(cues: list[Mention], kind: str) -> bool:
    # a plain loop: a sentence has a few cues, and is asked about two or three kinds
    for cue in cues:
        if cue.detail == kind:
            return True
    return False


def read_sentences(
    document: Document, folded: str, marks: str | None = None, found: Occurrences | None = None
) -> list[Sentence]:
    """The case text (up to the reference list) as sentences. `folded` is fold(document.text); `marks`
    fold_marks(document.text) and `found` the occurrences of WORDS in folded, where the caller has them."""
    text = document.text
    found = occurrences(folded, WORDS) if found is None else found
    end = body_end(text, folded, found)
    # One split of the whole text: the blank line between passages always ends a sentence, so no sentence
    # spans two passages; each is handed to the passage it lies in.
    spans = split_sentences(text, 0, end)
    placed: list[tuple[Span, Passage]] = []
    passages = iter(document.passages)
    passage = next(passages, None)
    for span in spans:
        while span.start >= passage.offset + len(passage.text):
            passage = next(passages)
        placed.append((span, passage))
    beginnings = lexicon_beginnings(folded, 0, end)  # where entity and cue forms can begin: one pass for both
    entities = within_each(_entities(text, folded, end, marks, found, beginnings), spans)
    # the rules read cue words only in a document that names something (its case sentences, then any resolution)
    cues = within_each(find_cues(folded, 0, end, beginnings), spans) if any(entities) else [[] for _ in spans]
    cut = _holding(found, CLAUSE_WORDS, spans)
    units = unit_beginnings(found)
    return [
        Sentence(span, passage, named, cued, folded, index in cut, units)
        for index, ((span, passage), named, cued) in enumerate(zip(placed, entities, cues))
    ]


def _holding(found: Occurrences, words: tuple[str, ...], spans: list[Span]) -> set[int]:
    """The indexes of the spans (sorted, not overlapping) that hold an occurrence of any of `words`."""
    starts = [span.start for span in spans]
    holding = set()
    for word in words:
        for at in found.get(word, ()):
            index = bisect.bisect_right(starts, at) - 1
            if index >= 0 and at + len(word) <= spans[index].end:
                holding.add(index)
    return holding


def _entities(
    text: str, folded: str, end: int, marks: str | None, found: Occurrences, beginnings: LexiconBeginnings
) -> list[Mention]:
    """Entity mentions in text[:end] with the short forms the document defines for them, in text order;
    not an antibody against a marker ("anti-PD-L1"), nor a short form in brackets right after its long form."""
    entities = find_entities(folded, 0, end, beginnings)
    affixed = find_affixed(folded, 0, end, found)  # "hypofibrinogenemia", "cytopenias": direction in the word
    if affixed:
        entities = merge_mentions(entities, affixed)
    if not entities:
        return []
    marks = fold_marks(text) if marks is None else marks
    detected = abbreviation_pairs(text[:end], ((m.start, m.end) for m in entities), used_again(marks))
    short_forms = defined_short_forms(marks, entities, detected)
    short = short_form_mentions(marks, short_forms, 0, end)
    if short:  # (the lexicon's mentions alone are in order and do not overlap)
        entities = merge_mentions(entities, short)
    return [
        m for i, m in enumerate(entities)
        if not (m.kind == "marker" and _anti_before(folded, m.start))
        and not (i and _defines_short_form(text, entities[i - 1], m))
    ]


def _anti_before(folded: str, start: int) -> bool:
    """ "anti-" right before `start` (a substring test first: most markers have no "anti" before them)."""
    before = max(0, start - 5)
    return "anti" in folded[before:start] and _ANTI_BEFORE.search(folded, before, start) is not None


def used_again(marks: str) -> Callable[[str], bool]:
    """Whether a short form, held in brackets in the text, occurs anywhere else: short forms are looked up
    in fold_marks(text) (short_form_mentions), where one with a Greek letter or odd dash may not occur at all."""
    return lambda short: marks.count(short) > (1 if short.isascii() else 0)


def _defines_short_form(text: str, previous: Mention, mention: Mention) -> bool:
    """`mention` is the bracketed short form right after `previous` ("CD8+ tumor-infiltrated lymphocytes (TILs)"):
    the same thing named twice, not a second finding."""
    return (
        text.find("(", previous.end, mention.start) >= 0  # (most mentions have no bracket between them)
        and _OPENING_BRACKET.fullmatch(text, previous.end, mention.start) is not None
        and _CLOSING_BRACKET.match(text, mention.end) is not None
    )


def within_each(items: list, spans: list[Span]) -> list[list]:
    """For each span, the items that lie wholly inside it: within() for every span at once, in one pass.
    `items` sorted by start; `spans` sorted and not overlapping (a document's sentences)."""
    groups: list[list] = []
    count, at = len(items), 0
    for start, end in spans:
        while at < count and items[at].start < start:
            at += 1
        group = []
        while at < count and items[at].start < end:
            if items[at].end <= end:
                group.append(items[at])
            at += 1
        groups.append(group)
    return groups


def within(items: list, span: Span) -> list:
    """The items (sorted by start) that lie wholly inside span."""
    low = bisect.bisect_left(items, span.start, key=_START)
    high = bisect.bisect_left(items, span.end, low, key=_START)
    return [item for item in items[low:high] if item.end <= span.end]
