"""`flarekb remove PMID ...`: take papers out of the knowledge base (atomically, under the kb lock)."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import KbOption, app, default_kb, fail
from extractor.graph import store


@app.command()
def remove(
    papers: list[str] = typer.Argument(..., help="PMIDs, PMCIDs, DOIs or case ids."),
    kb: Path = KbOption,
) -> None:
    """Take papers out of the knowledge base; the others stay as they are."""
    kb = kb or default_kb()
    summary, missing = store.remove_papers(kb, papers)
    if summary.removed:
        typer.echo(f"removed {', '.join(summary.removed)} from {kb}/ ({summary.total} case(s) left)", err=True)
    if missing:
        fail(f"not in the knowledge base: {', '.join(missing)}")
