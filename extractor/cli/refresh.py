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
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from extractor import pipeline
from extractor.cli.app import CorporaOption, FollowLinksOption, KbOption, app, default_corpora, default_kb
from extractor.cli.app import say_skipped_links
from extractor.cli.safe_text import console as safe_console, one_line
from extractor.errors import BadInput
from extractor.sources.eutils import EutilsClient
from extractor.sources.identifiers import normalise_pmid

PROGRESS_FROM = 50  # ids: below this a refresh is quick enough to need no progress bar
EXAMPLES = 5  # ids named per kind of failure without --verbose


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

    outcome = pipeline.refresh(
        EutilsClient.from_env(), kb, corpora, wanted, query=query, discover=discover, full_text=full_text,
        force=force, max_results=max_results, follow_links=follow_links, verbose=verbose,
        echo=lambda line: typer.echo(one_line(line)),  # a line may quote PubMed's warnings
        progress=_progress,
    )
    summary = outcome.summary
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
        f"refresh: {len(outcome.wanted)} PMID(s): {outcome.fetched} record(s) fetched, {outcome.from_cache} from "
        f"cache, {len(outcome.failed)} failed; knowledge base {kb}/: {len(summary.added)} added, "
        f"{len(summary.changed)} changed, {len(summary.unchanged)} unchanged"
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
