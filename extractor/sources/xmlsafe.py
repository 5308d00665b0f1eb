"""The one hardened lxml setup every XML parser in flarekb uses (issue 7 item 1).

No entity expansion, no DTD loading, no network; libxml2's own limits stay on (huge_tree=False caps nesting
at 256 levels and a single text node at 10 MB). A DOCTYPE that declares entities is refused outright:
NCBI never sends one, and it is how XXE and billion-laughs attacks start.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from lxml import etree

from extractor.errors import BadInput

# Whole documents parsed in memory (a PMC article, an efetch batch) stay well below this; a PubMed
# baseline file is streamed instead (see pubmed_xml.iter_pubmed_xml), which has no total limit.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_PROLOG_BYTES = 64 * 1024
# The stream is fed to libxml2 in chunks of this size: it parses a 256 KiB chunk measurably faster than
# lxml's default 32 KiB ones (fewer round trips through Python), and larger ones fall out of the CPU cache.
CHUNK_BYTES = 256 * 1024
_ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.DOTALL)
# How a prolog in an encoding that is not ASCII-compatible starts (XML 1.0 appendix F: a byte order mark, or
# '<?' in that encoding), and the codec that reads it. UTF-32 marks before UTF-16 ones: FF FE starts both.
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0?\0", "utf-16-le"),
    (b"\0<\0?", "utf-16-be"),
)
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def safe_parser() -> etree.XMLParser:
    """A fresh parser (lxml parsers are not thread-safe) with entity expansion, DTDs and network off."""
    return etree.XMLParser(remove_pis=True, **_PARSER_OPTIONS)


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse a whole XML document held in memory; any failure is BadInput naming `name`."""
    check_size(len(data), name)
    refuse_entity_declarations(data[:_PROLOG_BYTES], name)
    try:
        root = etree.fromstring(data, safe_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        total_lines = data.count(b"\n") + 1
        raise BadInput(f"{name}: {describe_xml_error(error, total_lines)}") from None
    refuse_internal_dtd_entities(root, name)
    return root


def iterparse_xml(
    source: IO[bytes], name: str, tags: tuple[str, ...], roots: frozenset[str]
) -> Iterator[etree._Element]:
    """Stream the elements named `tags` (at their end) from an open binary file whose root is in `roots`.

    The caller must clear each element it is done with: that is what keeps memory constant.
    """
    head = source.read(_PROLOG_BYTES)
    refuse_entity_declarations(head, name)
    source.seek(0)
    # libxml2 filters by tag, so Python sees only the root's start and the records, not every element.
    parser = etree.XMLPullParser(
        events=("start", "end"), tag=sorted(set(tags) | roots), remove_pis=True, **_PARSER_OPTIONS
    )
    root_checked = False
    try:
        for event, element in _events_up_to_a_fault(parser, source):
            # The first event is the root opening (the DOCTYPE has been read by now), or "close" when no
            # element matched `tags` or `roots` at all.
            if not root_checked:
                refuse_internal_dtd_entities(element, name)
                check_root(element, name, roots)
                root_checked = True
            if event == "end" and local_name(element) in tags:
                yield element
    except (etree.XMLSyntaxError, ValueError) as error:
        raise BadInput(f"{name}: {describe_xml_error(error, _count_lines(source))}") from None


def _events_up_to_a_fault(parser: etree.XMLPullParser, source: IO[bytes]) -> Iterator[tuple[str, etree._Element]]:
    """Feed `source` to `parser` chunk by chunk; every event parsed before a fault comes out before its error.
    The last event is ("close", the root element).

    Not etree.iterparse: since lxml 6.2 its __next__ drops the events still queued from a chunk whose parsing
    failed (`self._events.abort()`, part of the fix for GHSA-59qx-3jjv-x996), so the records completed in
    that chunk before the fault were lost. The queued events are safe to use here: that fix guards against
    nodes of a parsed entity that libxml2 frees on failure, and this parser never expands entities
    (resolve_entities=False; lxml 6.2 holds events back only under XML_PARSE_NOENT).
    """
    while chunk := source.read(CHUNK_BYTES):
        try:
            parser.feed(chunk)
        except (etree.XMLSyntaxError, ValueError):
            yield from parser.read_events()
            raise
        yield from parser.read_events()
    # When close() fails (the input stops inside an element), lxml 6.2 has queued made-up "end" events for
    # the elements left open (flushEvents): they are unfinished records, so they are never read. Nothing real
    # is lost with them: libxml2 handles an end tag as soon as its '>' has been fed.
    root = parser.close()
    yield from parser.read_events()
    yield "close", root


def check_root(root: etree._Element, name: str, roots: frozenset[str]) -> None:
    if local_name(root) not in roots:
        expected = ", ".join(f"<{tag}>" for tag in sorted(roots))
        raise BadInput(f"{name}: root element <{local_name(root)}> is not one of {expected}")


def check_size(size: int, name: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise BadInput(f"{name}: {size:,} bytes is larger than the {MAX_DOCUMENT_BYTES:,}-byte limit for one document")


def refuse_entity_declarations(head: bytes, name: str) -> None:
    """Cheap check on the prolog, before libxml2 sees the DOCTYPE at all: libxml2 refuses some entity
    attacks itself, but in its own words, which change between releases (2.14 stops a UTF-16 billion laughs
    with "Maximum entity amplification factor exceeded")."""
    if _ENTITY_DECLARATION.search(_ascii_compatible(head)):
        raise BadInput(f"{name}: XML declares entities in its DOCTYPE; refused (XXE / entity-expansion risk)")


def refuse_internal_dtd_entities(element: etree._Element, name: str) -> None:
    """The same check after parsing, for encodings the prolog check cannot read (EBCDIC...)."""
    internal_dtd = element.getroottree().docinfo.internalDTD
    if internal_dtd is not None and any(True for _ in internal_dtd.entities()):
        raise BadInput(f"{name}: XML declares entities in its DOCTYPE; refused (XXE / entity-expansion risk)")


def _ascii_compatible(head: bytes) -> bytes:
    """The head re-encoded as UTF-8 when it is UTF-16 or UTF-32; any other encoding XML allows writes
    '<!DOCTYPE' and '<!ENTITY' in ASCII bytes (EBCDIC aside), so it is searched as it is."""
    for signature, codec in _WIDE_ENCODINGS:
        if head.startswith(signature):
            return head.decode(codec, errors="replace").encode("utf-8")
    return head


def describe_xml_error(error: Exception, total_lines: int) -> str:
    """One line saying what libxml2 objected to and where, with the usual causes named.

    An error on the input's last line (other than trailing junk) means the input stops early: truncated.
    """
    message = (getattr(error, "msg", None) or str(error) or type(error).__name__).splitlines()[0]
    if "Excessive depth" in message:
        return "XML nested deeper than 256 levels; refused"
    if "Resource limit exceeded" in message:
        return f"XML exceeds the parser's size limits; refused ({message})"
    if "encoding" in message.lower():
        return f"wrong character encoding ({message})"
    at_last_line = (getattr(error, "lineno", None) or 0) >= total_lines and "Extra content" not in message
    if "Premature end of data" in message or "Document is empty" in message or at_last_line:
        return f"truncated XML ({message})"
    return f"not well-formed XML ({message})"


def _count_lines(source: IO[bytes]) -> int:
    """Lines in the whole stream; only called on the error path, so reading it again is affordable."""
    source.seek(0)
    return sum(chunk.count(b"\n") for chunk in iter(lambda: source.read(1 << 20), b"")) + 1


def local_name(element: etree._Element) -> str:
    """Tag without namespace ('{http://www.w3.org/1998/Math/MathML}mi' -> 'mi'); '' for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
