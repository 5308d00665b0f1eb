"""`flarekb export`: the knowledge graph as GraphML, node-link JSON or a CSV of edges."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from extractor.cli.app import KbOption, app, default_kb, fail
from extractor.graph import store
from extractor.graph.build import build_graph
from extractor.graph.export import write_export


class ExportFormat(str, Enum):
    graphml = "graphml"
    json = "json"
    csv = "csv"


@app.command()
def export(
    export_format: ExportFormat = typer.Option(..., "--format", help="graphml, json (node-link) or csv (edges)."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    kb: Path = KbOption,
) -> None:
    """Export the knowledge graph for Cytoscape, Gephi, igraph or scripts."""
    graph = build_graph(store.load_index(store.require(kb or default_kb())))
    try:
        write_export(graph, export_format.value, output)
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror})", exit_code=1)
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", err=True)
