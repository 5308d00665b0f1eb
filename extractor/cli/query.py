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
from extractor.graph.ask import (
    Answer,
    Question,
    answer,
    marker_answer,
    plural,
    summary_line,
)
from extractor.graph.display import marker_display
from extractor.graph.index import KnowledgeIndex
from extractor.models import DIRECTIONS


class Role(str, Enum):
    engager = "engager"
    car_t = "car-t"
    checkpoint_inhibitor = "checkpoint-inhibitor"
    imid = "imid"
    chemotherapy = "chemotherapy"
    hormone_therapy = "hormone-therapy"


class Direction(str, Enum):
    increased = "increased"
    decreased = "decreased"
    positive = "positive"
    negative = "negative"
    normal = "normal"


assert tuple(direction.value for direction in Direction) == DIRECTIONS
JsonOption = typer.Option(False, "--json", help="Print the answer as a JSON list.")


@app.command()
def markers(
    drug: str = typer.Option(None, "--drug", help="Drug name, brand or code name (tarlatamab, Imdelltra, AMG 757)."),
    target: str = typer.Option(None, "--target", help="Engager target class or antigen (DLL3xCD3, BCMA, CD20)."),
    role: Role = typer.Option(None, "--role", help="Every drug of one kind; default with no option: engagers."),
    marker: str = typer.Option(None, "--marker", help="One marker (IL-6, LDH, CRP): per drug, with evidence."),
    direction: Direction = typer.Option(None, "--direction", help="With --marker: only this direction."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """Markers (with direction) that accompany a flare with a drug, a target class or all engagers; or one
    marker (--marker) with every drug that reports it."""
    if sum(option is not None for option in (drug, target, role)) > 1:
        fail("give one of --drug, --target or --role")
    if direction is not None and marker is None:
        fail("--direction goes with --marker")
    name = canonical_drug(drug) if drug is not None else None
    marker_name = canonical_marker(marker) if marker is not None else None
    with store.open_index(kb or default_kb()) as index:
        canonical = canonical_target(index, target) if target is not None else None
        role_name = role.value if role else None
        if marker_name is not None:
            asked = Question(drugs=[name] if name else [], role=role_name, target=canonical, marker=marker_name,
                             direction=direction.value if direction else None)
            result = marker_answer(index, asked)
        else:
            if name is not None:
                query, subject = {"drug": name}, name
            elif canonical is not None:
                query, subject = {"target": canonical}, f"{canonical} engagers"
            else:
                query, subject = {"role": role_name or "engager"}, f"any {role_name or 'engager'}"
            result = Answer("markers", f"markers accompanying flare with {subject}",
                            queries.markers_with_flare(index, **query),
                            summary_line(queries.summary(index, **query), subject))
    print_answer(result, as_json)


@app.command()
def onset(
    drug: str = typer.Option(None, "--drug", help="One drug; default: every drug with a flare report."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """When the flare starts, per drug: patients and papers, median and range of single patients' onset days, and
    cohort medians apart."""
    name = canonical_drug(drug) if drug is not None else None
    with store.open_index(kb or default_kb()) as index:
        rows = queries.flare_onset(index, drug=name)
        summary = summary_line(queries.summary(index, drug=name), name) if name else ""
    print_answer(Answer("onset", f"flare onset (days after the first dose) with {name or 'each drug'}", rows,
                        summary), as_json)


@app.command()
def drugs(
    role: Role = typer.Option(None, "--role", help="Only drugs of one kind."),
    as_json: bool = JsonOption,
    kb: Path = KbOption,
) -> None:
    """Drugs with flare reports: their target class, patients and papers."""
    with store.open_index(kb or default_kb()) as index:
        rows = queries.drugs_with_flare(index, role=role.value if role else None)
    print_answer(Answer("drugs", "drugs with flare reports", rows, f"{plural(len(rows), 'drug')} with flare reports"),
                 as_json)


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


def canonical_marker(name: str) -> str:
    try:
        return ask_names.canonical_marker(name)
    except BadInput as error:
        fail(str(error))


def canonical_target(index: KnowledgeIndex, target: str) -> str:
    try:
        return ask_names.canonical_target(index, target)
    except BadInput as error:
        fail(str(error))


def row_json(row) -> dict:
    """A row as --json prints it: its fields, and how a marker is written (`display`) beside its key."""
    fields = asdict(row)
    if "marker" in fields:
        fields["display"] = marker_display(fields["marker"])
    return fields


def print_answer(result: Answer, as_json: bool) -> None:
    for note in result.notes:  # on stderr: --json output stays a JSON list
        typer.echo(f"flarekb: note: {note}", err=True)
    if as_json:
        typer.echo(json.dumps([row_json(row) for row in result.rows], ensure_ascii=False, indent=2))
        return
    console = safe_console()  # titles and sentences are the papers' text: never markup, no controls
    if not result.rows:
        console.print(f"{result.title}: no reports in the knowledge base", markup=False)
        return
    if result.summary:
        console.print(result.summary, markup=False)
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
        wide = column in ("evidence", "which papers", "papers with a day", "cohort median")
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
    if timeline.n_patients > 1:
        console.print(f"patients: {timeline.n_patients} (a cohort: its days are the cohort's medians)")
    table = Table(show_lines=True)
    for column in ("day", "event", "what", "direction", "evidence"):
        table.add_column(column, overflow="fold")
    for event in timeline.events:
        day = "?" if event.day is None else f"~{event.day}" if event.approximate else str(event.day)
        what = marker_display(event.what) if event.kind == "marker" else event.what
        table.add_row(day, event.kind, what, event.direction, event.evidence)
    console.print(table)


def _days(days: list[int]) -> str:
    return ", ".join(map(str, days)) or "-"


def _evidence(row: queries.MarkerRow) -> str:
    return "\n".join(f"{_source(item)}{_day(item.day)}: {item.sentence}" for item in row.evidence)


def _marker_cells(row: queries.MarkerRow) -> list[str]:
    return [marker_display(row.marker), row.direction, str(row.n_patients), str(row.n_papers), _days(row.days),
            ", ".join(row.drugs), _evidence(row)]


def _drug_marker_cells(row: queries.DrugMarkerRow) -> list[str]:
    return [", ".join(row.drugs), row.target_class or row.role, row.direction, str(row.n_patients), str(row.n_papers),
            _days(row.days), _evidence(row)]


def _onset_cells(row: queries.OnsetRow) -> list[str]:
    spread = "-" if row.median is None else f"{row.median:g} ({row.min}-{row.max})"
    cohorts = "; ".join(f"day {cohort.day} (median of {cohort.n_patients} patients, {_paper(cohort.paper)})"
                        for cohort in row.cohort_medians) or "-"
    return [row.drug, row.target_class or "-", str(row.n_patients), str(row.n_papers),
            f"{row.n_with_day}/{row.n_cases}", spread, _days(row.days), cohorts, ", ".join(row.papers)]


def _drug_cells(row: queries.DrugRow) -> list[str]:
    return [row.drug, row.role, row.target_class or "-", str(row.n_patients), str(row.n_papers),
            ", ".join(row.papers)]


TABLES = {
    "markers": (("marker", "direction", "patients", "papers", "days", "drugs", "evidence"), _marker_cells),
    "marker": (("drug", "target class", "direction", "patients", "papers", "days", "evidence"), _drug_marker_cells),
    "onset": (("drug", "target class", "patients", "papers", "single patients with a day", "median (range)", "days",
               "cohort median", "papers with a day"), _onset_cells),
    "drugs": (("drug", "role", "target class", "patients", "papers", "which papers"), _drug_cells),
}


def _paper(label: str) -> str:
    return f"PMID {label}" if label.isdigit() else label


def _day(day: int | None) -> str:
    return "" if day is None else f", day {day}"


def _source(evidence: queries.Evidence) -> str:
    if evidence.pmid:
        return f"PMID {evidence.pmid}"
    if evidence.pmcid:
        return evidence.pmcid
    return f"doi:{evidence.doi}" if evidence.doi else "?"
