"""The Python face of flarekb (re-exported by `extractor`): the same functions the `flarekb` commands run.

    extract_text(text, *, pmid=, pmcid=, doi=) -> CaseFindings   as `flarekb extract case.txt`
    extract_file(path) -> list[CaseFindings]                      as `flarekb extract PATH`
    load_kb(path=None) -> KnowledgeBase                           kb/ for `markers`, `ask` and the graph

Imports are inside the functions: `import extractor` stays cheap for the commands that only query kb/.
Bad input raises `extractor.errors.BadInput` with a one-line message, as the commands print it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from extractor.graph.ask import Answer
    from extractor.graph.index import MarkerRow
    from extractor.models import CaseFindings, Document

TEXT_NAME = "text"  # what error messages call a text given in memory; the findings' id when it names no paper


def document_from_text(text: str, *, pmid: str | None = None, pmcid: str | None = None,
                       doi: str | None = None) -> Document:
    """The Document `flarekb extract` reads from a `.txt`/`.md` file holding `text` (the same layouts: a
    PubMed page, Markdown, paragraphs); identifiers given here win over those found in the text."""
    from extractor.sources import identifiers, plain_text

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    document = plain_text.parse_text(text, TEXT_NAME)
    given = identifiers.Identifiers(
        pmid=identifiers.normalise_pmid(pmid) if pmid is not None else None,
        pmcid=identifiers.normalise_pmcid(pmcid) if pmcid is not None else None,
        doi=identifiers.normalise_doi(doi) if doi is not None else None,
    )
    if given == identifiers.Identifiers():
        return document
    ids = given.or_else(identifiers.Identifiers(document.pmid, document.pmcid, document.doi))
    return replace(document, id=identifiers.document_id(ids, TEXT_NAME), pmid=ids.pmid, pmcid=ids.pmcid,
                   doi=ids.doi)


def extract_text(text: str, *, pmid: str | None = None, pmcid: str | None = None,
                 doi: str | None = None) -> CaseFindings:
    """Findings from the text of one case report (plain text or Markdown)."""
    from extractor.nlp import extract_findings

    return extract_findings(document_from_text(text, pmid=pmid, pmcid=pmcid, doi=doi))


def extract_file(path: str | os.PathLike[str]) -> list[CaseFindings]:
    """Findings from a file, one per document in it: a list, since a PubMed XML file may hold many records
    (PMC JATS XML, an HTML page, `.txt` and `.md` hold one)."""
    from extractor.nlp import extract_many
    from extractor.sources import iter_documents

    return list(extract_many(iter_documents(Path(path))))


def load_kb(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """The knowledge base in `path` (default: $FLAREKB_KB, else kb/ in the working directory). Nothing is
    read until a question is asked; each question reads the kb/ files as they are then."""
    return KnowledgeBase(Path(path) if path is not None else Path(os.environ.get("FLAREKB_KB", "kb")))


class KnowledgeBase:
    """Questions to one kb/ directory, answered as `flarekb markers`, `flarekb ask` and `flarekb export` do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"KnowledgeBase({str(self.path)!r})"

    def markers(self, *, drug: str | None = None, target: str | None = None,
                marker: str | None = None) -> list[MarkerRow]:
        """Rows of (marker, direction, n_cases, days, drugs, evidence), most supported first, for one of:
        a drug (any name the lexicon knows: "Imdelltra", "AMG 757"), an engager target ("BCMA",
        "DLL3xCD3"), or a marker ("il-6": one row per drug and direction). With none: every engager."""
        from extractor.errors import BadInput
        from extractor.graph import queries, store
        from extractor.graph.ask import (
            canonical_drug,
            canonical_marker,
            canonical_target,
        )

        if sum(value is not None for value in (drug, target, marker)) > 1:
            raise BadInput("ask for one of a drug, a target or a marker at a time")
        with store.open_index(self.path) as index:
            if drug is not None:
                return queries.markers_with_flare(index, drug=canonical_drug(drug))
            if target is not None:
                return queries.markers_with_flare(index, target=canonical_target(index, target))
            if marker is not None:
                return queries.marker_by_drug(index, canonical_marker(marker))
            return queries.markers_with_flare(index)

    def ask(self, question: str) -> Answer:
        """A plain question ("which markers accompany flare with tarlatamab"): its `.rows` and `.title`."""
        from extractor.graph import store
        from extractor.graph.ask import answer

        with store.open_index(self.path) as index:
            return answer(index, question)

    def graph(self) -> nx.MultiDiGraph:
        """The knowledge graph (networkx MultiDiGraph; DESIGN.md's schema with Biolink terms)."""
        from extractor.graph import store
        from extractor.graph.build import build_graph

        return build_graph(store.load_index(self.path))
