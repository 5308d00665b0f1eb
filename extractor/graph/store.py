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
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from extractor import __version__, collector
from extractor.atomicfile import atomic_writer, open_regular
from extractor.errors import BadInput, KnowledgeBaseError
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
    removed: list[str] = field(default_factory=list)  # case ids taken out by `remove`: build leaves them out

    def to_json(self) -> dict:
        content = {"format": self.format, "flarekb_version": self.flarekb_version, "queries": self.queries}
        if self.removed:  # only when there are: a knowledge base without removals keeps its bytes
            content["removed"] = self.removed
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
    unchanged: list[str] = field(default_factory=list)  # ids re-extracted to the same findings
    kept_out: list[str] = field(default_factory=list)  # ids left out because `remove` took them out
    total: int = 0

    @property
    def changed(self) -> list[str]:
        return [case_id for case_id in self.replaced if case_id not in self.unchanged]


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
                    manifest = _manifest(record["manifest"])
                    continue
                findings.append(CaseFindings.from_json(record))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base ({error})") from error
    return StoredKB(manifest, findings)


def _manifest(header: dict) -> Manifest:
    return Manifest(queries=list(header.get("queries", [])), format=header.get("format", FORMAT_VERSION),
                    flarekb_version=header.get("flarekb_version", __version__), index=header.get("index"),
                    removed=list(header.get("removed", [])))


def read_manifest(kb_dir: Path) -> Manifest:
    """The manifest line alone (an empty one when there is none): no case is read."""
    try:
        with findings_path(kb_dir).open(encoding="utf-8") as lines:
            return _manifest(json.loads(lines.readline())["manifest"])
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest()


def require(kb_dir: Path) -> Path:
    """`kb_dir` when it holds a knowledge base; else BadInput saying where flarekb looked and how to point it
    elsewhere. Every command that reads kb/ asks this first: only build and refresh create one."""
    kb_dir = Path(kb_dir)
    if not findings_path(kb_dir).is_file():
        where = kb_dir.absolute()
        raise BadInput(f"no knowledge base at {where}/ (no {FINDINGS_FILE} there); point to one with --kb DIR or "
                       "FLAREKB_KB=DIR, or create it with `flarekb build` or `flarekb refresh`")
    return kb_dir


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
    kb_dir = require(kb_dir)
    with ExitStack() as files, collector.paused():
        try:
            findings = files.enter_context(findings_path(kb_dir).open("rb"))
        except FileNotFoundError:
            require(kb_dir)  # removed since: say so as before
            raise
        index = _stored_index(kb_dir, findings, files)
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
    manifest.removed = sorted(set(manifest.removed))
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
    restore: Iterable[str] = (),
) -> MergeSummary:
    """Add or replace cases by id, remove others, record queries; under the kb lock, atomically. A case that
    `remove` took out stays out unless one of its identifiers is in `restore` (the user asked for it by name)."""
    wanted_back = {identifier.lower() for identifier in restore}
    with kb_lock(kb_dir):
        stored = load(kb_dir)
        by_id = {case.id: case for case in stored.findings}
        removed = set(stored.manifest.removed)
        summary = MergeSummary()
        for case_id in remove_ids:
            if by_id.pop(case_id, None) is not None:
                summary.removed.append(case_id)
        for case in findings:
            if case.id in removed:
                if wanted_back.isdisjoint(_identifiers(case)):
                    summary.kept_out.append(case.id)
                    continue
                removed.discard(case.id)
            if case.id in by_id:
                summary.replaced.append(case.id)
                if by_id[case.id].to_json() == case.to_json():
                    summary.unchanged.append(case.id)
            else:
                summary.added.append(case.id)
            by_id[case.id] = case
        stored.manifest.removed = sorted(removed | set(summary.removed))
        stored.manifest.queries = [*stored.manifest.queries, *queries]
        save(kb_dir, by_id.values(), stored.manifest)
        summary.total = len(by_id)
        return summary


def remove_papers(kb_dir: Path, identifiers: Iterable[str]) -> tuple[MergeSummary, list[str]]:
    """Take papers out by PMID, PMCID, DOI or case id; returns the summary and the identifiers not found."""
    require(kb_dir)  # before the lock, which would create kb/
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
            stored.manifest.removed = [*stored.manifest.removed, *summary.removed]  # so that build leaves them out
            save(kb_dir, [case for case in stored.findings if case.id not in summary.removed], stored.manifest)
        summary.total = len(stored.findings) - len(summary.removed)
        return summary, missing


def restore_papers(kb_dir: Path, case_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """Take case ids off the removed list, so that the next build or refresh brings them back from corpora/;
    returns (restored, not removed)."""
    require(kb_dir)
    with kb_lock(kb_dir):
        stored = load(kb_dir)
        by_lower = {case_id.lower(): case_id for case_id in stored.manifest.removed}
        restored, unknown = [], []
        for identifier in case_ids:
            found = by_lower.get(re.sub(r"^(pmid|doi):\s*", "", identifier.strip().lower()))
            (restored if found else unknown).append(found or identifier)
        if restored:
            stored.manifest.removed = [case_id for case_id in stored.manifest.removed if case_id not in restored]
            save(kb_dir, stored.findings, stored.manifest)
        return restored, unknown


def _identifiers(case: CaseFindings) -> set[str]:
    return {value.lower() for value in (case.id, case.pmid, case.pmcid, case.doi) if value}


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
