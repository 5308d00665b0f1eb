"""NCBI's bulk files as streams of records: PubMed baseline and update files, PMC Open Access packages.

    bulk_files(paths)              -> list[Path]             the files named, and those in directories named
    read_bulk(path, name, wanted)  -> BulkReading            .items: BulkRecord | Deletion | PassedRecord

A PubMed file (`*.xml.gz`, `*.xml`) is cut into its records as the decompressed bytes stream past: each
PubmedArticle keeps the bytes NCBI wrote, wrapped as one-record PubmedArticleSet exactly as refresh caches an
efetch answer (records.one_record_file), and is parsed to its Document from those bytes alone. A
DeleteCitation yields a Deletion per PMID. A PMC package (`*.tar.gz` of JATS `.xml`/`.nxml`) is read member
by member from the compressed stream. Memory holds one record (one article) at a time, whatever the file's
size. The reading also hashes the file's bytes as they are read (`BulkReading.sha256`, `.bytes_read`).

`wanted`, a test on a PubMed record's raw text (pubmed_xml.iter_pubmed_xml), spares the Document of every
record it turns down: such a record comes out as a PassedRecord, its id alone. A PMC article always gets its
Document (its text is made of more than whole elements' text: floats are left out of the paragraphs around
them).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import tarfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from extractor.errors import BadInput
from extractor.models import Document
from extractor.sources import pmc_jats, pubmed_xml
from extractor.sources.pubmed_xml import Deletion, Unread
from extractor.sources.records import InvalidResponse, one_record_file, read_pmc_set
from extractor.sources.xmlsafe import MAX_DOCUMENT_BYTES

PUBMED_SUFFIXES = (".xml.gz", ".xml")
PMC_SUFFIXES = (".tar.gz", ".tgz")
_JATS_MEMBERS = (".xml", ".nxml")
_CHUNK = 1 << 20
_RECORD_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle)[\s>]")
_ROOT_START = re.compile(rb"<PubmedArticleSet(?:\s[^>]*)?>")


@dataclass(frozen=True)
class BulkRecord:
    db: str  # "pubmed" or "pmc": where its raw bytes go in corpora/ (sources.cache)
    record_id: str  # PMID or PMCID
    head: bytes  # the file's prologue up to its root's start tag (b"" for a PMC article: `piece` is whole)
    piece: bytes  # the record's bytes as NCBI wrote them
    document: Document

    def raw(self) -> bytes:
        """A document holding this one record, as refresh caches it (made only for the records kept)."""
        return one_record_file(self.head, self.piece) if self.head else self.piece


@dataclass(frozen=True)
class PassedRecord:
    """A record the reading's `wanted` turned down: no Document was made."""

    db: str
    record_id: str


def bulk_files(paths: Iterable[Path]) -> list[Path]:
    """Every bulk file named or inside a directory named (not recursing), each once, in the order given
    (a directory's files by name). BadInput naming the path for anything missing or not a bulk file."""
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and is_bulk_file(p))
            if not inside:
                raise BadInput(f"{path}: no PubMed (*.xml.gz, *.xml) or PMC (*.tar.gz) bulk files in this directory")
            found.update(dict.fromkeys(inside))
        elif path.is_file():
            if not is_bulk_file(path):
                raise BadInput(f"{path}: not a PubMed baseline/update file (*.xml.gz, *.xml) or a PMC package (*.tar.gz)")
            found[path] = None
        else:
            raise BadInput(f"{path}: no such file or directory")
    return list(found)


def is_bulk_file(path: Path) -> bool:
    return path.name.lower().endswith(PUBMED_SUFFIXES + PMC_SUFFIXES)


def records_db(file_name: str) -> str:
    """'pmc' for a PMC package, 'pubmed' for a PubMed file: the database its records' ids belong to."""
    return "pmc" if file_name.lower().endswith(PMC_SUFFIXES) else "pubmed"


class _HashingReader:
    """A binary file that hashes what is read through it and counts it (the progress a reader has made)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        self.bytes_read += len(data)
        return data

    def readable(self) -> bool:
        return True


class BulkReading:
    """One pass over a bulk file. Iterate `items`; then `sha256` is the file's checksum."""

    def __init__(self, path: Path, name: str, wanted: Callable[[str], bool] | None = None) -> None:
        self.path, self.name, self.wanted = path, name, wanted
        self._reader: _HashingReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read if self._reader else 0

    @property
    def sha256(self) -> str:
        return self._reader.sha256.hexdigest() if self._reader else ""

    @property
    def items(self) -> Iterator[BulkRecord | Deletion | PassedRecord]:
        try:
            with self.path.open("rb") as raw:
                self._reader = _HashingReader(raw)
                if records_db(self.path.name) == "pmc":
                    yield from _pmc_package(self._reader, self.name)
                else:
                    yield from _pubmed_file(self._decompressed(raw), self.name, self.wanted)
                while self._reader.read(_CHUNK):  # trailing bytes count in the checksum too
                    pass
        except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
            raise BadInput(f"{self.name}: cannot read ({getattr(error, 'strerror', None) or error})") from None

    def _decompressed(self, raw: BinaryIO) -> BinaryIO:
        magic = raw.read(2)
        raw.seek(0)
        return gzip.GzipFile(fileobj=self._reader, mode="rb") if magic == b"\x1f\x8b" else self._reader


