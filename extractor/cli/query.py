"""`flarekb markers` and `flarekb ask`: answers from the knowledge base, every row with its evidence."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from extractor.cli.app import KbOption, app, default_kb, fail
from extractor.graph import store
from extractor.graph.ask import parse_question
from extractor.graph.queries import MarkerRow, markers_with_flare
from extractor.nlp.lexicons import resolve_drug


@app.command()
def markers(
    drug: str = typer.Option(None, "--drug", help="Drug name, brand or code name (tarlatamab, Imdelltra, AMG 757)."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as a JSON list."),
    kb: Path = KbOption,
) -> None:
    """Markers (with direction) that accompany a flare with a drug."""
    if not drug:
        fail("give --drug NAME")
    entry = resolve_drug(drug)
    if entry is None:
        fail(f"unknown drug {drug!r}")
    rows = markers_with_flare(store.load_findings(kb or default_kb()), {entry.name})
    print_rows(rows, as_json, f"markers accompanying flare with {entry.name}")


@app.command()
def ask(
    question: str = typer.Argument(..., help='For example "which markers accompany flare with tarlatamab".'),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as a JSON list."),
    kb: Path = KbOption,
) -> None:
    """Answer a plain question from the knowledge base."""
    parsed = parse_question(question)
    rows = markers_with_flare(store.load_findings(kb or default_kb()), parsed.drugs)
    names = ", ".join(sorted(parsed.drugs)) if parsed.drugs else "any drug"
    print_rows(rows, as_json, f"markers accompanying flare with {names}")


def print_rows(rows: list[MarkerRow], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=2))
        return
    console = Console()
    if not rows:
        console.print(f"{title}: no reports in the knowledge base")
        return
    table = Table(title=title, show_lines=True)
    for column in ("marker", "direction", "cases", "days", "drugs", "evidence"):
        table.add_column(column, overflow="fold")
    for row in rows:
        evidence = "\n".join(f"{_source(item)}: {item.sentence}" for item in row.evidence)
        table.add_row(row.marker, row.direction, str(row.n_cases), ", ".join(map(str, row.days)) or "-",
                      ", ".join(row.drugs), evidence)
    console.print(table)


def _source(evidence) -> str:
    if evidence.pmid:
        return f"PMID {evidence.pmid}"
    if evidence.pmcid:
        return evidence.pmcid
    return f"doi:{evidence.doi}" if evidence.doi else "?"
