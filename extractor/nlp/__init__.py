"""nlp: a Document's text -> CaseFindings (drugs, disease, flare with onset, markers with direction and day,
resolution), every finding with the sentence and offsets it came from.

    from extractor.nlp import extract_findings, extract_many
    findings = extract_findings(document)
    for findings in extract_many(documents, n_process=2): ...

The domain vocabulary it reads is in extractor/lexicons (data files, and how texts are folded for matching).
Modules, in reading order: substrings (where the fixed strings some rules start from occur, in one pass),
text (sentences, clauses), mentions (lexicon matching, short forms), morphology (hyper-...-emia, -penia:
direction in the word), abbreviations (scispaCy's tokenizer and abbreviation algorithm), sentences (the case
text as sentences with their mentions), timing (days), reference (a value against its reference interval),
direction (marker direction), unnamed (engagers named by their targets), cohort (patients counted), findings
(assembly).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice

from extractor import collector
from extractor.models import CaseFindings, Document, Passage
from extractor.nlp.abbreviations import tokenizer
from extractor.nlp.findings import findings_from
from extractor.nlp.mentions import compile_matchers

__all__ = ["extract_findings", "extract_many"]

_CHUNK_SIZE = 16  # documents sent to a worker at a time: few round trips, little left waiting at the end
# Documents read ahead of extraction. Reading a few hundred records, then extracting them, keeps each side's
# data (the XML parser's, the rules' regular expressions, lexicons and automata) in the CPU caches for longer
# than alternating record by record: 10% faster on 5,000 PubMed abstracts than one at a time, and 256 about 8%
# faster than 64 since the lexicon search has an automaton of several MB (BENCHMARKS.md), for a few MB more.
READ_AHEAD = 256


def extract_findings(document: Document) -> CaseFindings:
    warm_up()
    return findings_from(document)


def extract_many(documents: Iterable[Document], n_process: int = 1) -> Iterator[CaseFindings]:
    """Findings for each document, in order. The iterable is consumed lazily, READ_AHEAD documents at a time.
    With n_process > 1 the documents are read here and extracted in that many worker processes; the
    findings come back in order."""
    warm_up()
    if n_process <= 1:
        documents = iter(documents)
        while True:
            batch: list[Document] = []
            try:
                batch.extend(islice(documents, READ_AHEAD))
            except Exception:  # reading failed half-way (a bad record): what was read before it still counts
                yield from _findings_of(batch)
                raise
            if not batch:
                return
            yield from _findings_of(batch)
    # fork, where the platform has it, starts the workers with the matchers compiled and the tokenizer loaded
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(n_process, initializer=warm_up) as pool:
        for findings in pool.imap(_extract_packed, map(_pack, documents), chunksize=_CHUNK_SIZE):
            yield CaseFindings.from_json(findings)


def _findings_of(batch: list[Document]) -> list[CaseFindings]:
    # The rules make many short-lived objects and no reference cycles (collector.py): 1-3% faster without the
    # collector. Paused only while the batch is extracted, not while the caller handles the findings.
    with collector.paused():
        return [findings_from(document) for document in batch]


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
    with collector.paused():  # as in one process (_findings_of)
        return findings_from(document).to_json()


@cache
def warm_up() -> None:
    """Compile the lexicon matchers and load scispaCy's tokenizer, once per process (in a forked worker it
    finds them loaded already), so that the first document does not pay for them."""
    compile_matchers()
    tokenizer()
    # They (and what the process had loaded before: ~95,000 objects in all) live as long as the process. Out
    # of the collector's generations, they are not scanned again at every full collection during extraction
    # (in flarekb's own processes only: collector.py).
    collector.freeze()
