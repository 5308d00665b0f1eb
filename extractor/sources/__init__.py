"""Documents from files or fetched bytes: sniff what the content is, hand it to the parser for that kind.

    iter_documents(path)       -> Iterator[Document]  a file on disk, document by document (PubMed XML is
                                                      streamed record by record, any size, constant memory)
    read_documents(path)       -> list[Document]   the same, as a list
    parse_bytes(data, name)    -> list[Document]   bytes already in memory (what the crawler fetched)

Kinds: PubMed XML (pubmed_xml), PMC JATS (pmc_jats), an HTML article page (html_page), text/Markdown
(plain_text). The content decides, not the extension. Anything unusable is BadInput("<name>: <what>").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from extractor.errors import BadInput
from extractor.models import Document
from extractor.sources import html_page, plain_text, pmc_jats, pubmed_xml
from extractor.sources.xmlsafe import check_size

__all__ = ["iter_documents", "parse_bytes", "read_documents", "sniff_kind"]

_SNIFF_BYTES = 64 * 1024
_XML_EXTENSIONS = (".xml", ".nxml")
_TEXT_EXTENSIONS = (".txt", ".md", ".markdown")
_MAGIC = {
    b"\x1f\x8b": "gzip-compressed data; decompress it first",
    b"PK\x03\x04": "a ZIP archive, not a document",
    b"%PDF": "a PDF file; flarekb reads PubMed/PMC XML, HTML pages and text",
}
_PROLOG_NOISE = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML_ROOTS = frozenset({"html", "head", "body"})
_NCBI_ERROR = re.compile(r"<ERROR>(.*?)</ERROR>", re.DOTALL)


def read_documents(path: Path) -> list[Document]:
    """The documents in the file at `path` (one per PubMed record; one for the other kinds)."""
    return list(iter_documents(path))


def iter_documents(path: Path) -> Iterator[Document]:
    """The documents in the file at `path`, one at a time.

    What is wrong with the file as a whole (no such file, a directory, unreadable, not a kind flarekb reads,
    too large) is raised by this call, before any document. PubMed XML is then parsed record by record as
    the iterator is consumed: a fault half-way is a BadInput raised after the documents before it. A
    DeleteCitation's PMIDs are not documents and are skipped. The other kinds are parsed whole at the first
    next(), their faults raised there.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{name}: is a directory, not a document") from None
    except OSError as error:
        raise _cannot_read(name, error) from None
    kind = sniff_kind(head, name, complete=size <= len(head))
    if kind == pubmed_xml.SOURCE:
        return _pubmed_documents(path, name)  # streamed: baseline files are large; no size limit
    check_size(size, name)
    return _whole_file_documents(kind, path, name)


def _pubmed_documents(path: Path, name: str) -> Iterator[Document]:
    try:
        for item in pubmed_xml.iter_pubmed_xml(path, name):
            if isinstance(item, Document):  # not a pubmed_xml.Deletion
                yield item
    except OSError as error:  # the file went away or failed after the checks above
        raise _cannot_read(name, error) from None


def _whole_file_documents(kind: str, path: Path, name: str) -> Iterator[Document]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _cannot_read(name, error) from None
    yield from _parse(kind, data, name)


def _cannot_read(name: str, error: OSError) -> BadInput:
    return BadInput(f"{name}: cannot read ({error.strerror or error})")


def parse_bytes(data: bytes, name: str, expect: str | None = None) -> list[Document]:
    """The documents in `data`; `name` (a path or a PMID) is what error messages show.

    `expect` ("pubmed-xml", "pmc-jats", ...) turns any other kind into BadInput: an efetch answer that is an
    HTML error page must not become a document.
    """
    kind = sniff_kind(data[:_SNIFF_BYTES], name, complete=len(data) <= _SNIFF_BYTES)
    if expect is not None and kind != expect:
        raise BadInput(f"{name}: expected {expect} but the content is {kind}")
    check_size(len(data), name)
    return _parse(kind, data, name)


def sniff_kind(head: bytes, name: str, complete: bool = True) -> str:
    """'pubmed-xml' | 'pmc-jats' | 'html' | 'text' from the first bytes; BadInput for anything else.

    `complete` says `head` is the whole content, so a missing root element means truncation.
    """
    if not head.strip():
        raise BadInput(f"{name}: empty file")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise BadInput(f"{name}: {what}")
    text = _readable_head(head)
    if "\x00" in text:
        raise BadInput(f"{name}: binary data, not a document")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return _markup_kind(stripped, name, complete)
    if stripped.startswith(("{", "[")) and (name.lower().endswith(".json") or complete and _is_json(head)):
        raise BadInput(f"{name}: JSON is not a document format flarekb reads (PubMed/PMC XML, HTML, text)")
    return plain_text.SOURCE


def _markup_kind(text: str, name: str, complete: bool) -> str:
    if re.match(r"(?:<\?.*?\?>\s*)?<!DOCTYPE\s+html", text, re.IGNORECASE | re.DOTALL):
        root = "html"
    else:
        match = _FIRST_TAG.search(_PROLOG_NOISE.sub("", text))
        if match is None and name.lower().endswith(_TEXT_EXTENSIONS):
            return plain_text.SOURCE  # notes that open with '<!-- ... -->' or '<5 mg/L'
        if match is None:
            if complete:
                raise BadInput(f"{name}: truncated XML (no root element)")
            raise BadInput(f"{name}: no root element in the first {_SNIFF_BYTES:,} bytes")
        root = match.group(1)
    if root.lower() in _HTML_ROOTS:
        if name.lower().endswith(_XML_EXTENSIONS):
            raise BadInput(f"{name}: an HTML page where XML was expected (an error page from the server?)")
        return html_page.SOURCE
    local_root = root.rsplit(":", 1)[-1]
    if local_root in pubmed_xml.ROOT_TAGS:
        return pubmed_xml.SOURCE
    if local_root in pmc_jats.ROOT_TAGS:
        return pmc_jats.SOURCE
    ncbi_error = _NCBI_ERROR.search(text)
    detail = f" (NCBI error: {' '.join(ncbi_error.group(1).split())[:200]})" if ncbi_error else ""
    raise BadInput(f"{name}: root element <{root}> is not a PubMed or PMC article{detail}")


def _parse(kind: str, data: bytes, name: str) -> list[Document]:
    if kind == pubmed_xml.SOURCE:
        return pubmed_xml.parse_pubmed_xml(data, name).documents
    if kind == pmc_jats.SOURCE:
        return pmc_jats.parse_jats(data, name)
    if kind == html_page.SOURCE:
        return [html_page.parse_html(data, name)]
    return [plain_text.parse_text(plain_text.decode_text(data, name), name)]


def _readable_head(head: bytes) -> str:
    """The head as text, for sniffing only: UTF-16 by its BOM, else bytes as Latin-1 (never fails)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("latin-1")


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True
