"""`flarekb scan`: PubMed baseline/update files and PMC bulk packages through the prefilter and the extraction on
Dask; the kept records into corpora/, kb/ rebuilt from corpora/.

    flarekb scan baseline/ updates/                      a LocalCluster, one worker process per core
    flarekb scan pubmed25n0001.xml.gz --workers 4
    flarekb scan oa_comm_xml.*.tar.gz --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import CorporaOption, KbOption, app, default_corpora, default_kb
from extractor.errors import BadInput
from extractor.scan.scanner import scan as run_scan


@app.command()
def scan(
    paths: list[Path] = typer.Argument(
        ..., help="PubMed baseline/update files (*.xml.gz, *.xml), PMC packages (*.tar.gz of JATS), or directories of them.",
        show_default=False),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="Start a local Dask cluster of this many worker processes [default: the cores]."),
    scheduler: str = typer.Option(None, "--scheduler",
                                  help="Use the running Dask cluster whose scheduler is here (tcp://HOST:8786)."),
    kb: Path = KbOption,
    corpora: Path = CorporaOption,
    restart: bool = typer.Option(False, "--restart", help="Scan again the files an earlier scan finished."),
) -> None:
    """Scan NCBI's bulk files on Dask: one task per file; records naming an engager or reporting a flare are
    kept in corpora/ (one raw XML file per PMID/PMCID) and kb/ is rebuilt from corpora/. A rerun skips the
    files already finished; DeleteCitations in update files remove their records, in NCBI's file order."""
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
