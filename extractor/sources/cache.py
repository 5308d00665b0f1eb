"""The raw-bytes cache in corpora/: one file per fetched record, exactly as NCBI sent it.

    corpora/pubmed/<PMID>.xml     a PubmedArticleSet holding that one record
    corpora/pmc/<PMCID>.xml       a pmc-articleset holding that one article
    corpora/_fetch_log.tsv        database, id and UTC time of each fetch (metadata: the leading
                                  underscore tells `flarekb build` it is not a document)

Only validated records reach this module (the E-utilities readers reject error bodies), ids are
validated before they become file names, and each file appears whole or not at all (written to a
dot-temporary file, then renamed), so a crash mid-refresh never leaves half a record behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from extractor.atomicfile import open_regular, write_atomically
from extractor.sources.identifiers import normalise_pmcid, normalise_pmid

FETCH_LOG = "_fetch_log.tsv"
_NORMALISE = {"pubmed": normalise_pmid, "pmc": normalise_pmcid}


def record_path(corpora: Path, db: str, record_id: str) -> Path:
    """Where the record `record_id` of `db` ('pubmed' or 'pmc') is cached; BadInput for a malformed id."""
    return Path(corpora) / db / f"{_NORMALISE[db](record_id)}.xml"


def is_cached(corpora: Path, db: str, record_id: str) -> bool:
    path = record_path(corpora, db, record_id)
    return path.is_file() and path.stat().st_size > 0


def cached_ids(corpora: Path, db: str) -> set[str]:
    """The ids of `db` whose record corpora/ holds (a non-empty file), from one listing of the directory:
    asking `is_cached` id by id costs a path and a stat each, seconds for 100k ids."""
    try:
        entries = os.scandir(Path(corpora) / db)
    except FileNotFoundError:
        return set()
    with entries:
        return {entry.name.removesuffix(".xml") for entry in entries
                if entry.name.endswith(".xml") and entry.is_file() and entry.stat().st_size > 0}


def read_record(corpora: Path, db: str, record_id: str) -> bytes:
    return record_path(corpora, db, record_id).read_bytes()


def save_records(corpora: Path, db: str, records: dict[str, bytes]) -> list[Path]:
    """Write each record atomically, then note the fetch in the log; returns the paths written."""
    paths = []
    for record_id, data in records.items():
        path = record_path(corpora, db, record_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        paths.append(path)
    log_fetches(corpora, db, records)
    return paths


def log_fetches(corpora: Path, db: str, record_ids: Iterable[str]) -> None:
    """Append 'db, id, time' lines: when a record was fetched belongs beside the raw bytes, not in kb/."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = "".join(f"{db}\t{record_id}\t{now}\n" for record_id in record_ids)
    if lines:
        Path(corpora).mkdir(parents=True, exist_ok=True)
        # One append per batch: O_APPEND keeps concurrent refreshes from interleaving inside a line.
        # Never through a link planted at the log's path (open_regular).
        descriptor = open_regular(Path(corpora) / FETCH_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write(lines)