def read_bulk(path: Path, name: str = "", wanted: Callable[[str], bool] | None = None) -> BulkReading:
    return BulkReading(Path(path), name or str(path), wanted)


def _pubmed_file(
    stream: BinaryIO, name: str, wanted: Callable[[str], bool] | None
) -> Iterator[BulkRecord | Deletion | PassedRecord]:
    """The records of a PubMed file, parsed by the one streaming reader (pubmed_xml.iter_pubmed_xml); the
    tee between the file and the parser cuts the same bytes into records as they pass, so the n-th
    Document is paired with the n-th record's bytes without reading the file twice."""
    tee = _RecordTee(stream, name)
    for item in pubmed_xml.iter_pubmed_xml(tee, name, wanted):
        if isinstance(item, Deletion):
            yield item
            continue
        if not tee.pieces or item.pmid is None:
            raise BadInput(f"{name}: a record without a PMID, or whose bytes could not be told apart")
        piece = tee.pieces.popleft()
        if isinstance(item, Unread):
            yield PassedRecord("pubmed", item.pmid)
        else:
            yield BulkRecord("pubmed", item.pmid, tee.head, piece, item)


class _RecordTee:
    """A binary stream for the XML parser that also cuts what passes through it into records: each
    PubmedArticle / PubmedBookArticle from its start tag to its end tag, queued in `pieces` until the
    parser's Document for it is handed out. (Markup cannot occur in XML text, where '<' is escaped, so the
    tags found are the records' own.) The queue holds the records of at most one parser chunk."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream, self._name = stream, name
        self.pieces: deque[bytes] = deque()
        self.head = b""  # the file up to and including <PubmedArticleSet ...>
        self._pending = b""  # bytes after the last complete record
        self._replay: bytes | None = None  # what was read before the parser's seek(0), read again
        self._read_before_seek = bytearray()
        self._seeked = False

    def read(self, size: int = -1) -> bytes:
        if self._replay:
            data, self._replay = self._replay[:size], self._replay[size:]
            return data
        data = self._stream.read(size)
        if not self._seeked:
            self._read_before_seek += data
        self._cut(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        """The parser looks at the prolog, then starts over (xmlsafe.iterparse_xml): replay what it read. On
        the error path it reads on to count lines; it then reads on from where it is."""
        if offset == 0 and whence == 0 and not self._seeked:
            self._replay, self._seeked = bytes(self._read_before_seek), True
            self._read_before_seek = bytearray()
        return 0

    def readable(self) -> bool:
        return True

    def _cut(self, data: bytes) -> None:
        buffer = self._pending + data
        at = 0
        if not self.head:
            root = _ROOT_START.search(buffer)
            if root is None:
                self._pending = buffer
                return
            self.head, at = buffer[: root.end()], root.end()
        while True:
            start = _RECORD_START.search(buffer, at)
            if start is None:
                last = buffer.rfind(b"<", at)  # the start of a tag that the next read completes
                self._pending = buffer[last:] if last >= 0 else b""
                return
            end = buffer.find(b"</" + start.group(1) + b">", start.end())
            if end < 0:
                self._pending = buffer[start.start():]
                if len(self._pending) > MAX_DOCUMENT_BYTES:
                    raise BadInput(f"{self._name}: a record longer than {MAX_DOCUMENT_BYTES:,} bytes")
                return
            at = end + len(start.group(1)) + 3
            self.pieces.append(buffer[start.start() : at])


def _pmc_package(stream: BinaryIO, name: str) -> Iterator[BulkRecord]:
    with tarfile.open(fileobj=stream, mode="r|gz") as package:
        for member in package:
            if not (member.isfile() and member.name.lower().endswith(_JATS_MEMBERS)):
                continue
            where = f"{name}:{member.name}"
            if member.size > MAX_DOCUMENT_BYTES:
                raise BadInput(f"{where}: {member.size:,} bytes is larger than the limit for one document")
            data = package.extractfile(member).read()
            yield from _pmc_articles(data, where)


def _pmc_articles(data: bytes, name: str) -> Iterator[BulkRecord]:
    documents = pmc_jats.parse_jats(data, name)
    if len(documents) == 1:
        pieces = {documents[0].pmcid: data}
    else:  # a pmc-articleset of several articles: one file each, as refresh caches them
        try:
            pieces = read_pmc_set(data)
        except InvalidResponse as error:
            raise BadInput(f"{name}: {error}") from None
    for document in documents:
        if document.pmcid is None or document.pmcid not in pieces:
            raise BadInput(f"{name}: a JATS article without a PMC id")
        yield BulkRecord("pmc", document.pmcid, b"", pieces[document.pmcid], document)
