"""`flarekb extract`: documents in, findings out (JSON Lines or a table)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from extractor.cli.app import app
from extractor.cli.safe_text import bold, console as safe_console, one_line, terminal_text
from extractor.errors import BadInput
from extractor.models import CaseFindings
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
        try:
            for findings in extract_many(iter_documents(path)):
                if output_format is OutputFormat.json:
                    typer.echo(json.dumps(findings.to_json(), ensure_ascii=False))
                else:
                    print_findings(findings)
        except BadInput as error:  # one bad file does not stop the others; its records before the fault count
            sys.stdout.flush()  # its findings so far come before its error, also where both go to one place
            typer.echo(f"flarekb: error: {one_line(str(error))}", err=True)
            failures += 1
    if failures:
        raise typer.Exit(2)


def print_findings(findings: CaseFindings) -> None:
    console = safe_console()  # the title and sentences are the document's text: never markup, no controls
    flare = findings.flare
    console.print(Text.assemble(bold(findings.id), "  ", terminal_text(findings.title)))
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
