"""PMC JATS full text -> Documents (work in progress)."""

from __future__ import annotations

from extractor.errors import BadInput
from extractor.models import Document

SOURCE = "pmc-jats"
ROOT_TAGS = frozenset({"article", "pmc-articleset"})


def parse_jats(data: bytes, name: str) -> list[Document]:
    raise BadInput(f"{name}: PMC JATS is not supported yet")
