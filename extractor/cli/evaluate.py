"""`flarekb evaluate --gold FILE [PATH ...]`: score extraction against hand-made gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from extractor.cli.app import app
from extractor.cli.safe_text import one_line
from extractor.evaluate import Report, document_categories, evaluate_by_category, evaluation_documents, load_gold


@app.command("evaluate")
def evaluate_command(
    paths: list[Path] = typer.Argument(None, help="Documents or folders to score (default: the gold file's docs/ and the seeds)."),
    gold: Path = typer.Option(..., "--gold", help="Gold JSON Lines file (../shared/corpus/gold.jsonl)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures and disagreements as one JSON object."),
    errors: bool = typer.Option(False, "--errors", help="List every missed and extra marker per document, with its evidence."),
    by_category: bool = typer.Option(False, "--by-category",
                                     help="Also print the figures per document category (positive, near_miss, negative)."),
) -> None:
    """Precision/recall/F1 for engagers, other drugs, (marker, direction) and (marker, direction, day); accuracy of
    disease, flare and onset day."""
    cases = load_gold(gold)
    categories = document_categories(gold) if by_category else {}
    reports = evaluate_by_category(cases, evaluation_documents(gold, paths or []), categories)
    report = reports["all"]
    if as_json:
        data = report.to_json()
        if by_category:
            data["categories"] = {name: r.to_json() for name, r in sorted(reports.items()) if name != "all"}
        typer.echo(json.dumps(data, indent=2))
        return
    print_report(report)
    if by_category:
        for name, category_report in sorted(reports.items()):
            if name != "all":
                typer.echo(f"\ncategory {name}:")
                print_figures(category_report)
    if errors:
        print_errors(report)
    else:
        print_disagreements(report)


def print_report(report: Report) -> None:
    print_figures(report)
    if report.unmatched_gold:
        typer.echo(f"no document found for gold: {', '.join(report.unmatched_gold)}")


def print_figures(report: Report) -> None:
    typer.echo(f"documents scored: {report.flare.total}")
    for label, score in (("engagers", report.engagers), ("other drugs", report.other_drugs),
                         ("(marker, direction)", report.markers), ("(marker, dir., day)", report.marker_days)):
        typer.echo(f"{label:<22} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"
                   f"  (tp {score.true_positives}, fp {score.false_positives}, fn {score.false_negatives})")
    typer.echo(f"{'disease':<22} accuracy {report.disease.value:.3f}  ({report.disease.correct}/{report.disease.total})")
    typer.echo(f"{'flare':<22} accuracy {report.flare.value:.3f}  ({report.flare.correct}/{report.flare.total})")
    typer.echo(f"{'onset day':<22} accuracy {report.onset_day.value:.3f}"
               f"  ({report.onset_day.correct}/{report.onset_day.total} gold flares)")
    typer.echo(f"{'onset day (stated)':<22} accuracy {report.onset_day_stated.value:.3f}"
               f"  ({report.onset_day_stated.correct}/{report.onset_day_stated.total} gold flares whose text states a day)")


def print_disagreements(report: Report) -> None:
    typer.echo("disagreements:" if report.disagreements else "disagreements: none")
    for line in report.disagreements:
        typer.echo(f"  {one_line(line)}")  # ids and names come from the gold file


def print_errors(report: Report) -> None:
    """Every missed and extra marker, grouped by document, with the evidence (gold's for a miss, the sentence
    it was found in for an extra); then the other disagreements."""
    typer.echo("marker errors:" if report.marker_errors else "marker errors: none")
    document = None
    for error in report.marker_errors:
        if error.document != document:
            document = error.document
            typer.echo(f"  {one_line(document)}")
        # the evidence JSON-quoted: one line, its control characters escaped
        typer.echo(f"    {error.kind:<6} {one_line(error.marker)} {error.direction}: {one_line(json.dumps(error.evidence, ensure_ascii=False))}")
    others = [line for line in report.disagreements if ": marker " not in line]
    typer.echo("other disagreements:" if others else "other disagreements: none")
    for line in others:
        typer.echo(f"  {one_line(line)}")
