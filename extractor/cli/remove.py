"""`flarekb remove PMID ...` takes papers out of the knowledge base (atomically, under the kb lock) and keeps
them out: kb/'s manifest lists them, and `build` leaves them out though corpora/ still holds them.
`flarekb restore PMID ...` takes them off that list (a refresh that names a removed PMID also brings it back)."""

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
        typer.echo(f"removed {', '.join(summary.removed)} from {kb}/ ({summary.total} case(s) left); build leaves "
                   "them out from now on (`flarekb restore ID` brings one back)", err=True)
    if missing:
        fail(f"not in the knowledge base: {', '.join(missing)}")


@app.command()
def restore(
    papers: list[str] = typer.Argument(..., help="PMIDs, PMCIDs, DOIs or case ids taken out by `remove`."),
    kb: Path = KbOption,
) -> None:
    """Undo `remove`: the next build (or a refresh of the paper) brings the papers back from corpora/."""
    kb = kb or default_kb()
    restored, unknown = store.restore_papers(kb, papers)
    if restored:
        typer.echo(f"restored {', '.join(restored)}: `flarekb build` brings them back from the raw records in "
                   "corpora/", err=True)
    if unknown:
        fail(f"not removed from the knowledge base: {', '.join(unknown)}")
