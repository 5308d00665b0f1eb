"""Text of an XML element with its inline markup flattened the way a reader would see it.

NCBI sometimes drops the spaces around inline tags (`at the<i>TERT</i>gene`), so joining the pieces of
`itertext()` as they are glues words. Here an inline boundary between two words (`TERT</i>gene`), or a
word and a bracket or comma (`TERT</i>(linkage`) becomes a space, except for sub/superscripts where gluing
is right (`r<sup>2</sup>` -> 'r2').
"""

from __future__ import annotations

import re

from lxml import etree

from extractor.sources.xmlsafe import local_name

_GLUED_TAGS = frozenset({"sub", "sup"})
_SPACE = re.compile(r"\s+")
_ENDS_WORD = "),;"
_STARTS_WORD = "("
_BOUNDARY = "\x00"  # placeholder between pieces; NUL cannot occur in XML text


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def inline_text(element: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """All text under `element` on one line; subtrees whose local name is in `skip` are left out."""
    if len(element) == 0:  # the common case: no markup inside
        return normalise_space(element.text or "")
    pieces: list[str] = []
    _collect(element, skip, pieces)
    return normalise_space(_join_at_boundaries(pieces))


def _collect(element: etree._Element, skip: frozenset[str], pieces: list[str]) -> None:
    if element.text:
        pieces.append(element.text)
    for child in element:
        name = local_name(child)
        # Comments and processing instructions (name "") and skipped subtrees contribute only their tail.
        if name and name not in skip:
            glued = name in _GLUED_TAGS
            if not glued:
                pieces.append(_BOUNDARY)
            _collect(child, skip, pieces)
            if not glued:
                pieces.append(_BOUNDARY)
        if child.tail:
            pieces.append(child.tail)


def _join_at_boundaries(pieces: list[str]) -> str:
    out: list[str] = []
    last_char = ""
    for part in "".join(pieces).split(_BOUNDARY):
        if not part:
            continue
        if (last_char.isalnum() or last_char in _ENDS_WORD) and (part[0].isalnum() or part[0] in _STARTS_WORD):
            out.append(" ")
        out.append(part)
        last_char = part[-1]
    return "".join(out)
