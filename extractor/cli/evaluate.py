"""`flarekb evaluate --gold FILE [PATH ...]`: score extraction against hand-made gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from extractor.cli.app import app
from extractor.evaluate import Report, evaluate, evaluation_documents, load_gold


@app.command("evaluate")
def evaluate_command(
    paths: list[Path] = typer.Argument(None, help="Documents or folders to score (default: the gold file's docs/ and the seeds)."),
    gold: Path = typer.Option(..., "--gold", help="Gold JSON Lines file (../shared/corpus/gold.jsonl)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures and disagreements as one JSON object."),
) -> None:
    """Precision/recall/F1 for engagers, other drugs and (marker, direction); accuracy of disease, flare and onset day."""
    report = evaluate(load_gold(gold), evaluation_documents(gold, paths or []))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)


def print_report(report: Report) -> None:
    typer.echo(f"documents scored: {report.flare.total}")
    for label, score in (("engagers", report.engagers), ("other drugs", report.other_drugs),
                         ("(marker, direction)", report.markers)):
        typer.echo(f"{label:<22} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"
                   f"  (tp {score.true_positives}, fp {score.false_positives}, fn {score.false_negatives})")
    typer.echo(f"{'disease':<22} accuracy {report.disease.value:.3f}  ({report.disease.correct}/{report.disease.total})")
    typer.echo(f"{'flare':<22} accuracy {report.flare.value:.3f}  ({report.flare.correct}/{report.flare.total})")
    typer.echo(f"{'onset day':<22} accuracy {report.onset_day.value:.3f}"
               f"  ({report.onset_day.correct}/{report.onset_day.total} gold flares)")
    if report.unmatched_gold:
        typer.echo(f"no document found for gold: {', '.join(report.unmatched_gold)}")
    typer.echo("disagreements:" if report.disagreements else "disagreements: none")
    for line in report.disagreements:
        typer.echo(f"  {line}")
