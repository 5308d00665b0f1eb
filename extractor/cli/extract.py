"""`flarekb extract`: documents in, findings out (JSON Lines or a table)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from extractor.cli.app import app
from extractor.errors import BadInput
from extractor.models import CaseFindings, Document
from extractor.nlp import extract_many
from extractor.sources import iter_documents


class OutputFormat(str, Enum):
    json = "json"
    table = "table"


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="PubMed XML, PMC JATS XML, an HTML page, .txt or .md files."),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json: one JSON object per document per line."),
) -> None:
    """Extract drugs, flare, markers (direction, day) and resolution from documents, with evidence."""
    failures = 0
    for path in paths:  # file by file, each streamed: a PubMed baseline file is never held in memory whole
        reading = _Reading(path)
        for findings in extract_many(reading):
            if output_format is OutputFormat.json:
                typer.echo(json.dumps(findings.to_json(), ensure_ascii=False))
            else:
                print_findings(findings)
        if reading.error is not None:  # one bad file does not stop the others
            sys.stdout.flush()  # its findings so far come before its error, also where both go to one place
            typer.echo(f"flarekb: error: {reading.error}", err=True)
            failures += 1
    if failures:
        raise typer.Exit(2)


class _Reading:
    """The documents of one file, read as they are extracted. A BadInput ends the documents and is kept in
    `error`, so the findings of the documents before a fault half-way are still printed: extract_many reads
    ahead, and an exception from inside its read-ahead would lose the documents it had read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: BadInput | None = None

    def __iter__(self) -> Iterator[Document]:
        try:
            yield from iter_documents(self.path)
        except BadInput as error:
            self.error = error


def print_findings(findings: CaseFindings) -> None:
    console = Console()
    flare = findings.flare
    console.print(f"[bold]{findings.id}[/bold]  {findings.title}")
    console.print(f"  drugs: {', '.join(d.name for d in findings.drugs) or '-'}   disease: {findings.disease or '-'}")
    console.print(f"  flare: {'yes' if flare.reported else 'no'}"
                  + (f", onset day {flare.onset_day}" if flare.onset_day is not None else "")
                  + (f", resolved day {findings.resolution_day}" if findings.resolution_day is not None else "")
                  + (f"  ({', '.join(flare.manifestations)})" if flare.manifestations else ""))
    if findings.markers:
        table = Table("marker", "direction", "day", "evidence", show_lines=False)
        for marker in findings.markers:
            table.add_row(marker.marker, marker.direction, "" if marker.day is None else str(marker.day),
                          marker.evidence)
        console.print(table)
