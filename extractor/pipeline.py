"""The whole flow in one place: (PubMed ->) corpora/ files -> Documents -> CaseFindings -> kb/.

`build` reads corpora/ with no network; `refresh` fetches what corpora/ lacks first. The CLI commands of the
same names call these; nothing below the CLI imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import BadInput
from extractor.graph import store
from extractor.models import CaseFindings, Document
from extractor.nlp import extract_many
from extractor.sources import cache, parse_bytes, read_documents
from extractor.sources.crawl import FetchReport, fetch_records
from extractor.sources.discover import (
    discovery_query,
    drug_terms,
    flare_terms,
    related_articles,
)
from extractor.sources.eutils import EutilsClient

# When one paper is in corpora/ more than once (PubMed record and PMC full text), the richer source wins.
SOURCE_PREFERENCE = {"pmc-jats": 0, "pubmed-xml": 1, "html": 2, "text": 3}


@dataclass
class CorpusReading:
    documents: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per unreadable file
    files: int = 0
    skipped_links: list[Path] = field(default_factory=list)  # symbolic links not read (no --follow-links)


def corpus_files(corpora_dir: Path, skipped_links: list[Path] | None = None) -> Iterator[Path]:
    """Every document file below corpora/, in a stable order; `_name` and `.name` entries are metadata.

    A symbolic link is not followed but put in `skipped_links` when that list is given (a link can point
    anywhere on the machine: reading through it is the user's choice, --follow-links)."""
    for path in sorted(Path(corpora_dir).rglob("*")):
        relative = path.relative_to(corpora_dir)
        if any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        if skipped_links is not None and path.is_symlink():
            skipped_links.append(path)
        elif path.is_file():
            yield path


def read_corpus(
    corpora_dir: Path, on_file: Callable[[Path], None] | None = None, follow_links: bool = False
) -> CorpusReading:
    if not Path(corpora_dir).is_dir():
        raise BadInput(f"{corpora_dir}: no such corpora directory")
    reading = CorpusReading()
    for path in corpus_files(corpora_dir, None if follow_links else reading.skipped_links):
        reading.files += 1
        if on_file:
            on_file(path)
        try:
            reading.documents.extend(read_documents(path))
        except BadInput as error:
            reading.errors.append(str(error))
    reading.documents = prefer_richest(reading.documents)
    return reading


def prefer_richest(documents: list[Document]) -> list[Document]:
    """One document per id: PMC full text over the PubMed record over a saved page or text."""
    best: dict[str, Document] = {}
    for document in documents:
        current = best.get(document.id)
        if current is None or SOURCE_PREFERENCE.get(document.source, 9) < SOURCE_PREFERENCE.get(current.source, 9):
            best[document.id] = document
    return [best[document_id] for document_id in sorted(best)]


def build(
    corpora_dir: Path, kb_dir: Path, on_file: Callable[[Path], None] | None = None, follow_links: bool = False
) -> tuple[list[CaseFindings], list[Path]]:
    """Rebuild kb/ from corpora/ with no network. An unreadable file stops the build before kb/ is touched,
    so a rebuild can never silently drop a paper the knowledge base had. The kb lock is held from the
    reading of corpora/ on: a refresh that lands papers meanwhile merges after this write, not under it."""
    with store.kb_lock(kb_dir):
        reading = read_corpus(corpora_dir, on_file, follow_links)
        if reading.errors:
            raise BadInput(f"{len(reading.errors)} unreadable file(s) in {corpora_dir}, kb/ left unchanged: "
                           + "; ".join(reading.errors))
        manifest = store.load(kb_dir).manifest  # keep the recorded queries and what `remove` took out
        removed = set(manifest.removed)
        findings = list(extract_many(document for document in reading.documents if document.id not in removed))
        store.save(kb_dir, findings, manifest)
    return findings, reading.skipped_links


# `progress(total, description)` yields `advance(n)`, called as batches of ids arrive.
Progress = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def no_progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


@dataclass
class RefreshOutcome:
    """What one refresh did, for the closing summary."""

    wanted: list[str] = field(default_factory=list)  # every PMID asked for: by name, by query, related
    queries: list[str] = field(default_factory=list)  # the PubMed queries run, as kb/'s manifest records them
    fetched: int = 0
    from_cache: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # "PMID 123" / "PMCID PMC456" -> why
    notes: list[str] = field(default_factory=list)  # worth saying, not a failure
    skipped_links: list[Path] = field(default_factory=list)  # cached records that are symbolic links: not read
    summary: store.MergeSummary = field(default_factory=store.MergeSummary)  # what the merge did to kb/

    def count(self, report: FetchReport, label: str) -> None:
        self.fetched += len(report.fetched)
        self.from_cache += len(report.from_cache)
        self.failed.update((f"{label} {i}", reason) for i, reason in report.failed.items())


def refresh(
    client: EutilsClient,
    kb_dir: Path,
    corpora_dir: Path,
    pmids: list[str],
    *,
    query: str | None = None,
    discover: bool = False,
    full_text: bool = False,
    force: bool = False,
    max_results: int = 1000,
    follow_links: bool = False,
    verbose: bool = False,
    echo: Callable[[str], None] = lambda line: None,
    progress: Progress = no_progress,
) -> RefreshOutcome:
    """Fetch the valid `pmids`, the papers `query` matches and (`discover`) the engager flare case reports and
    papers related to kb/'s into corpora/, extract them and merge them into kb/. `echo` hears each query and
    what it found (the full discovery query only when `verbose`). kb/ changes only in the final atomic merge."""
    named = list(pmids)  # asked for by name: brought back even if `remove` took them out
    wanted = list(pmids)
    queries = [query] if query else []
    if discover:
        drugs, flares = drug_terms(), flare_terms()
        queries.append(discovery_query(drugs, flares))
    for term in queries:
        if discover and term == queries[-1] and not verbose:
            echo(f"query: discovery: {len(drugs)} engager names and codes x {len(flares)} flare words, "
                 "case reports and letters (the full query goes into kb/'s manifest; --verbose prints it)")
        else:
            echo(f"query: {term}")
        result = client.esearch(term, retmax=max_results)
        warnings = "".join(f"; {w}" for w in result.warnings)  # PubMed's words: `echo` quotes, never obeys
        echo(f"  {result.count} match(es), {len(result.ids)} taken{warnings}")
        wanted += result.ids
    if discover:
        known = sorted({case.pmid for case in store.load_findings(kb_dir) if case.pmid})
        related = related_articles(client, known, limit=max_results) if known else []
        echo(f"related articles of the {len(known)} paper(s) in {kb_dir}/: {len(related)}")
        wanted += related

    outcome = RefreshOutcome(wanted=list(dict.fromkeys(wanted)), queries=queries)
    papers = _fetch_and_parse(client, corpora_dir, "pubmed", outcome.wanted, force, follow_links, progress, outcome)
    if full_text:
        pmcids = sorted({document.pmcid for document in papers if document.pmcid})
        papers += _fetch_and_parse(client, corpora_dir, "pmc", pmcids, force, follow_links, progress, outcome)
    if papers:
        findings = list(extract_many(prefer_richest(papers)))
        outcome.summary = store.merge_findings(kb_dir, findings, queries=queries, restore=named)
    return outcome


def _fetch_and_parse(
    client: EutilsClient, corpora_dir: Path, db: str, ids: list[str], force: bool, follow_links: bool,
    progress: Progress, outcome: RefreshOutcome,
) -> list[Document]:
    """Fetch what corpora/ lacks, then parse every wanted record from the cache."""
    label, kind = ("PMID", "pubmed-xml") if db == "pubmed" else ("PMCID", "pmc-jats")
    cached = set() if force else cache.cached_ids(corpora_dir, db)
    to_fetch = sum(i not in cached for i in ids)
    with progress(to_fetch, f"fetching {db}") as advance:
        report = fetch_records(client, corpora_dir, db, ids, force=force, on_batch=advance)
    outcome.count(report, label)
    for record_id in report.missing:
        if db == "pubmed":
            outcome.failed[f"PMID {record_id}"] = "not found in PubMed (unknown or withdrawn)"
        else:  # the paper itself is there; only its full text is not (embargo, publisher's terms)
            outcome.notes.append(f"{record_id}: no full text from PMC; its PubMed abstract is used")
    documents = []
    for record_id in report.available:
        path = cache.record_path(corpora_dir, db, record_id)
        if path.is_symlink() and not follow_links:  # it can point anywhere: read only when asked to
            outcome.skipped_links.append(path)
            continue
        try:
            documents += parse_bytes(path.read_bytes(), str(path), expect=kind)
        except BadInput as error:
            outcome.failed[f"{label} {record_id}"] = str(error)
    return documents
