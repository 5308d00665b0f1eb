"""`flarekb report -o FILE.html`: the knowledge base as one self-contained page for people."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import CorporaOption, KbOption, app, default_corpora, default_kb, fail
from extractor.graph import store


@app.command()
def report(
    output: Path = typer.Option(..., "-o", "--output", help="HTML file to write."),
    kb: Path = KbOption,
    corpora: Path = CorporaOption,
) -> None:
    """Summary per drug, signature table, one card per case with its timeline and evidence, provenance."""
    from extractor.viz.report import write_report  # matplotlib and jinja2 load only for the report

    if output.suffix.lower() not in (".html", ".htm"):
        fail(f"{output}: the report is an HTML page, give a name ending in .html")
    if not output.parent.is_dir():
        fail(f"{output}: directory {output.parent} does not exist")
    write_report(store.require(kb or default_kb()), corpora or default_corpora(), output)
    typer.echo(f"wrote {output}", err=True)
