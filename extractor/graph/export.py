"""Writing the graph for other tools: GraphML (Cytoscape, Gephi, igraph), node-link JSON, CSV of edges.

GraphML holds scalars only: lists become `;`-joined strings, missing values are left out, and characters
XML 1.0 forbids are dropped, so the file loads the same in every reader. Output follows the graph's
insertion order (sorted by construction) and holds no timestamps: same findings, same bytes. Every file is
written atomically, like kb/.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx

from extractor.atomicfile import write_atomically

LIST_SEPARATOR = ";"
CSV_COLUMNS = ("source", "target", "relation", "predicate", "direction", "day", "n_cases", "pmid", "pmids",
               "days", "drugs", "evidence")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalar(value):
    if isinstance(value, (list, tuple, set)):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, str):
        return _XML_FORBIDDEN.sub("", value)
    return value


def _scalars(data: dict) -> dict:
    return {key: _scalar(value) for key, value in sorted(data.items()) if value is not None}


def scalar_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with every attribute a scalar and no None values (GraphML can hold neither)."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **_scalars(data))
    for source, target, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **_scalars(data))
    return flat


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(scalar_graph(graph), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def json_bytes(graph: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(graph, edges="edges")
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def csv_bytes(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for source, target, data in graph.edges(data=True):
        writer.writerow({"source": source, "target": target, **_scalars(data)})
    return buffer.getvalue().encode("utf-8")


FORMATS = {"graphml": graphml_bytes, "json": json_bytes, "csv": csv_bytes}


def write_export(graph: nx.MultiDiGraph, export_format: str, path: Path) -> None:
    """Write the graph in one of `FORMATS` to `path`, atomically."""
    write_atomically(Path(path), FORMATS[export_format](graph))
