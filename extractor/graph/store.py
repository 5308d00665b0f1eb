"""kb/ on disk: the stored findings and their query index, written atomically under a lock.

The knowledge base is one JSON Lines file, `kb/findings.jsonl`: a manifest line first, then one
CaseFindings object per line, sorted by id. One file means one `os.replace` switches the old knowledge base
for the new one, so a crash at any moment leaves exactly the old or exactly the new file. The content
depends only on the inputs (no timestamps, no machine paths): the same corpora give the same bytes.

Beside it, `kb/index.jsonl` holds the query index (`index_file.py`), so that a query reads a few lines
rather than every case. It is derived data: `save` writes it first and findings.jsonl last, whose manifest
names the index it was written with (`index`, the index's sha256 id). A query uses the index only when
that name matches (`open_index`); a crash between the two renames, an old knowledge base without an index,
or one edited by hand is answered from findings.jsonl itself, as before.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from extractor import __version__, collector
from extractor.atomicfile import atomic_writer, open_regular
from extractor.errors import KnowledgeBaseError
from extractor.graph import index_file
from extractor.graph.index import KnowledgeIndex, build_index
from extractor.models import CaseFindings

FINDINGS_FILE = "findings.jsonl"
INDEX_FILE = "index.jsonl"
LOCK_FILE = "flarekb.lock"
FORMAT_VERSION = 1
INDEX_ID_PLACEHOLDER = "0" * 64  # a sha256 in hex, the width of the id that replaces it


@dataclass
class Manifest:
    """What the knowledge base was built from, beyond the findings themselves."""

    queries: list[str] = field(default_factory=list)  # discovery / search queries that fed it
    format: int = FORMAT_VERSION
    flarekb_version: str = __version__
    index: str | None = None  # id of the kb/index.jsonl written with these findings (None: written without)

    def to_json(self) -> dict:
        content = {"format": self.format, "flarekb_version": self.flarekb_version, "queries": self.queries}
        return {"manifest": content if self.index is None else {**content, "index": self.index}}


@dataclass
class StoredKB:
    manifest: Manifest
    findings: list[CaseFindings]


@dataclass
class MergeSummary:
    added: list[str] = field(default_factory=list)  # ids new to the knowledge base
    replaced: list[str] = field(default_factory=list)  # ids whose case was re-extracted
    removed: list[str] = field(default_factory=list)
    total: int = 0


def findings_path(kb_dir: Path) -> Path:
    return Path(kb_dir) / FINDINGS_FILE


def index_path(kb_dir: Path) -> Path:
    return Path(kb_dir) / INDEX_FILE


def load(kb_dir: Path) -> StoredKB:
    """Read kb/. A missing knowledge base is an empty one; a corrupt one is an error, never silently dropped."""
    path = findings_path(kb_dir)
    if not path.exists():
        return StoredKB(Manifest(), [])
    manifest = Manifest()
    findings: list[CaseFindings] = []
    try:
        with path.open(encoding="utf-8") as lines, collector.paused():
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if number == 1 and "manifest" in record:
                    header = record["manifest"]
                    manifest = Manifest(queries=list(header.get("queries", [])),
                                        format=header.get("format", FORMAT_VERSION),
                                        flarekb_version=header.get("flarekb_version", __version__),
                                        index=header.get("index"))
                    continue
                findings.append(CaseFindings.from_json(record))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base ({error})") from error
    return StoredKB(manifest, findings)


def load_findings(kb_dir: Path) -> list[CaseFindings]:
    return load(kb_dir).findings


def load_index(kb_dir: Path) -> KnowledgeIndex:
    """The whole index, built from every case of kb/findings.jsonl (the graph and its exports need it all)."""
    with collector.paused():
        return build_index(load_findings(kb_dir))


@contextmanager
def open_index(kb_dir: Path) -> Iterator[KnowledgeIndex]:
    """The index the queries read: from kb/index.jsonl when it belongs to the kb/findings.jsonl beside it
    (each table value is read when a query first asks for it, from the files opened here, so a writer
    replacing them meanwhile changes nothing), else built from the findings, with a note on stderr. The
    cyclic collector is paused meanwhile, as in `load`: a query's answer is objects that are all kept."""
    kb_dir = Path(kb_dir)
    with ExitStack() as files, collector.paused():
        try:
            findings = files.enter_context(findings_path(kb_dir).open("rb"))
        except FileNotFoundError:
            findings = None  # no knowledge base yet: the empty one
        index = _stored_index(kb_dir, findings, files) if findings is not None else None
        yield index if index is not None else load_index(kb_dir)


