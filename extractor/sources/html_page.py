"""HTML article pages saved from a browser -> one Document (work in progress)."""

from __future__ import annotations

from extractor.errors import BadInput
from extractor.models import Document

SOURCE = "html"


def parse_html(data: bytes, name: str) -> Document:
    raise BadInput(f"{name}: HTML pages are not supported yet")
