"""What a scan has finished, under corpora/_scan/ (the leading underscore: `build` reads no document there).

    corpora/_scan/<file name>.json      the file's name, size, mtime, sha256 and counts; written last, so
                                        its presence means done
    corpora/_scan/<file name>.records/  the raw records it kept (<db>/<id>.xml) and the PMIDs it deleted

A rerun skips a file whose state says done for the same name, size and checksum (the checksum is computed
again only when the size or modification time differ from the state's), scanned by the same extraction
(prefilter.extraction_fingerprint: after a change to the readers, the rules or the lexicons, files are
scanned again, as their records may now be kept or not). `apply` then lays every finished
file's results over corpora/ in file-name order, which is NCBI's order (baseline before updates, updates
by number; PMC baseline packages before incremental ones), so a record deleted or revised by a later file is
deleted or revised whatever order the files finished in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path

from extractor.atomicfile import write_atomically
from extractor.scan.prefilter import extraction_fingerprint
from extractor.scan.task import FileResult
from extractor.sources import cache
from extractor.sources.bulk import records_db

SCAN_DIR = "_scan"
DELETED_FILE = "deleted.txt"
SEEN_FILE = "seen.u32.z"  # every record id of the file, sorted uint32s, zlib-compressed


@dataclass
class Applied:
    written: int = 0  # corpora/ files written or replaced
    removed: int = 0  # corpora/ files removed by a DeleteCitation


class ScanState:
    def __init__(self, corpora: Path) -> None:
        self.corpora = Path(corpora)
        self.directory = self.corpora / SCAN_DIR

    def _state_path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def _records_dir(self, name: str) -> Path:
        return self.directory / f"{name}.records"

    def is_done(self, path: Path) -> bool:
        state = self._read(path.name)
        if state is None or state.get("fingerprint") != extraction_fingerprint():
            return False
        stat = path.stat()
        if stat.st_size != state["size"]:
            return False
        return stat.st_mtime_ns == state["mtime_ns"] or file_sha256(path) == state["sha256"]

    def forget(self, name: str) -> None:
        self._state_path(name).unlink(missing_ok=True)
        shutil.rmtree(self._records_dir(name), ignore_errors=True)

    def record(self, path: Path, result: FileResult) -> None:
        """Keep a finished file's results: its records first, its state last."""
        self.forget(result.name)
        records = self._records_dir(result.name)
        for kept in result.kept:
            target = cache.record_path(records, kept.db, kept.record_id)  # validates the id
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, kept.raw)
        records.mkdir(parents=True, exist_ok=True)
        write_atomically(records / DELETED_FILE, "".join(f"{pmid}\n" for pmid in result.deleted).encode())
        write_atomically(records / SEEN_FILE, zlib.compress(result.seen))
        state = {"name": result.name, "size": result.size, "mtime_ns": path.stat().st_mtime_ns,
                 "sha256": result.sha256, "fingerprint": extraction_fingerprint(), "done": True, "records": result.records, "candidates": result.candidates,
                 "kept": [[kept.db, kept.record_id] for kept in result.kept], "deleted": result.deleted}
        write_atomically(self._state_path(result.name), (json.dumps(state, indent=1) + "\n").encode())

    def done_names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(path.name.removesuffix(".json") for path in self.directory.glob("*.json")
                      if self._read(path.name.removesuffix(".json")) is not None)

    def apply(self) -> Applied:
        """Lay the finished files' results over corpora/ in file-name order: per record, the last file that
        keeps it, deletes it, or holds a version of it that is not kept decides. Idempotent: a corpora/ file
        already right is not written again."""
        names = self.done_names()
        states = {name: self._read(name) for name in names}
        ever_kept = {(db, record_id) for state in states.values() for db, record_id in state["kept"]}
        final: dict[tuple[str, str], Path | None] = {}  # (db, id) -> the staged raw record, or None: removed
        for name in names:
            state, records = states[name], self._records_dir(name)
            kept_here = {(db, record_id) for db, record_id in state["kept"]}
            for key in self._seen(name, ever_kept) - kept_here:  # a later version, not kept: undoes the earlier
                final[key] = None
            for pmid in state["deleted"]:
                final[("pubmed", pmid)] = None
            for db, record_id in kept_here:
                final[(db, record_id)] = cache.record_path(records, db, record_id)
        applied = Applied()
        for (db, record_id), staged in sorted(final.items()):
            target = cache.record_path(self.corpora, db, record_id)
            if staged is None:
                if target.exists():
                    target.unlink()
                    applied.removed += 1
                continue
            data = staged.read_bytes()
            if not (target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data):
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, data)
                applied.written += 1
        return applied

    def _seen(self, name: str, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of `wanted` the file holds a record of."""
        try:
            ids = array("I", zlib.decompress((self._records_dir(name) / SEEN_FILE).read_bytes()))
        except (OSError, zlib.error):
            return set()
        numbers, db_here = set(ids), records_db(name)
        return {(db, record_id) for db, record_id in wanted
                if db == db_here and int(record_id.removeprefix("PMC")) in numbers}

    def _read(self, name: str) -> dict | None:
        try:
            state = json.loads(self._state_path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and state.get("done") is True else None


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()