def _stored_index(kb_dir: Path, findings: BinaryIO, files: ExitStack) -> KnowledgeIndex | None:
    try:
        written_with = json.loads(findings.readline())["manifest"].get("index")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not a manifest: loading the findings reports what is wrong with them
    try:
        stored = files.enter_context(index_path(kb_dir).open("rb"))
    except FileNotFoundError:
        stored = None
    header = index_file.read_header(stored) if stored is not None else None
    if header is not None and header.id == written_with \
            and header.findings_bytes == os.fstat(findings.fileno()).st_size:
        return index_file.read_index(stored, header, findings)
    if stored is None and written_with is None:
        sys.stderr.write(f"flarekb: {kb_dir}/ has no query index yet ({INDEX_FILE}, written by build, refresh "
                         f"and remove); reading all of {FINDINGS_FILE}\n")
    else:
        sys.stderr.write(f"flarekb: {kb_dir}/{INDEX_FILE} does not match {FINDINGS_FILE} (missing, unreadable or "
                         f"left by an interrupted write); reading all of {FINDINGS_FILE} (the next build, refresh "
                         "or remove writes the index again)\n")
    return None


def save(kb_dir: Path, findings: Iterable[CaseFindings], manifest: Manifest | None = None) -> None:
    """Write the whole knowledge base atomically: kb/index.jsonl first, then kb/findings.jsonl, line by line
    through `atomic_writer` (one case's JSON in memory at a time, beside the findings and their index).
    Callers hold `kb_lock`."""
    kb_dir = Path(kb_dir)
    kb_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest or Manifest()
    manifest.queries = sorted(set(manifest.queries))
    ordered = sorted(findings, key=lambda case: case.id)
    # The index and its encoding are millions of objects, all kept until the end: no collector passes.
    with collector.paused(), atomic_writer(findings_path(kb_dir)) as handle:
        index = build_index(ordered)
        # The manifest names the index, whose id is known only once the cases are written (the index says
        # where their lines are): a placeholder of the id's width holds its place until then.
        manifest.index = INDEX_ID_PLACEHOLDER
        first_line = _json_line(manifest.to_json())
        handle.write(first_line)
        case_lines, size = {}, len(first_line)
        for case in ordered:
            line = _json_line(case.to_json())
            handle.write(line)
            case_lines[case.id] = (size, len(line))
            size += len(line)
        encoded = index_file.encode_index(index, case_lines, size)
        with atomic_writer(index_path(kb_dir)) as index_handle:
            index_handle.writelines(encoded.lines)
        manifest.index = encoded.id
        handle.seek(first_line.rindex(INDEX_ID_PLACEHOLDER.encode()))  # the last key of the manifest line
        handle.write(manifest.index.encode())


def _json_line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def merge_findings(
    kb_dir: Path,
    findings: Iterable[CaseFindings],
    *,
    remove_ids: Iterable[str] = (),
    queries: Iterable[str] = (),
) -> MergeSummary:
    """Add or replace cases by id, remove others, record queries; under the kb lock, atomically."""
    with kb_lock(kb_dir):
        stored = load(kb_dir)
        by_id = {case.id: case for case in stored.findings}
        summary = MergeSummary()
        for case_id in remove_ids:
            if by_id.pop(case_id, None) is not None:
                summary.removed.append(case_id)
        for case in findings:
            (summary.replaced if case.id in by_id else summary.added).append(case.id)
            by_id[case.id] = case
        stored.manifest.queries = [*stored.manifest.queries, *queries]
        save(kb_dir, by_id.values(), stored.manifest)
        summary.total = len(by_id)
        return summary


