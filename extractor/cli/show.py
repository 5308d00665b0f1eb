"""`flarekb show PMID`: one case in full, its events and markers by day."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import KbOption, app, default_kb
from extractor.cli.query import JsonOption, print_answer
from extractor.graph import queries, store
from extractor.graph.ask import Answer


@app.command()
def show(
    paper: str = typer.Argument(..., help="PMID, PMCID, DOI or case id."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """One case in full: first dose, flare onset and manifestations, markers and resolution, by day."""
    with store.open_index(kb or default_kb()) as index:  # reads the paper's cases alone
        cases = queries.cases_for_paper(index, paper)
    print_answer(Answer("case", f"case {paper}", [queries.case_timeline(case) for case in cases]), as_json)
