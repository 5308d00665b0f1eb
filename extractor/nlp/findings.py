"""From one document's text and its abbreviation pairs to CaseFindings.

Reading order: the text is cut at the reference list, split into sentences and clauses (semicolons), and
searched once for lexicon mentions, cue words and time expressions. A sentence with a background cue ("has
not been reported with", "is known to induce") speaks about the literature or the drug class, so nothing in
it becomes this patient's finding (the title never counts as background). Then:
  drugs       every lexicon drug named in a case sentence, in order of first mention
  flare       a flare word (pseudoprogression, TFR...) in a case sentence, not negated
  onset_day   the day of the first dated flare mention or tumour-site manifestation outside a resolution clause
              (symptoms such as bone pain only when nothing else is dated)
  resolution  the first dated resolution cue (regression, resolved...) in a clause about a lesion or the flare
  markers     see direction.py; each takes the day of its clause, else of its sentence
  disease     the disease named where the patient is introduced ("a 57-year-old woman with SCLC"), else the
              most mentioned one
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from extractor.models import CaseFindings, Document, Drug, Flare, MarkerFinding
from extractor.nlp.direction import direct_markers
from extractor.nlp.lexicons import resolve_drug
from extractor.nlp.mentions import (
    Mention,
    defined_short_forms,
    find_cues,
    find_entities,
    merge_mentions,
    short_form_mentions,
)
from extractor.nlp.text import Span, body_end, fold, fold_marks, split_clauses, split_sentences
from extractor.nlp.timing import DayMention, find_days, nearest_day

_ANTI_BEFORE = re.compile(r"anti[\s-]?$")


@dataclass
class Clause:
    span: Span
    entities: list[Mention]
    cues: list[Mention]  # cue words, also those inside an entity ("enlarged" in "metastases enlarged")
    days: list[DayMention]

    def has_cue(self, kind: str) -> bool:
        return any(cue.detail == kind for cue in self.cues)


@dataclass
class Sentence:
    span: Span
    background: bool
    clauses: list[Clause]

    @property
    def entities(self) -> list[Mention]:
        return [m for clause in self.clauses for m in clause.entities]

    @property
    def days(self) -> list[DayMention]:
        return [d for clause in self.clauses for d in clause.days]

    def has_cue(self, kind: str) -> bool:
        return any(clause.has_cue(kind) for clause in self.clauses)


def findings_from(document: Document, abbreviations: list[tuple[str, str]]) -> CaseFindings:
    text = document.text
    sentences = read_sentences(document, abbreviations)
    case = [s for s in sentences if not s.background]
    drugs = _drugs(case)
    flare = _flare(case, text, drugs)
    return CaseFindings(
        id=document.id,
        pmid=document.pmid,
        pmcid=document.pmcid,
        doi=document.doi,
        title=document.title,
        source=document.source,
        drugs=drugs,
        disease=_disease(case),
        flare=flare,
        markers=_markers(case, text, fold(text)),
        resolution_day=_resolution_day(case, flare) if flare.reported else None,
    )


def read_sentences(document: Document, abbreviations: list[tuple[str, str]]) -> list[Sentence]:
    """The case text (up to the reference list) as sentences and clauses with their mentions, cues and days."""
    text, folded = document.text, fold(document.text)
    end = body_end(text)
    entities = find_entities(folded, 0, end)
    marks = fold_marks(text)
    short_forms = defined_short_forms(marks, entities, abbreviations)
    entities = merge_mentions(entities, short_form_mentions(marks, short_forms, 0, end))
    entities = [
        m for i, m in enumerate(entities)
        if not (m.kind == "marker" and _ANTI_BEFORE.search(folded, max(0, m.start - 5), m.start))
        and not (i and _defines_short_form(text, entities[i - 1], m))
    ]
    cues = find_cues(folded, 0, end)
    days = find_days(folded, 0, end)
    title_end = next((p.offset + len(p.text) for p in document.passages if p.kind == "title"), 0)

    sentences = []
    for span in split_sentences(text, 0, end):
        clauses = [
            Clause(c, _within(entities, c), _within(cues, c), _within(days, c)) for c in split_clauses(text, span)
        ]
        sentence = Sentence(span, False, clauses)
        sentence.background = span.start >= title_end and sentence.has_cue("background")
        sentences.append(sentence)
    return sentences


def _defines_short_form(text: str, previous: Mention, mention: Mention) -> bool:
    """`mention` is the bracketed short form right after `previous` ("CD8+ tumor-infiltrated lymphocytes (TILs)"):
    the same thing named twice, not a second finding."""
    return re.fullmatch(r"\s*\(\s*", text[previous.end : mention.start]) is not None and text[mention.end :].lstrip().startswith(")")


def _inside(cue: Mention, mention: Mention) -> bool:
    return mention.start <= cue.start and cue.end <= mention.end


def _direction_cues(clause: Clause) -> list[Mention]:
    # Cue words inside a marker span stay: they give that marker its direction ("CD8+ TILs showed higher ... PD-1");
    # inside other entities they belong to that entity ("increase in lymph node size").
    return [c for c in clause.cues if not any(_inside(c, e) and e.kind != "marker" for e in clause.entities)]


def _resolving(mention: Mention, clause: Clause) -> bool:
    """In a clause that reports regression, unless the mention itself states growth ("metastases enlarged")."""
    states_growth = any(c.detail == "growth" and _inside(c, mention) for c in clause.cues)
    return clause.has_cue("resolution") and not states_growth


def _within(items: list, span: Span) -> list:
    starts = [item.start for item in items]
    low, high = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
    return [item for item in items[low:high] if item.end <= span.end]


def _negated(mention: Mention, clause: Clause, text: str) -> bool:
    """A negation cue ends at most 30 characters before the mention, with no punctuation between
    ("without pleural effusion", "no CRS", "did not develop pleural effusion")."""
    return any(
        cue.detail == "negation" and cue.end <= mention.start and mention.start - cue.end <= 30
        and not any(mark in text[cue.end : mention.start] for mark in ",;:()")
        for cue in clause.cues
    )


def _drugs(case: list[Sentence]) -> list[Drug]:
    names = dict.fromkeys(m.name for s in case for m in s.entities if m.kind == "drug")
    drugs = []
    for name in names:
        entry = resolve_drug(name)
        drugs.append(Drug(name=name, role=entry.role if entry else "other", targets=list(entry.targets) if entry else []))
    return drugs


def _flare_mentions(case: list[Sentence], text: str) -> list[tuple[Sentence, Clause, Mention]]:
    """Event and manifestation mentions that are not negated, in text order."""
    found = []
    for sentence in case:
        for clause in sentence.clauses:
            for mention in clause.entities:
                if mention.kind in ("event", "manifestation") and not _negated(mention, clause, text):
                    found.append((sentence, clause, mention))
    return found


def _day_near(mention: Mention, clause: Clause, sentence: Sentence) -> int | None:
    near = nearest_day(clause.days, mention.start, mention.end) or nearest_day(sentence.days, mention.start, mention.end)
    return near.day if near else None


def _flare(case: list[Sentence], text: str, drugs: list[Drug]) -> Flare:
    mentions = _flare_mentions(case, text)
    events = [(s, c, m) for s, c, m in mentions if m.kind == "event"]
    if not events:
        return Flare()
    onset = None
    for sites in (("tumor",), ("symptom",)):
        dated = [
            _day_near(m, c, s)
            for s, c, m in mentions
            if (m.kind == "event" or m.detail in sites) and not _resolving(m, c)
        ]
        onset = next((day for day in dated if day is not None), None)
        if onset is not None:
            break
    manifestations = [m.name for s, c, m in mentions if m.kind == "manifestation" and not _resolving(m, c)]
    evidence = [text[s.span.start : s.span.end] for s, c, m in mentions]
    return Flare(
        reported=True,
        onset_day=onset,
        manifestations=list(dict.fromkeys(manifestations)),
        evidence=list(dict.fromkeys(evidence)),
        drug=_flare_drug(events, drugs),
    )


_SUPPORTIVE_ROLES = ("steroid", "other")  # given for the flare or alongside, not the therapy that caused it


def _flare_drug(events: list[tuple[Sentence, Clause, Mention]], drugs: list[Drug]) -> str | None:
    """The anticancer drug named with the first flare word that names one, else the engager, else the first
    anticancer drug received."""
    anticancer = {d.name for d in drugs if d.role not in _SUPPORTIVE_ROLES}
    for sentence, _, _ in events:
        named = [m.name for m in sentence.entities if m.kind == "drug" and m.name in anticancer]
        if named:
            return named[0]
    engagers = [d.name for d in drugs if d.role == "engager"]
    return (engagers or [d.name for d in drugs if d.name in anticancer] or [None])[0]


def _resolution_day(case: list[Sentence], flare: Flare) -> int | None:
    for sentence in case:
        for clause in sentence.clauses:
            about_flare = clause.has_cue("lesion") or any(m.kind in ("event", "manifestation") for m in clause.entities)
            if not (clause.has_cue("resolution") and about_flare):
                continue
            cue = next(c for c in clause.cues if c.detail == "resolution")
            day = _day_near(cue, clause, sentence)
            if day is not None and (flare.onset_day is None or day >= flare.onset_day):
                return day
    return None


def _disease(case: list[Sentence]) -> str | None:
    for sentence in case:
        if sentence.has_cue("patient"):
            named = [m.name for m in sentence.entities if m.kind == "disease"]
            if named:
                return named[0]
    counts = Counter(m.name for s in case for m in s.entities if m.kind == "disease")
    return counts.most_common(1)[0][0] if counts else None


def _markers(case: list[Sentence], text: str, folded: str) -> list[MarkerFinding]:
    found: dict[tuple[str, str], MarkerFinding] = {}
    for sentence in case:
        for clause in sentence.clauses:
            markers = [m for m in clause.entities if m.kind == "marker"]
            if not markers:
                continue
            others = [m for m in clause.entities if m.kind != "marker"]
            for directed in direct_markers(folded, clause.span.end, markers, others, _direction_cues(clause)):
                mention = directed.mention
                finding = MarkerFinding(
                    marker=mention.name,
                    direction=directed.direction,
                    day=_day_near(mention, clause, sentence),
                    evidence=text[sentence.span.start : sentence.span.end],
                    start=mention.start,
                    end=mention.end,
                )
                key = (finding.marker, finding.direction)
                if key not in found or (found[key].day is None and finding.day is not None):
                    found[key] = finding
    return list(found.values())
