"""The knowledge graph as KGX TSV (`flarekb export --format kgx -o PREFIX`): `PREFIX_nodes.tsv` and
`PREFIX_edges.tsv`, as KGX's own TSV writer names them; where PREFIX is an existing directory, the files
are `flarekb_nodes.tsv` and `flarekb_edges.tsv` inside it.

Nodes: id (the graph's readable id: `drug:tarlatamab`, `pmid:40827251`), category, name, xref (public
CURIEs: `UNII:…`, `PMID:…`), kind. Edges: id, subject, predicate, object, object_direction_qualifier,
publications (the CURIEs of the paper a case edge comes from; a signature's papers), knowledge_level,
agent_type, primary_knowledge_source (`infores:flarekb`), then flarekb's own relation, direction, day,
n_cases and evidence. Multivalued fields are `|`-joined, KGX's TSV convention; the csv module quotes a
field that holds a tab, quote or line break. Text from papers that a spreadsheet would take for a formula
(`=`, `+`, `-`, `@` first) starts with `'`. Both files are written atomically; same graph, same bytes.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from extractor.atomicfile import atomic_writer
from extractor.graph.build import publication_curies

KGX_SEPARATOR = "|"
PRIMARY_KNOWLEDGE_SOURCE = "infores:flarekb"
DEFAULT_STEM = "flarekb"
NODE_COLUMNS = ("id", "category", "name", "xref", "kind")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "object_direction_qualifier", "publications",
                "knowledge_level", "agent_type", "primary_knowledge_source", "relation", "direction", "day",
                "n_cases", "evidence")
# Biolink's KnowledgeLevelEnum and AgentTypeEnum, per relation: what a paper states about its case, read by
# flarekb's rules; the drug facts of the lexicon, entered by hand from labels; signatures, counted by flarekb.
PROVENANCE = {
    "REPORTS": ("knowledge_assertion", "text_mining_agent"),
    "RECEIVED": ("knowledge_assertion", "text_mining_agent"),
    "HAS_DISEASE": ("knowledge_assertion", "text_mining_agent"),
    "HAD": ("knowledge_assertion", "text_mining_agent"),
    "SHOWED": ("knowledge_assertion", "text_mining_agent"),
    "MARKER": ("knowledge_assertion", "text_mining_agent"),
    "ENGAGES": ("knowledge_assertion", "manual_agent"),
    "IN_CLASS": ("knowledge_assertion", "manual_agent"),
    "SIGNATURE": ("observation", "data_analysis_pipeline"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def kgx_paths(output: Path) -> tuple[Path, Path]:
    """(nodes file, edges file) for `-o output`: a prefix, or a directory that exists."""
    output = Path(output)
    prefix = output / DEFAULT_STEM if output.is_dir() else output
    return prefix.with_name(f"{prefix.name}_nodes.tsv"), prefix.with_name(f"{prefix.name}_edges.tsv")


def write_kgx(graph: nx.MultiDiGraph, output: Path) -> tuple[Path, Path]:
    nodes_path, edges_path = kgx_paths(output)
    with atomic_writer(nodes_path) as handle:
        _write_rows(handle, NODE_COLUMNS, (_node_row(node, data) for node, data in graph.nodes(data=True)))
    papers = _case_publications(graph)
    with atomic_writer(edges_path) as handle:
        _write_rows(handle, EDGE_COLUMNS, (_edge_row(graph, source, target, key, data, papers)
                                           for source, target, key, data in graph.edges(keys=True, data=True)))
    return nodes_path, edges_path


def _write_rows(handle: BinaryIO, columns: tuple[str, ...], rows: Iterable[dict]) -> None:
    writer = csv.DictWriter(codecs.getwriter("utf-8")(handle), fieldnames=columns, delimiter="\t",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _node_row(node: str, data: dict) -> dict:
    xref = list(data.get("xref", []))
    if data["kind"] == "paper":
        xref += publication_curies(data.get("pmid"), data.get("pmcid"), data.get("doi"))
    return {"id": node, "category": data["category"], "name": _text(data["name"]),
            "xref": KGX_SEPARATOR.join(xref), "kind": data["kind"]}


def _case_publications(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """case node -> the CURIEs of the paper that reports it."""
    found = {}
    for paper, case, data in graph.edges(data=True):
        if data["relation"] == "REPORTS":
            attributes = graph.nodes[paper]
            found[case] = publication_curies(attributes.get("pmid"), attributes.get("pmcid"), attributes.get("doi"))
    return found


def _edge_row(graph: nx.MultiDiGraph, source: str, target: str, key: int, data: dict,
              papers: dict[str, list[str]]) -> dict:
    relation = data["relation"]
    publications = data.get("publications") or papers.get(source) or papers.get(target) or []
    knowledge_level, agent_type = PROVENANCE[relation]
    evidence = data.get("evidence")
    if isinstance(evidence, list):
        evidence = KGX_SEPARATOR.join(evidence)
    return {
        "id": f"{source}--{relation}--{target}--{key}", "subject": source, "predicate": data["predicate"],
        "object": target, "object_direction_qualifier": data.get("object_direction_qualifier", ""),
        "publications": KGX_SEPARATOR.join(publications), "knowledge_level": knowledge_level,
        "agent_type": agent_type, "primary_knowledge_source": PRIMARY_KNOWLEDGE_SOURCE, "relation": relation,
        "direction": data.get("direction", ""), "day": _number(data.get("day")),
        "n_cases": _number(data.get("n_cases")), "evidence": _text(evidence or ""),
    }


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
