"""`flarekb markers`, `onset`, `drugs` and `ask`: answers from the knowledge base, as tables or `--json`.

Each reads the index through `store.open_index`: only the lines of kb/index.jsonl its answer needs."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from extractor.cli.app import KbOption, app, default_kb, fail
from extractor.cli.safe_text import bold, console as safe_console, terminal_text
from extractor.errors import BadInput
from extractor.graph import ask as ask_names
from extractor.graph import queries, store
from extractor.graph.ask import Answer, answer
from extractor.graph.index import KnowledgeIndex


class Role(str, Enum):
    engager = "engager"
    car_t = "car-t"
    checkpoint_inhibitor = "checkpoint-inhibitor"
    imid = "imid"
    chemotherapy = "chemotherapy"


JsonOption = typer.Option(False, "--json", help="Print the answer as a JSON list.")


@app.command()
def markers(
    drug: str = typer.Option(None, "--drug", help="Drug name, brand or code name (tarlatamab, Imdelltra, AMG 757)."),
    target: str = typer.Option(None, "--target", help="Engager target class or antigen (DLL3xCD3, BCMA, CD20)."),
    role: Role = typer.Option(None, "--role", help="Every drug of one kind; default with no option: engagers."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """Markers (with direction) that accompany a flare with a drug, a target class or all engagers."""
    if sum(option is not None for option in (drug, target, role)) > 1:
        fail("give one of --drug, --target or --role")
    with store.open_index(kb or default_kb()) as index:
        if drug is not None:
            name = canonical_drug(drug)
            rows, subject = queries.markers_with_flare(index, drug=name), name
        elif target is not None:
            canonical = canonical_target(index, target)
            rows, subject = queries.markers_with_flare(index, target=canonical), f"{canonical} engagers"
        else:
            role_name = role.value if role else "engager"
            rows, subject = queries.markers_with_flare(index, role=role_name), f"any {role_name}"
    print_answer(Answer("markers", f"markers accompanying flare with {subject}", rows), as_json)


@app.command()
def onset(
    drug: str = typer.Option(None, "--drug", help="One drug; default: every drug with a flare report."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """When the flare starts: number of cases, median and range of the onset day, per drug."""
    name = canonical_drug(drug) if drug is not None else None
    with store.open_index(kb or default_kb()) as index:
        rows = queries.flare_onset(index, drug=name)
    print_answer(Answer("onset", f"flare onset (days after the first dose) with {name or 'each drug'}", rows), as_json)


@app.command()
def drugs(
    role: Role = typer.Option(None, "--role", help="Only drugs of one kind."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """Drugs with flare reports, with their target class and the papers."""
    with store.open_index(kb or default_kb()) as index:
        rows = queries.drugs_with_flare(index, role=role.value if role else None)
    print_answer(Answer("drugs", "drugs with flare reports", rows), as_json)


@app.command()
def ask(
    question: str = typer.Argument(..., help='For example "which markers accompany flare with tarlatamab".'),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """Answer a plain question: markers, flare onset, drugs with reports, or one case (PMID)."""
    with store.open_index(kb or default_kb()) as index:
        result = answer(index, question)
    print_answer(result, as_json)


def canonical_drug(name: str) -> str:
    try:
        return ask_names.canonical_drug(name)
    except BadInput as error:
        fail(str(error))


def canonical_target(index: KnowledgeIndex, target: str) -> str:
    try:
        return ask_names.canonical_target(index, target)
    except BadInput as error:
        fail(str(error))


def print_answer(result: Answer, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([asdict(row) for row in result.rows], ensure_ascii=False, indent=2))
        return
    console = safe_console()  # titles and sentences are the papers' text: never markup, no controls
    if not result.rows:
        console.print(f"{result.title}: no reports in the knowledge base")
        return
    if result.intent == "case":
        for timeline in result.rows:
            print_timeline(console, timeline)
        return
    columns, cells = TABLES[result.intent]
    rows = [cells(row) for row in result.rows]
    drugs_column = columns.index("drugs") if "drugs" in columns else None
    if drugs_column is not None and len({row[drugs_column] for row in rows}) == 1 and "," not in rows[0][drugs_column]:
        # One drug throughout: the title names it, and the evidence needs the width on a narrow terminal.
        keep = [index for index, column in enumerate(columns) if column != "drugs"]
        columns, rows = [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]
    table = Table(title=result.title, show_lines=result.intent == "markers")
    for column in columns:
        # The evidence sentence is what a reader checks: it gets the room, short columns stay on one line.
        wide = column in ("evidence", "papers")
        table.add_column(column, overflow="fold", ratio=4 if wide else None, min_width=None if wide else 5)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_timeline(console: Console, timeline: queries.CaseTimeline) -> None:
    ids = ", ".join(label + value for label, value in
                    (("PMID ", timeline.pmid), ("", timeline.pmcid), ("doi:", timeline.doi)) if value)
    console.print(Text.assemble(bold(timeline.title), "\n", terminal_text(ids)))
    console.print(f"drugs: {', '.join(timeline.drugs) or '-'}; disease: {timeline.disease or '-'}; "
                  f"flare reported: {'yes' if timeline.flare_reported else 'no'}")
    table = Table(show_lines=True)
    for column in ("day", "event", "what", "direction", "evidence"):
        table.add_column(column, overflow="fold")
    for event in timeline.events:
        table.add_row("?" if event.day is None else str(event.day), event.kind, event.what, event.direction,
                      event.evidence)
    console.print(table)


def _days(days: list[int]) -> str:
    return ", ".join(map(str, days)) or "-"


def _marker_cells(row: queries.MarkerRow) -> list[str]:
    evidence = "\n".join(f"{_source(item)}{_day(item.day)}: {item.sentence}" for item in row.evidence)
    return [row.marker, row.direction, str(row.n_cases), _days(row.days), ", ".join(row.drugs), evidence]


def _onset_cells(row: queries.OnsetRow) -> list[str]:
    spread = "-" if row.median is None else f"{row.median:g} ({row.min}-{row.max})"
    return [row.drug, row.target_class or "-", f"{row.n_with_day}/{row.n_cases}", spread, _days(row.days),
            ", ".join(row.papers)]


def _drug_cells(row: queries.DrugRow) -> list[str]:
    return [row.drug, row.role, row.target_class or "-", str(row.n_cases), ", ".join(row.papers)]


TABLES = {
    "markers": (("marker", "direction", "cases", "days", "drugs", "evidence"), _marker_cells),
    "onset": (("drug", "target class", "cases with a day", "median (range)", "days", "papers"), _onset_cells),
    "drugs": (("drug", "role", "target class", "flare cases", "papers"), _drug_cells),
}


def _day(day: int | None) -> str:
    return "" if day is None else f", day {day}"


def _source(evidence: queries.Evidence) -> str:
    if evidence.pmid:
        return f"PMID {evidence.pmid}"
    if evidence.pmcid:
        return evidence.pmcid
    return f"doi:{evidence.doi}" if evidence.doi else "?"
