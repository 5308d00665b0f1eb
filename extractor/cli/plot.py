"""`flarekb plot timeline PMID -o FILE.png` and `flarekb plot signatures -o FILE.png`: pictures for people."""

from __future__ import annotations

from pathlib import Path

import typer

from extractor.cli.app import KbOption, app, default_kb
from extractor.graph import store
from extractor.graph.index import build_index
from extractor.graph.queries import cases_for_paper
from extractor.viz.figures import NothingToPlot, output_format, save_figure

plot_app = typer.Typer(help="Draw a case timeline or the signature heatmap (PNG, SVG or PDF).",
                       no_args_is_help=True)
app.add_typer(plot_app, name="plot")

OutputOption = typer.Option(..., "-o", "--output", help="Picture to write: .png, .svg or .pdf.")


@plot_app.command()
def timeline(
    paper: str = typer.Argument(..., help="The case's PMID (or PMCID, DOI, case id)."),
    output: Path = OutputOption,
    kb: Path = KbOption,
) -> None:
    """One case on a time axis: dose, imaging, markers with their direction, the flare window."""
    from extractor.viz.timeline import plot_timeline  # matplotlib loads only when a picture is drawn

    output_format(output)  # a wrong suffix is bad usage: say so before any work
    index = build_index(_findings(kb or default_kb()))
    cases = cases_for_paper(index, paper)
    save_figure(plot_timeline(cases[0]), output)
    others = ", ".join(case.id for case in cases[1:])
    more = f" (the paper holds {len(cases)} cases: drew {cases[0].id}; others by case id: {others})" if others else ""
    typer.echo(f"wrote {output}{more}", err=True)


@plot_app.command()
def signatures(output: Path = OutputOption, kb: Path = KbOption) -> None:
    """Drugs (grouped by target class) against the markers reported with their flares."""
    from extractor.viz.signatures import plot_signatures  # matplotlib loads only when a picture is drawn

    output_format(output)
    save_figure(plot_signatures(build_index(_findings(kb or default_kb()))), output)
    typer.echo(f"wrote {output}", err=True)


def _findings(kb: Path) -> list:
    findings = store.load_findings(store.require(kb))
    if not findings:
        raise NothingToPlot(f"{kb}: the knowledge base is empty, nothing to plot "
                            "(add papers with `flarekb refresh PMID ...`)")
    return findings