def remove_papers(kb_dir: Path, identifiers: Iterable[str]) -> tuple[MergeSummary, list[str]]:
    """Take papers out by PMID, PMCID, DOI or case id; returns the summary and the identifiers not found."""
    with kb_lock(kb_dir):
        stored = load(kb_dir)
        summary, missing = MergeSummary(), []
        for identifier in identifiers:
            wanted = identifier.strip().lower()
            matches = [case for case in stored.findings
                       if wanted in {(value or "").lower() for value in (case.id, case.pmid, case.pmcid, case.doi)}]
            if not matches:
                missing.append(identifier)
            summary.removed += [case.id for case in matches if case.id not in summary.removed]
        if summary.removed:
            save(kb_dir, [case for case in stored.findings if case.id not in summary.removed], stored.manifest)
        summary.total = len(stored.findings) - len(summary.removed)
        return summary, missing


@dataclass
class LockHolder:
    """What taking the lock found: a holder that had died (its lock file said so) and the temporary files
    its interrupted write left behind, now removed."""

    stale_pid: int | None = None
    removed_temporaries: list[str] = field(default_factory=list)


@contextmanager
def kb_lock(kb_dir: Path, *, wait: bool = True) -> Iterator[LockHolder]:
    """Serialise writers of one kb/. An OS-level lock (flock) is released by the kernel when its holder dies,
    so a lock file left by a killed process never blocks the next run: the next holder sees the dead pid in
    it, and clears the temporary findings and index files the dead writer left (no live writer can own them: it
    would hold the lock)."""
    kb_dir = Path(kb_dir)
    kb_dir.mkdir(parents=True, exist_ok=True)
    # never through a link or into a FIFO planted at the lock's path (open_regular): it is truncated below
    with os.fdopen(open_regular(kb_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT), "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if not wait:
                raise KnowledgeBaseError(f"{kb_dir}: another flarekb process is writing it") from error
            handle.seek(0)
            writer = handle.read().strip() or "?"
            # Two refreshes at once are serialised here; say so rather than seem to hang.
            sys.stderr.write(f"flarekb: waiting for process {writer} to finish writing {kb_dir}/\n")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            holder = LockHolder(stale_pid=_dead_pid(handle.read()))
            for temporary in sorted(path for name in (FINDINGS_FILE, INDEX_FILE)
                                    for path in kb_dir.glob(f".{name}.*.tmp")):
                temporary.unlink(missing_ok=True)
                holder.removed_temporaries.append(temporary.name)
            _tell_about(holder, kb_dir)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield holder
        finally:
            # Empty the file on a clean exit so that only a dead holder ever leaves its pid behind.
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tell_about(holder: LockHolder, kb_dir: Path) -> None:
    """One line on stderr when an earlier run had died holding the lock: what it left and what became of it."""
    process = f"process {holder.stale_pid}" if holder.stale_pid is not None else "an earlier flarekb process"
    if holder.removed_temporaries:
        left = "file was" if len(holder.removed_temporaries) == 1 else "files were"
        sys.stderr.write(f"flarekb: {process} stopped in the middle of writing {kb_dir}/; its unfinished {left} "
                         "removed, and the knowledge base is as it was before that write\n")
    elif holder.stale_pid is not None:
        sys.stderr.write(f"flarekb: {process} stopped while holding {kb_dir}/; the knowledge base was left whole\n")


def _dead_pid(content: str) -> int | None:
    """The pid a previous holder wrote, if that process no longer exists."""
    try:
        pid = int(content.strip())
    except ValueError:
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return pid
    except PermissionError:
        return None  # alive, another user's
    return None
