"""`flarekb build`: rebuild kb/ from the documents in corpora/, with no network."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from extractor import pipeline
from extractor.cli.app import CorporaOption, KbOption, app, default_corpora, default_kb
from extractor.graph import store


@app.command()
def build(corpora: Path = CorporaOption, kb: Path = KbOption) -> None:
    """Rebuild the knowledge base from every document in corpora/ (no network)."""
    corpora = corpora or default_corpora()
    kb = kb or default_kb()
    console = Console(stderr=True)
    with console.status("reading corpora") as status:
        findings = pipeline.build(corpora, kb, on_file=lambda path: status.update(f"reading {path}"))
    flares = sum(case.flare.reported for case in findings)
    removed = store.read_manifest(kb).removed
    kept_out = (f"; {len(removed)} paper(s) taken out by `flarekb remove` stay out (`flarekb restore ID` brings one "
                "back)") if removed else ""
    typer.echo(f"built {kb}/ from {len(findings)} document(s) in {corpora}/: {flares} with a flare report{kept_out}",
               err=True)
