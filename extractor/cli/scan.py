"""`flarekb scan`: PubMed baseline/update files and PMC bulk packages through the prefilter and the extraction on
Dask; the kept records into corpora/, kb/ rebuilt from corpora/.

    flarekb scan baseline/ updates/                      a LocalCluster, one worker process per core
    flarekb scan pubmed25n0001.xml.gz --workers 4
    flarekb scan oa_comm_xml.*.tar.gz --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from extractor.cli.app import CorporaOption, KbOption, app, default_corpora, default_kb
from extractor.errors import BadInput
from extractor.scan.scanner import scan as run_scan
from extractor.sources.bulk_fetch import bulk_url, fetch_bulk


class BulkKind(str, Enum):
    baseline = "baseline"
    updates = "updates"


@app.command()
def scan(
    paths: list[Path] = typer.Argument(
        None, help="PubMed baseline/update files (*.xml.gz, *.xml), PMC packages (*.tar.gz of JATS), or directories of them.",
        show_default=False),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="Start a local Dask cluster of this many worker processes (default: one per core)."),
    scheduler: str = typer.Option(None, "--scheduler",
                                  help="Use the running Dask cluster whose scheduler is here (tcp://HOST:8786)."),
    kb: Path = KbOption,
    corpora: Path = CorporaOption,
    restart: bool = typer.Option(False, "--restart", help="Scan again the files an earlier scan finished."),
    fetch: BulkKind = typer.Option(None, "--fetch", help="Download NCBI's PubMed baseline or update files (with --to) "
                                   "instead of scanning; $FLAREKB_BULK_URL points elsewhere."),
    to: Path = typer.Option(None, "--to", help="Where --fetch puts the files (checked against their .md5, resumed)."),
) -> None:
    """Scan PubMed baseline/update files and PMC packages on Dask, one task per file.

    Records whose extraction names an engager or reports a flare go to corpora/ as raw XML; kb/ is rebuilt from it.

    Reruns skip finished files (corpora/_scan/); DeleteCitations apply in NCBI's file order.

    Your own cluster: `dask scheduler`, then `dask worker tcp://HOST:8786 --nthreads 1` on each machine.
    """
    if fetch is not None:
        return _fetch(fetch.value, to, paths)
    if not paths:
        raise BadInput("nothing to scan: give bulk files or directories (or --fetch baseline|updates --to DIR)")
    if workers is not None and scheduler:
        raise BadInput("give --workers (a local cluster) or --scheduler (a running one), not both")
    kb = kb or default_kb()
    corpora = corpora or default_corpora()
    summary = run_scan(paths, corpora, kb, workers=workers, scheduler=scheduler, restart=restart,
                       echo=typer.echo, warn=lambda line: typer.echo(line, err=True))
    typer.echo(
        f"scan: {summary.files} file(s): {len(summary.scanned)} scanned, {len(summary.skipped)} skipped, "
        f"{len(summary.bad_files) + len(summary.crashed)} failed; corpora {corpora}/: {summary.applied.written} "
        f"record(s) written, {summary.applied.removed} removed; knowledge base {kb}/: {summary.cases} case(s), "
        f"{summary.flares} with a flare report"
    )
    if summary.crashed:
        raise typer.Exit(1)
    if summary.bad_files:
        raise typer.Exit(2)


def _fetch(kind: str, to: Path | None, paths: list[Path] | None) -> None:
    if to is None or paths:
        raise BadInput("--fetch downloads into --to DIR and scans nothing: give --to, and no paths")
    typer.echo(f"fetching the PubMed {kind} files from {bulk_url()} into {to}/")
    summary = fetch_bulk(kind, to, on_file=lambda name: typer.echo(f"  {name}", err=True))
    for name, reason in summary.failed.items():
        typer.echo(f"flarekb: error: {name}: {reason}", err=True)
    typer.echo(f"fetch: {len(summary.downloaded)} downloaded, {len(summary.present)} already there (MD5 checked), "
               f"{len(summary.failed)} failed; scan them with: flarekb scan {to}")
    if summary.failed:
        raise typer.Exit(1)
