"""Text of an XML element with its inline markup flattened the way a reader would see it.

NCBI sometimes drops the spaces around inline tags (`at the<i>TERT</i>gene`), so joining the pieces of
`itertext()` as they are glues words. Here an inline boundary between two words (`TERT</i>gene`), or a
word and a bracket or comma (`TERT</i>(linkage`) becomes a space; single letters beside a tag
(`M<i>m</i>PPOX`) and sub/superscripts (`r<sup>2</sup>`) stay glued, as printed.
"""

from __future__ import annotations

import re

from lxml import etree

from extractor.sources.xmlsafe import local_name

_GLUED_TAGS = frozenset({"sub", "sup"})
# Block elements always stand apart from their neighbours ('Figure title.</title><p>Text' -> '... title. Text').
_BLOCK_TAGS = frozenset(
    {"p", "title", "label", "caption", "list", "list-item", "sec", "table", "thead", "tbody", "tr", "td", "th",
     "disp-quote", "def-list", "def-item", "term", "def", "break", "AbstractText"}
)
_ENDS_WORD = "),;"
_STARTS_WORD = "("
_LEADING_WORD = re.compile(r"\S*")
_TRAILING_WORD = re.compile(r"\S*$")
_BOUNDARY = "\x00"  # placeholder between pieces; NUL cannot occur in XML text


def normalise_space(text: str) -> str:
    """Runs of whitespace (newlines, tabs, no-break spaces) become one space; ends stripped."""
    return " ".join(text.split())


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
            separator = "" if name in _GLUED_TAGS else " " if name in _BLOCK_TAGS else _BOUNDARY
            pieces.append(separator)
            _collect(child, skip, pieces)
            pieces.append(separator)
        if child.tail:
            pieces.append(child.tail)


def _join_at_boundaries(pieces: list[str]) -> str:
    out: list[str] = []
    word_before = ""  # the run of non-space characters the previous piece ends with
    for part in "".join(pieces).split(_BOUNDARY):
        if not part:
            continue
        word_after = _LEADING_WORD.match(part).group(0)
        if _is_word_break(word_before, out[-1][-1] if out else "", word_after, part[0]):
            out.append(" ")
        word_before = _TRAILING_WORD.search(part).group(0)
        out.append(part)
    return "".join(out)


def _is_word_break(word_before: str, last_char: str, word_after: str, next_char: str) -> bool:
    """Whether a space was lost at an inline boundary: 'the|TERT|gene', 'TERT|(linkage', not 'M|m|PPOX'.

    Single letters beside a tag are usually part of one term (`M<i>m</i>PPOX`, `<i>p</i>NP`), so they glue.
    """
    if len(word_before) == 1 or len(word_after) == 1:
        return False
    ends_word = last_char.isalnum() or last_char in _ENDS_WORD
    starts_word = next_char.isalnum() or next_char in _STARTS_WORD
    return ends_word and starts_word
