"""`flarekb build`: rebuild kb/ from the documents in corpora/, with no network."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from extractor import pipeline
from extractor.cli.app import CorporaOption, FollowLinksOption, KbOption, app, default_corpora, default_kb
from extractor.cli.app import say_skipped_links
from extractor.cli.safe_text import console as safe_console, one_line
from extractor.graph import store


@app.command()
def build(corpora: Path = CorporaOption, kb: Path = KbOption, follow_links: bool = FollowLinksOption) -> None:
    """Rebuild the knowledge base from every document in corpora/ (no network)."""
    corpora = corpora or default_corpora()
    kb = kb or default_kb()
    # a status line is read as markup unless it is Text: a file name is the user's, never markup
    with safe_console(stderr=True).status(Text("reading corpora")) as status:
        findings, skipped = pipeline.build(corpora, kb, lambda path: status.update(Text(one_line(f"reading {path}"))),
                                           follow_links)
    say_skipped_links(skipped)
    flares = sum(case.flare.reported for case in findings)
    removed = store.read_manifest(kb).removed
    kept_out = (f"; {len(removed)} paper(s) taken out by `flarekb remove` stay out (`flarekb restore ID` brings one "
                "back)") if removed else ""
    typer.echo(f"built {kb}/ from {len(findings)} document(s) in {corpora}/: {flares} with a flare report{kept_out}",
               err=True)
