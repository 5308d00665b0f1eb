"""`flarekb export`: the knowledge graph as GraphML, node-link JSON, a CSV of edges or KGX TSV."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from extractor.cli.app import KbOption, app, default_kb, fail
from extractor.graph import store
from extractor.graph.build import build_graph
from extractor.graph.export import write_export
from extractor.graph.kgx import write_kgx


class ExportFormat(str, Enum):
    graphml = "graphml"
    json = "json"
    csv = "csv"
    kgx = "kgx"


@app.command()
def export(
    export_format: ExportFormat = typer.Option(
        ..., "--format", help="graphml, json (node-link), csv (edges) or kgx (KGX TSV nodes and edges files)."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write (- for standard output); for kgx a prefix "
                                "(-o out/flare: out/flare_nodes.tsv, out/flare_edges.tsv) or a directory (flarekb_*.tsv in it)."),
    kb: Path = KbOption,
) -> None:
    """Export the knowledge graph for Cytoscape, Gephi, igraph or scripts."""
    graph = build_graph(store.load_index(store.require(kb or default_kb())))
    try:
        if export_format is ExportFormat.kgx:
            written = " and ".join(map(str, write_kgx(graph, output)))
        else:
            write_export(graph, export_format.value, output)
            written = "standard output" if str(output) == "-" else str(output)
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror})", exit_code=1)
    typer.echo(f"wrote {written} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", err=True)
