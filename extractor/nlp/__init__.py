"""nlp: a Document's text -> CaseFindings (drugs, disease, flare with onset, markers with direction and day,
resolution), every finding with the sentence and offsets it came from.

    from extractor.nlp import extract_findings, extract_many
    findings = extract_findings(document)
    for findings in extract_many(documents, n_process=2): ...

Modules, in reading order: text (folding, sentences), lexicons (data files), mentions (lexicon matching,
short forms), timing (days), direction (marker direction), pipeline (scispaCy's tokenizer and abbreviation
algorithm), sentences (the case text as sentences with their mentions), findings (assembly).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator

from extractor.models import CaseFindings, Document, Passage
from extractor.nlp.findings import findings_from
from extractor.nlp.mentions import compile_matchers
from extractor.nlp.pipeline import tokenizer

__all__ = ["extract_findings", "extract_many"]

_CHUNK_SIZE = 16  # documents sent to a worker at a time: few round trips, little left waiting at the end


def extract_findings(document: Document) -> CaseFindings:
    warm_up()
    return findings_from(document)


def extract_many(documents: Iterable[Document], n_process: int = 1) -> Iterator[CaseFindings]:
    """Findings for each document, in order. With n_process > 1 the documents are read here (the iterable
    is consumed lazily) and extracted in that many worker processes; the findings come back in order."""
    warm_up()
    if n_process <= 1:
        for document in documents:
            yield findings_from(document)
        return
    # fork, where the platform has it, starts the workers with the matchers compiled and the tokenizer loaded
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(n_process, initializer=warm_up) as pool:
        for findings in pool.imap(_extract_packed, map(_pack, documents), chunksize=_CHUNK_SIZE):
            yield CaseFindings.from_json(findings)


# Documents go to the workers and findings come back as plain tuples and dicts: pickling dataclasses (and a
# Document's text twice, joined and in passages) costs the parent, which also reads the input, as much again.
_Packed = tuple[str, str, str, list[tuple[str, str, str]], str | None, str | None, str | None, str, str, str]


def _pack(document: Document) -> _Packed:
    passages = [(p.kind, p.text, p.label) for p in document.passages]
    d = document
    return (d.id, d.source, d.title, passages, d.pmid, d.pmcid, d.doi, d.journal, d.year, d.path)


def _extract_packed(packed: _Packed) -> dict:
    doc_id, source, title, passages, pmid, pmcid, doi, journal, year, path = packed
    document = Document(doc_id, source, title, [Passage(*p) for p in passages], pmid, pmcid, doi, journal, year, path)
    return findings_from(document).to_json()


def warm_up() -> None:
    """Compile the lexicon matchers and load scispaCy's tokenizer, once per process (in a forked worker it
    finds them loaded already), so that the first document does not pay for them."""
    compile_matchers()
    tokenizer()
