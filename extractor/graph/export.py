"""Writing the graph for other tools: GraphML (Cytoscape, Gephi, igraph), node-link JSON, CSV of edges.

GraphML holds scalars only: lists become JSON-encoded strings (evidence sentences contain `;`, so a joined
list could not be split back), missing values are left out, and characters
XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF) are dropped, so the file loads the same in every
reader. Its bytes are those `nx.write_graphml(..., prettyprint=True)` writes for the graph with scalar
attributes (tests/graph/test_export.py holds them to it). Output follows the graph's insertion order
(sorted by construction) and holds no timestamps: same findings, same bytes.

Every file is written atomically, like kb/ (`atomic_writer`). GraphML and CSV are streamed into it one node
or edge at a time: no copy of the graph and no document in memory (GraphML of 100k cases is 325 MB). JSON
is networkx's node-link data, a copy of the graph as dicts, encoded into the file piece by piece.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from extractor.atomicfile import output_writer
from extractor.graph.csv_cells import neutralised

CSV_COLUMNS = ("source", "target", "relation", "predicate", "direction", "day", "n_cases", "n_patients", "n_papers",
               "pmid", "pmcid", "doi", "pmids", "publications", "days", "drugs", "evidence")
JSON_PIECES_PER_WRITE = 4096
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# GraphML as networkx writes it (`nx.write_graphml(graph, prettyprint=True)`, lxml), byte for byte.
GRAPHML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}  # networkx's names
_GRAPHML_HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)
_GRAPHML_FOOTER = "</graph></graphml>"


def _scalar(value):
    if isinstance(value, (list, tuple, set)):
        value = json.dumps(list(value), ensure_ascii=False, default=str)  # read back with json.loads
    if isinstance(value, str):
        return _XML_FORBIDDEN.sub("", value)
    return value


def _scalars(data: dict) -> list[tuple[str, object]]:
    """The attributes GraphML and CSV hold: sorted by name, scalars, no None."""
    return [(key, _scalar(value)) for key, value in sorted(data.items()) if value is not None]


# -- GraphML --------------------------------------------------------------------------------------------------


def write_graphml(graph: nx.MultiDiGraph, handle: BinaryIO) -> None:
    """Stream `graph` as GraphML into the binary `handle`, one node or edge at a time.

    Two passes over the graph: the first finds the `<key>` declarations (one per attribute name, type and
    scope, numbered in order of first use, as networkx numbers them), which GraphML wants before the graph.
    """
    keys = _graphml_keys(graph)
    handle.write(_GRAPHML_HEADER.encode("utf-8"))
    for (scope, name, kind), key_id in reversed(keys.items()):  # networkx inserts each new key first
        handle.write(f'<key id="{key_id}" for="{scope}" attr.name="{_xml_attribute(name)}" '
                     f'attr.type="{GRAPHML_TYPES[kind]}"/>\n'.encode("utf-8"))
    handle.write(f'<graph edgedefault="{"directed" if graph.is_directed() else "undirected"}">'.encode("utf-8"))
    for node, data in graph.nodes(data=True):
        opening = f'<node id="{_xml_id(node)}"'
        handle.write(_graphml_element(opening, "node", "node", data, keys).encode("utf-8"))
    if graph.is_multigraph():
        for source, target, key, data in graph.edges(keys=True, data=True):
            opening = f'<edge source="{_xml_id(source)}" target="{_xml_id(target)}" id="{_xml_id(key)}"'
            handle.write(_graphml_element(opening, "edge", "edge", data, keys).encode("utf-8"))
    else:
        for source, target, data in graph.edges(data=True):
            opening = f'<edge source="{_xml_id(source)}" target="{_xml_id(target)}"'
            handle.write(_graphml_element(opening, "edge", "edge", data, keys).encode("utf-8"))
    handle.write(_GRAPHML_FOOTER.encode("utf-8"))


def _graphml_keys(graph: nx.MultiDiGraph) -> dict[tuple[str, str, type], str]:
    """(scope, attribute name, Python type) -> key id `d0`, `d1`, ... in order of first use."""
    keys: dict[tuple[str, str, type], str] = {}
    scopes = (("node", (data for _, data in graph.nodes(data=True))),
              ("edge", (data for *_, data in graph.edges(data=True))))
    for scope, attribute_dicts in scopes:
        for data in attribute_dicts:
            for name, value in sorted(data.items()):
                if value is None:
                    continue
                kind = str if isinstance(value, (list, tuple, set, str)) else type(value)  # `_scalar`'s type
                if (scope, name, kind) not in keys:
                    if kind not in GRAPHML_TYPES:
                        raise TypeError(f"GraphML cannot hold {scope} attribute {name!r} of type {kind.__name__}")
                    keys[scope, name, kind] = f"d{len(keys)}"
    return keys


def _graphml_element(opening: str, tag: str, scope: str, data: dict, keys: dict) -> str:
    rows = [f'  <data key="{keys[scope, name, type(value)]}">'
            f'{_xml_text(value) if type(value) is str else value}</data>\n'
            for name, value in _scalars(data)]
    if not rows:
        return f"{opening}/>\n"
    return f"{opening}>\n{''.join(rows)}</{tag}>\n"


def _xml_text(text: str) -> str:
    # What libxml2 escapes in element text. Most values need nothing: test before copying.
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def _xml_attribute(text: str) -> str:
    # What libxml2 escapes in attribute values.
    if "&" in text or "<" in text or ">" in text or '"' in text or "\r" in text or "\n" in text or "\t" in text:
        return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;"))
    return text


def _xml_id(value) -> str:
    """A node id or edge key, as networkx writes it (`str`). Ids are not cleaned like attribute values:
    dropping characters could make two nodes one, so an id XML cannot hold is an error."""
    text = str(value)
    if _XML_FORBIDDEN.search(text):
        raise ValueError(f"GraphML cannot hold the id {text!r}: it has characters XML 1.0 forbids")
    return _xml_attribute(text)


# -- node-link JSON and CSV -----------------------------------------------------------------------------------


def write_json(graph: nx.MultiDiGraph, handle: BinaryIO) -> None:
    """networkx's node-link data (every attribute as it is), encoded piece by piece into `handle`."""
    data = nx.node_link_data(graph, edges="edges")
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1, sort_keys=True)
    pieces: list[str] = []
    for piece in encoder.iterencode(data):  # tiny pieces: written a few thousand at a time
        pieces.append(piece)
        if len(pieces) == JSON_PIECES_PER_WRITE:
            handle.write("".join(pieces).encode("utf-8"))
            pieces.clear()
    pieces.append("\n")
    handle.write("".join(pieces).encode("utf-8"))


def write_csv(graph: nx.MultiDiGraph, handle: BinaryIO) -> None:
    """One row per edge, the `CSV_COLUMNS` attributes as scalars (lists JSON-encoded); no text cell is a formula
    (csv_cells)."""
    writer = csv.DictWriter(codecs.getwriter("utf-8")(handle), fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for source, target, data in graph.edges(data=True):
        row = {"source": source, "target": target, **dict(_scalars(data))}
        writer.writerow({column: neutralised(value) for column, value in row.items()})


FORMATS: dict[str, Callable[[nx.MultiDiGraph, BinaryIO], None]] = {
    "graphml": write_graphml, "json": write_json, "csv": write_csv}


def write_export(graph: nx.MultiDiGraph, export_format: str, path: Path) -> None:
    """Write the graph in one of `FORMATS` to `path`: atomically, or `-` (stdout), a FIFO or a device straight
    (`output_writer`)."""
    with output_writer(Path(path)) as handle:
        FORMATS[export_format](graph, handle)
