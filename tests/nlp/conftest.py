"""Helpers for the nlp tests: Documents built from plain text, as the text parser would."""

from __future__ import annotations

import pytest

from extractor.models import Document, Passage


def make_document(text: str, title: str = "", doc_id: str = "test") -> Document:
    passages = ([Passage("title", title)] if title else []) + [Passage("text", text)]
    return Document(id=doc_id, source="text", title=title, passages=passages)


@pytest.fixture
def seed_documents(seeds_dir) -> dict[str, Document]:
    """The two seed reports as text Documents, keyed by the id the gold file uses."""
    by_id = {}
    for path in sorted(seeds_dir.iterdir()):
        doc_id = "40827251" if "40827251" in path.name else "PMC12983044"
        by_id[doc_id] = make_document(path.read_text(encoding="utf-8"), doc_id=doc_id)
    return by_id
