"""One scan task: one bulk file in, the records it keeps and the PMIDs it deletes out. Runs on a Dask worker
(or in the calling process); needs nothing but the file's path and returns plain data, so a worker that dies
leaves nothing half-done behind: the scheduler runs the task again elsewhere.

Every record is parsed (bulk.read_bulk); the prefilter's cheap test on its raw text (might_keep_text) spares
the Document of most, its exact test (might_keep) on the Document of the others decides which are extracted
in full, READ_AHEAD at a time (nlp.extract_many); those whose findings are kept (prefilter.keeps) come back
with their raw bytes, and the ids of all records (4 bytes each). When a file names one id more than once (a
record, then its DeleteCitation or a revised version), the last one counts.
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import BadInput
from extractor.models import Document
from extractor.nlp import extract_many
from extractor.scan.prefilter import keeps, might_keep, might_keep_text
from extractor.sources import parse_bytes
from extractor.sources.bulk import BulkRecord, read_bulk
from extractor.sources.pubmed_xml import Deletion

PROGRESS_TOPIC = "flarekb-scan"  # the Dask event topic a task reports its progress on
PROGRESS_EVERY_S = 0.5
_KIND = {"pubmed": "pubmed-xml", "pmc": "pmc-jats"}


@dataclass
class KeptRecord:
    db: str  # pubmed | pmc
    record_id: str
    raw: bytes


@dataclass
class FileResult:
    name: str  # the file's name, without its directory
    size: int
    sha256: str
    records: int = 0  # records read
    candidates: int = 0  # records the prefilter let through to the full extraction
    kept: list[KeptRecord] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # PMIDs withdrawn by the file's DeleteCitations
    seen: bytes = b""  # every record's id (PMID, or PMCID's number) as sorted uint32s: a later file's version
    # of a record an earlier file kept, no longer kept, must undo it (state.apply)
    error: str | None = None  # why the file could not be read to its end (then it is not done)


@dataclass
class ProgressReport:
    worker: str  # the address of the worker scanning the file ("" outside Dask)
    name: str
    records: int
    kept: int
    bytes_read: int
    size: int


def scan_file(path: str, topic: str | None = None) -> FileResult:
    """Scan the bulk file at `path`. With `topic`, progress goes to Dask's event log under it (the worker's)."""
    file = Path(path)
    report, worker = _reporter(topic)
    reading = read_bulk(file, wanted=might_keep_text)
    result = FileResult(name=file.name, size=file.stat().st_size, sha256="")
    last: dict[tuple[str, str], int] = {}  # (db, id) of candidates and deletions -> its last appearance
    kept: dict[tuple[str, str], tuple[int, KeptRecord]] = {}
    deleted: dict[str, int] = {}
    seen = array("I")
    waiting: deque[tuple[int, BulkRecord]] = deque()  # candidates, in the order extract_many answers them
    sequence = 0
    reported = time.monotonic()

    def candidates() -> Iterator[Document]:
        nonlocal sequence, reported
        for item in reading.items:
            sequence += 1
            if isinstance(item, Deletion):
                deleted[item.pmid] = last[("pubmed", item.pmid)] = sequence
                continue
            result.records += 1
            seen.append(int(item.record_id.removeprefix("PMC")))
            key = (item.db, item.record_id)
            if isinstance(item, BulkRecord) and might_keep(item.document):
                last[key] = sequence
                result.candidates += 1
                waiting.append((sequence, item))
                yield item.document
            elif key in last:  # a later version of a candidate or deleted record: it decides (memory: only these)
                last[key] = sequence
            if time.monotonic() - reported > PROGRESS_EVERY_S:
                reported = time.monotonic()
                report(ProgressReport(worker, file.name, result.records, len(kept), reading.bytes_read, result.size))

    try:
        for findings in extract_many(candidates()):
            at, record = waiting.popleft()
            if keeps(findings):
                kept[(record.db, record.record_id)] = (at, KeptRecord(record.db, record.record_id, _checked_raw(record)))
    except BadInput as error:
        result.error = str(error)
        return result
    result.sha256 = reading.sha256
    result.seen = array("I", sorted(set(seen))).tobytes()
    # the last appearance of each id decides: kept, deleted, or a later version that is not kept (neither)
    result.kept = [record for key, (at, record) in sorted(kept.items()) if last[key] == at]
    result.deleted = sorted(pmid for pmid, at in deleted.items() if last[("pubmed", pmid)] == at)
    report(ProgressReport(worker, file.name, result.records, len(result.kept), reading.bytes_read, result.size))
    return result


def _checked_raw(record: BulkRecord) -> bytes:
    """The bytes corpora/ will hold, checked to read back as the very document that was kept: `build` must
    find in them what the scan found."""
    raw = record.raw()
    again = parse_bytes(raw, record.document.path, expect=_KIND[record.db])
    if len(again) != 1 or again[0].text != record.document.text or again[0].id != record.document.id:
        raise BadInput(f"{record.document.path}: the bytes of {record.record_id} do not read back as its record")
    return raw


def _reporter(topic: str | None) -> tuple[Callable[[ProgressReport], None], str]:
    """How progress is reported, and by which worker."""
    if topic is None:
        return (lambda progress: None), ""
    from distributed import get_worker

    worker = get_worker()
    return (lambda progress: worker.log_event(topic, vars(progress))), worker.address
