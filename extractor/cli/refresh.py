"""`flarekb refresh`: fetch papers from PubMed (and PMC full text), extract them, merge them into kb/.

    flarekb refresh 40827251 39876543          flarekb refresh --ids-file pmids.txt
    flarekb refresh --query "pseudoprogression AND tarlatamab"      flarekb refresh --discover --full-text

Every id is validated before any request: a malformed one is refused by name while the good ones are fetched,
and the exit code is then 2. Records already in corpora/ are not fetched again (--force refetches). One unknown
PMID or failed batch is reported by id while the rest go through (many of them: a count and a few examples,
all with --verbose); the exit code is 1 if anything failed. kb/ changes only in the final atomic merge, so a
failure or Ctrl-C leaves it as it was. A paper `flarekb remove` took out stays out unless it is named here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from extractor.cli.app import CorporaOption, FollowLinksOption, KbOption, app, default_corpora, default_kb
from extractor.cli.app import say_skipped_links
from extractor.cli.safe_text import console as safe_console, one_line
from extractor.errors import BadInput
from extractor.graph import store
from extractor.models import Document
from extractor import lexicons
from extractor.nlp import extract_many
from extractor.pipeline import prefer_richest
from extractor.sources import cache, parse_bytes
from extractor.sources.crawl import FetchReport, fetch_records
from extractor.sources.discover import discovery_query, related_articles
from extractor.sources.eutils import EutilsClient
from extractor.sources.identifiers import normalise_pmid

PROGRESS_FROM = 50  # ids: below this a refresh is quick enough to need no progress bar
EXAMPLES = 5  # ids named per kind of failure without --verbose
SHORT_FORM_LETTERS = 3  # "psp", "tfr": match unrelated papers in PubMed, left out of the discovery query


@dataclass
class Outcome:
    """What one refresh did, for the closing summary."""

    fetched: int = 0
    from_cache: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # "PMID 123" / "PMCID PMC456" -> why
    notes: list[str] = field(default_factory=list)  # worth saying, not a failure
    skipped_links: list[Path] = field(default_factory=list)  # cached records that are symbolic links: not read

    def count(self, report: FetchReport, label: str) -> None:
        self.fetched += len(report.fetched)
        self.from_cache += len(report.from_cache)
        self.failed.update((f"{label} {i}", reason) for i, reason in report.failed.items())


@app.command()
def refresh(
    pmids: list[str] = typer.Argument(None, help="PubMed ids to fetch.", show_default=False),
    ids_file: Path = typer.Option(None, "--ids-file", help="A file of PMIDs, one per line ('#' starts a comment)."),
    query: str = typer.Option(None, "--query", help="A PubMed query; the papers it matches are fetched."),
    discover: bool = typer.Option(
        False, "--discover", help="Search PubMed for engager flare case reports, plus papers related to the kb's."
    ),
    full_text: bool = typer.Option(False, "--full-text", help="Also fetch PMC full text where it exists."),
    kb: Path = KbOption,
    corpora: Path = CorporaOption,
    force: bool = typer.Option(False, "--force", help="Fetch again even what corpora/ already holds."),
    max_results: int = typer.Option(1000, "--max", min=1, help="At most this many PMIDs from --query/--discover."),
    verbose: bool = typer.Option(False, "--verbose", help="Name every failed id and print the full discovery query."),
    follow_links: bool = FollowLinksOption,
) -> None:
    """Fetch PubMed records (and PMC full text), extract their findings and merge them into the knowledge base."""
    kb = kb or default_kb()
    corpora = corpora or default_corpora()
    wanted, malformed = validated_pmids(pmids or [], ids_file)
    for problem in malformed:
        typer.echo(f"flarekb: error: {one_line(problem)}; not fetched", err=True)
    if not (wanted or query or discover):
        raise BadInput("nothing to refresh: give PMIDs, --ids-file, --query or --discover"
                       if not malformed else "no valid PMID to refresh; nothing was fetched")
    named = list(wanted)  # asked for by name: brought back even if `remove` took them out

    client = EutilsClient.from_env()
    queries = [query] if query else []
    if discover:
        drug_terms, flare_terms = _drug_terms(), _flare_terms()
        queries.append(discovery_query(drug_terms, flare_terms))
    for term in queries:
        if discover and term == queries[-1] and not verbose:
            typer.echo(f"query: discovery: {len(drug_terms)} engager names and codes x {len(flare_terms)} flare words, "
                       "case reports and letters (the full query goes into kb/'s manifest; --verbose prints it)")
        else:
            typer.echo(f"query: {term}")
        result = client.esearch(term, retmax=max_results)
        warnings = "".join(f"; {one_line(w)}" for w in result.warnings)  # PubMed's words: quoted, not obeyed
        typer.echo(f"  {result.count} match(es), {len(result.ids)} taken{warnings}")
        wanted += result.ids
    if discover:
        known = sorted({case.pmid for case in store.load_findings(kb) if case.pmid})
        related = related_articles(client, known, limit=max_results) if known else []
        typer.echo(f"related articles of the {len(known)} paper(s) in {kb}/: {len(related)}")
        wanted += related

    outcome = Outcome()
    wanted = list(dict.fromkeys(wanted))
    papers = _fetch_and_parse(client, corpora, "pubmed", wanted, force, outcome, follow_links)
    if full_text:
        pmcids = sorted({document.pmcid for document in papers if document.pmcid})
        papers += _fetch_and_parse(client, corpora, "pmc", pmcids, force, outcome, follow_links)

    summary = store.MergeSummary()
    if papers:
        findings = list(extract_many(prefer_richest(papers)))
        summary = store.merge_findings(kb, findings, queries=queries, restore=named)
    say_skipped_links(outcome.skipped_links)
    for note in outcome.notes:
        typer.echo(f"flarekb: {one_line(note)}", err=True)
    for line in failure_lines(outcome.failed, verbose):  # a reason may quote a server's or a record's text
        typer.echo(f"flarekb: {one_line(line)}", err=True)
    if summary.kept_out:
        typer.echo(f"flarekb: {len(summary.kept_out)} paper(s) taken out by `flarekb remove` stay out "
                   f"({', '.join(summary.kept_out[:EXAMPLES])}{' ...' if len(summary.kept_out) > EXAMPLES else ''}); "
                   "name one to bring it back", err=True)
    typer.echo(
        f"refresh: {len(wanted)} PMID(s): {outcome.fetched} record(s) fetched, {outcome.from_cache} from cache, "
        f"{len(outcome.failed)} failed; knowledge base {kb}/: {len(summary.added)} added, {len(summary.changed)} "
        f"changed, {len(summary.unchanged)} unchanged"
    )
    if malformed:
        raise typer.Exit(2)
    if outcome.failed:
        raise typer.Exit(1)


def failure_lines(failed: dict[str, str], verbose: bool) -> list[str]:
    """One line per failed id when few failed (or --verbose); else one line per reason: a count, a few ids."""
    if verbose or len(failed) <= EXAMPLES:
        return [f"{label}: {reason}" for label, reason in failed.items()]
    by_reason: dict[str, list[str]] = {}
    for label, reason in failed.items():
        by_reason.setdefault(reason, []).append(label)
    lines = []
    for reason, labels in by_reason.items():
        shown = ", ".join(labels[:EXAMPLES])
        more = f" and {len(labels) - EXAMPLES} more (--verbose names them all)" if len(labels) > EXAMPLES else ""
        lines.append(f"{len(labels)} failed, {reason}: {shown}{more}")
    return lines


def validated_pmids(arguments: Iterable[str], ids_file: Path | None) -> tuple[list[str], list[str]]:
    """Every PMID from the command line and the ids file, checked before anything is fetched: (the valid
    ones, one line naming each malformed one with where it came from)."""
    candidates = [(value, "") for value in arguments]
    if ids_file is not None:
        try:
            lines = ids_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise BadInput(f"{ids_file}: cannot read the ids file ({error})") from None
        for number, line in enumerate(lines, start=1):
            for value in re.split(r"[\s,;]+", line.split("#", 1)[0].strip()):
                if value:
                    candidates.append((value, f" ({ids_file} line {number})"))
    pmids, problems = [], []
    for value, where in candidates:
        try:
            pmids.append(normalise_pmid(value))
        except BadInput as error:
            problems.append(f"{error}{where}")
    return list(dict.fromkeys(pmids)), problems


def _fetch_and_parse(
    client: EutilsClient, corpora: Path, db: str, ids: list[str], force: bool, outcome: Outcome, follow_links: bool
) -> list[Document]:
    """Fetch what corpora/ lacks, then parse every wanted record from the cache."""
    label, kind = ("PMID", "pubmed-xml") if db == "pubmed" else ("PMCID", "pmc-jats")
    cached = set() if force else cache.cached_ids(corpora, db)
    to_fetch = sum(i not in cached for i in ids)
    with _progress(to_fetch, f"fetching {db}") as advance:
        report = fetch_records(client, corpora, db, ids, force=force, on_batch=advance)
    outcome.count(report, label)
    for record_id in report.missing:
        if db == "pubmed":
            outcome.failed[f"PMID {record_id}"] = "not found in PubMed (unknown or withdrawn)"
        else:  # the paper itself is there; only its full text is not (embargo, publisher's terms)
            outcome.notes.append(f"{record_id}: no full text from PMC; its PubMed abstract is used")
    documents = []
    for record_id in report.available:
        path = cache.record_path(corpora, db, record_id)
        if path.is_symlink() and not follow_links:  # it can point anywhere: read only when asked to
            outcome.skipped_links.append(path)
            continue
        try:
            documents += parse_bytes(path.read_bytes(), str(path), expect=kind)
        except BadInput as error:
            outcome.failed[f"{label} {record_id}"] = str(error)
    return documents


@contextmanager
def _progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """Yields `advance(n)`: a rich progress bar on stderr for many ids, nothing for a few."""
    if total < PROGRESS_FROM:
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=safe_console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def _flare_terms() -> list[str]:
    """The flare words in American and British spelling: a quoted PubMed phrase matches only as written."""
    terms = [term for term in lexicons.flare_terms() if not _ambiguous_short_form(term)]
    british = [term.replace(us, uk) for term in terms for us, uk in lexicons.spelling_pairs() if us in term]
    return list(dict.fromkeys([*terms, *british]))


def _drug_terms() -> list[str]:
    """Every engager by canonical, brand and code name."""
    return list(dict.fromkeys(term for drug in lexicons.drug_lexicon() if drug.role == "engager"
                              for term in (drug.name, *drug.synonyms) if not _ambiguous_short_form(term)))


def _ambiguous_short_form(term: str) -> bool:
    """A bare short form ("psp", "tfr"): in PubMed it means other things too (progressive supranuclear palsy,
    transferrin receptor), so as a discovery term it pulls in unrelated papers."""
    return term.isalpha() and len(term) <= SHORT_FORM_LETTERS
