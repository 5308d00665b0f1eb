"""How the knowledge base was built, for the report: which papers, fetched when, how current, by which version.

None of this is stored in kb/ (kb/ files are deterministic): "when" comes from the crawler's fetch log beside
the raw documents (corpora/_fetch_log.tsv, lines of `db<TAB>id<TAB>UTC time`). How current the data is: the
latest fetch of a paper in the knowledge base, or "built from local files" when the log lists none. No path
of the machine that wrote the report appears in it (a report is sent to colleagues).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from extractor import __version__
from extractor.graph import store
from extractor.models import CaseFindings
from extractor.sources.cache import FETCH_LOG

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
PMC_URL = "https://pmc.ncbi.nlm.nih.gov/articles/{}/"
DOI_URL = "https://doi.org/{}"


@dataclass
class PaperSource:
    label: str  # "PMID 40827251", "PMC12983044", "doi:10..."
    url: str | None
    fetched: str | None  # last fetch time from the fetch log, None when the log does not list it


@dataclass
class Provenance:
    exists: bool  # kb/findings.jsonl is there
    current_to: str | None  # the latest fetch of a paper in the knowledge base; None: built from local files
    built_with: str  # flarekb version recorded in the knowledge base's manifest
    report_version: str  # flarekb version writing this report
    queries: list[str] = field(default_factory=list)
    papers: list[PaperSource] = field(default_factory=list)


def paper_url(case: CaseFindings) -> str | None:
    """The page a reader opens for a case: PubMed when there is a PMID, else PMC, else the DOI resolver."""
    if case.pmid:
        return PUBMED_URL.format(case.pmid)
    if case.pmcid:
        return PMC_URL.format(case.pmcid)
    return DOI_URL.format(case.doi) if case.doi else None


def provenance(kb_dir: Path, corpora_dir: Path, stored: store.StoredKB) -> Provenance:
    fetched = fetch_times(corpora_dir)
    papers, newest = [], ""
    for case in stored.findings:
        times = [fetched.get(key) for key in (("pubmed", case.pmid), ("pmc", case.pmcid)) if key[1]]
        label = f"PMID {case.pmid}" if case.pmid else case.pmcid or (f"doi:{case.doi}" if case.doi else case.id)
        latest = max((time for time in times if time), default=None)
        papers.append(PaperSource(label, paper_url(case), _log_time_text(latest) if latest else None))
        if latest and latest > newest:
            newest = latest
    return Provenance(
        exists=store.findings_path(kb_dir).exists(),
        current_to=_log_time_text(newest) if newest else None,
        built_with=stored.manifest.flarekb_version,
        report_version=__version__,
        queries=list(stored.manifest.queries),
        papers=papers,
    )


def fetch_times(corpora_dir: Path) -> dict[tuple[str, str], str]:
    """(db, id) -> the latest time the crawler fetched it. A missing or unreadable log means no times."""
    latest: dict[tuple[str, str], str] = {}
    try:
        lines = (Path(corpora_dir) / FETCH_LOG).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return latest
    for line in lines:
        parts = line.split("\t")
        if len(parts) != 3:
            continue  # a line cut short by a crash: skip it rather than fail the report
        db, record_id, time = parts
        if time > latest.get((db, record_id), ""):  # ISO times in UTC compare as text
            latest[(db, record_id)] = time
    return latest


def generated_time() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention), as UTC text."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return utc_text(float(epoch)) if epoch and epoch.isdigit() else utc_text(datetime.now(timezone.utc).timestamp())


def _log_time_text(time: str) -> str:
    """'2026-02-10T09:15:02Z' as '2026-02-10 09:15 UTC', like the other times of the report."""
    return f"{time.replace('T', ' ')[:16]} UTC"


def utc_text(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
