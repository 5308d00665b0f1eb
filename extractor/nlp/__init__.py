"""nlp: a Document's text -> CaseFindings (drugs, disease, flare with onset, markers with direction and day,
resolution), every finding with the sentence and offsets it came from.

    from extractor.nlp import extract_findings, extract_many
    findings = extract_findings(document)
    for findings in extract_many(documents): ...

Modules, in reading order: text (folding, sentences), lexicons (data files), mentions (lexicon matching,
short forms), timing (days), direction (marker direction), findings (assembly), pipeline (spaCy + scispaCy).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from extractor.models import CaseFindings, Document
from extractor.nlp.findings import findings_from
from extractor.nlp.pipeline import abbreviation_pairs, parse_many

__all__ = ["extract_findings", "extract_many"]


def extract_findings(document: Document) -> CaseFindings:
    return next(extract_many([document]))


def extract_many(documents: Iterable[Document], n_process: int = 1) -> Iterator[CaseFindings]:
    """Findings for each document, in order; the spaCy pipeline runs over them in batches."""
    documents = list(documents)
    for document, doc in zip(documents, parse_many((d.text for d in documents), n_process=n_process)):
        yield findings_from(document, abbreviation_pairs(doc))
