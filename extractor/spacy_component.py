"""flarekb as a spaCy pipeline component: `nlp.add_pipe("flarekb")`.

    import spacy
    nlp = spacy.blank("en")            # or any pipeline: en_core_sci_sm, en_core_web_sm, ...
    nlp.add_pipe("flarekb")            # registered through the `spacy_factories` entry point (pyproject.toml)
    doc = nlp(text)
    doc._.case_findings                # CaseFindings, the same as extractor.extract_text(text) and `flarekb extract`
    [(ent.text, ent.label_, ent.kb_id_, ent._.direction, ent._.day) for ent in doc.ents]
    spacy.displacy.render(doc, style="ent")

The component reads `doc.text` as `flarekb extract` reads a `.txt`/`.md` file (extractor.api.document_from_text),
runs the same extraction, and sets:
  doc._.case_findings   CaseFindings (None for a text with nothing to read: whitespace only)
  doc.ents              flarekb's entities, their offsets mapped back onto doc.text:
      MARKER   each marker finding, at its mention; `span._.direction`, `span._.day`; kb_id_ the finding's HPO
               id (HP:...) where it has one, else the marker's lexicon name ("il-6")
      DRUG     drug mentions in sentences about the patient; kb_id_ the drug's public CURIE (UNII:...) where
               the lexicon has one, else its lexicon name
      DISEASE  mentions of the case's disease; kb_id_ its lexicon name
      FLARE    flare words and the flare's manifestations in its evidence sentences; kb_id_ the lexicon name
      TIME     stated days in sentences about the patient; `span._.day` the day after the first dose
  Entities an earlier component set (a scispaCy or spaCy NER model) are kept where they do not overlap
  flarekb's; where they do, flarekb's span wins.
Extensions are registered on import (`Doc.set_extension`, `Span.set_extension`), as scispaCy's
abbreviation detector does; the entity layer uses the nlp package's own functions, read-only.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.api import document_from_text
from extractor.errors import BadInput
from extractor.lexicons import resolve_drug
from extractor.lexicons.folding import fold
from extractor.models import CaseFindings, Document
from extractor.nlp import extract_findings
from extractor.nlp.sentences import read_sentences

LABELS = ("DRUG", "MARKER", "DISEASE", "FLARE", "TIME")
_FLARE_KINDS = ("event", "manifestation")

for _name in ("direction", "day"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
if not Doc.has_extension("case_findings"):
    Doc.set_extension("case_findings", default=None)


@dataclass(frozen=True)
class Entity:
    """One of flarekb's entities, by character offsets in the text it was found in."""

    start: int
    end: int
    label: str  # one of LABELS
    kb_id: str = ""
    direction: str | None = None  # MARKER
    day: int | None = None  # MARKER, TIME


def case_entities(text: str) -> tuple[CaseFindings | None, list[Entity]]:
    """The findings of `text` (as extract_text) and flarekb's entities in it, sorted, none overlapping."""
    try:
        document = document_from_text(text)
    except BadInput:  # nothing to read
        return None, []
    findings = extract_findings(document)
    found = _marker_entities(findings) + _mention_entities(document, findings)
    to_text = _OffsetMap(document, text)
    placed = []
    for entity in found:
        span = to_text.span(entity.start, entity.end)
        if span is not None:
            placed.append(Entity(span[0], span[1], entity.label, entity.kb_id, entity.direction, entity.day))
    return findings, _without_overlaps(placed)


def _marker_entities(findings: CaseFindings) -> list[Entity]:
    return [Entity(m.start, m.end, "MARKER", m.hpo_id or m.marker, m.direction, m.day) for m in findings.markers]


def _mention_entities(document: Document, findings: CaseFindings) -> list[Entity]:
    """DRUG, DISEASE, FLARE and TIME from the sentences the rules read about the patient."""
    text = document.text
    flare_sentences = set(findings.flare.evidence)
    manifestations = set(findings.flare.manifestations)
    found = []
    for sentence in read_sentences(document, fold(text)):
        if not sentence.names_anything or sentence.background:
            continue
        in_flare_evidence = text[sentence.span.start:sentence.span.end] in flare_sentences
        for mention in sentence.entities:
            if mention.kind == "drug":
                entry = resolve_drug(mention.name)
                kb_id = (entry.identifier if entry else "") or mention.name
                found.append(Entity(mention.start, mention.end, "DRUG", kb_id))
            elif mention.kind == "disease" and mention.name == findings.disease:
                found.append(Entity(mention.start, mention.end, "DISEASE", mention.name))
            elif mention.kind in _FLARE_KINDS and in_flare_evidence and (
                    mention.kind == "event" or mention.name in manifestations):
                found.append(Entity(mention.start, mention.end, "FLARE", mention.name))
        found += [Entity(day.start, day.end, "TIME", day=day.day) for day in sentence.days if day.day is not None]
    return found


def _without_overlaps(entities: list[Entity]) -> list[Entity]:
    """Sorted by start; of overlapping ones the first listed wins (markers, then mentions in text order)."""
    kept: list[Entity] = []
    for entity in entities:
        if not any(entity.start < other.end and other.start < entity.end for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda entity: entity.start)


class _OffsetMap:
    """Document.text offsets -> offsets in the text the Document was read from. The text reader keeps every
    line of a passage as it was, only stripped (sources/plain_text.py), so each line is found in the text,
    in order; an offset maps through the line it lies in."""

    def __init__(self, document: Document, text: str) -> None:
        self.starts: list[int] = []  # where each line starts in document.text
        self.lines: list[tuple[int, int]] = []  # (its start in text, its length)
        cursor = 0
        for passage in document.passages:
            at = passage.offset
            for line in passage.text.split("\n"):
                found = text.find(line, cursor) if line else -1
                if found >= 0:
                    self.starts.append(at)
                    self.lines.append((found, len(line)))
                    cursor = found + len(line)
                at += len(line) + 1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) in the text, or None where the span is not on one line of it."""
        index = bisect.bisect_right(self.starts, start) - 1
        if index < 0:
            return None
        line_start, length = self.lines[index]
        offset = start - self.starts[index]
        if end - self.starts[index] > length:
            return None
        return line_start + offset, line_start + end - self.starts[index]


class FlarekbComponent:
    """Sets doc._.case_findings and flarekb's entities on doc.ents (see the module's docstring)."""

    def __call__(self, doc: Doc) -> Doc:
        findings, entities = case_entities(doc.text)
        doc._.case_findings = findings
        spans = []
        for entity in entities:
            span = doc.char_span(entity.start, entity.end, label=entity.label, kb_id=entity.kb_id,
                                 alignment_mode="expand")
            if span is None:
                continue
            span._.direction, span._.day = entity.direction, entity.day
            spans.append(span)
        spans = _token_disjoint(spans)
        kept = [ent for ent in doc.ents if not any(ent.start < s.end and s.start < ent.end for s in spans)]
        doc.ents = sorted(spans + kept, key=lambda span: span.start)
        return doc


def _token_disjoint(spans: list[Span]) -> list[Span]:
    """Expanded to whole tokens, two entities may share one (a tokenizer that keeps "IL-6-related" whole)."""
    kept: list[Span] = []
    for span in spans:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


@Language.factory("flarekb", requires=[], assigns=["doc.ents", "doc._.case_findings", "span._.direction", "span._.day"])
def make_flarekb(nlp: Language, name: str) -> FlarekbComponent:
    """The `flarekb` pipe: `nlp.add_pipe("flarekb")`."""
    return FlarekbComponent()
