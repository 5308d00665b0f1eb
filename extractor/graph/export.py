"""Writing the graph for other tools: GraphML (Cytoscape, Gephi, igraph), node-link JSON, CSV of edges.

GraphML holds scalars only: lists become `;`-joined strings and missing values are left out, so the file
loads the same in every reader. Output is sorted and free of timestamps: same graph, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx

LIST_SEPARATOR = ";"
CSV_COLUMNS = ("source", "target", "relation", "direction", "day", "n_cases", "pmid", "pmids", "days", "evidence")


def _scalar(value):
    if isinstance(value, (list, tuple, set)):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def scalar_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with every attribute a scalar and no None values (GraphML cannot hold either)."""
    flat = nx.MultiDiGraph()
    for node, data in sorted(graph.nodes(data=True)):
        flat.add_node(node, **{k: _scalar(v) for k, v in sorted(data.items()) if v is not None})
    for source, target, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **{k: _scalar(v) for k, v in sorted(data.items()) if v is not None})
    return flat


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    buffer = io.BytesIO()
    nx.write_graphml(scalar_graph(graph), buffer, encoding="utf-8", prettyprint=True)
    Path(path).write_bytes(buffer.getvalue())


def write_json(graph: nx.MultiDiGraph, path: Path) -> None:
    data = nx.node_link_data(graph, edges="edges")
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_csv(graph: nx.MultiDiGraph, path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for source, target, data in graph.edges(data=True):
            writer.writerow({"source": source, "target": target,
                             **{k: _scalar(v) for k, v in data.items() if v is not None}})
