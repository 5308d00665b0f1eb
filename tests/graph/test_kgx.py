"""`export --format kgx`: KGX TSV nodes and edges files, read back with the csv module."""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from extractor.cli import run
from extractor.graph import store
from extractor.graph.build import build_graph
from extractor.graph.index import build_index
from extractor.graph.kgx import EDGE_COLUMNS, NODE_COLUMNS, kgx_paths, write_kgx
from tests.graph.conftest import small_findings


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_edge_joins_two_nodes_and_carries_its_provenance(tmp_path):
    graph = build_graph(build_index(small_findings()))
    nodes_path, edges_path = write_kgx(graph, tmp_path / "flare")
    assert (nodes_path.name, edges_path.name) == ("flare_nodes.tsv", "flare_edges.tsv")
    nodes, edges = read_tsv(nodes_path), read_tsv(edges_path)
    assert tuple(nodes[0]) == NODE_COLUMNS and tuple(edges[0]) == EDGE_COLUMNS
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    assert all(edge["subject"] in ids and edge["object"] in ids for edge in edges)
    assert all(edge["primary_knowledge_source"] == "infores:flarekb" and edge["knowledge_level"]
               and edge["agent_type"] and edge["predicate"].startswith("biolink:") for edge in edges)
    assert len({edge["id"] for edge in edges}) == len(edges)
    [sodium] = [e for e in edges if (e["subject"], e["object"]) == ("case:1002", "marker:serum sodium")]
    assert (sodium["object_direction_qualifier"], sodium["day"], sodium["publications"]) == \
        ("decreased", "5", "PMID:1002|doi:10.1/1002")
    [signature] = [e for e in edges if e["relation"] == "SIGNATURE" and e["subject"] == "drug:tarlatamab"
                   and e["object"] == "marker:il-6"]
    assert (signature["publications"], signature["n_cases"]) == ("PMID:1001|PMID:1002", "2")
    paper = next(node for node in nodes if node["id"] == "pmid:1001")
    assert (paper["category"], paper["xref"]) == ("biolink:Publication", "PMID:1001|doi:10.1/1001")
    drug = next(node for node in nodes if node["id"] == "drug:tarlatamab")
    assert (drug["category"], drug["xref"]) == ("biolink:Drug", "DRUGBANK:DB17256")


def test_text_from_papers_survives_and_is_never_a_formula(tmp_path):
    first, *rest = small_findings()
    hostile = "=HYPERLINK(\"http://x\")\tcol\nline \"quoted\" | piped"
    marker = replace(first.markers[0], evidence=hostile)
    cases = [replace(first, title="@SUM(A1)", markers=[marker]), *rest]
    nodes_path, edges_path = write_kgx(build_graph(build_index(cases)), tmp_path / "out")
    title = next(node["name"] for node in read_tsv(nodes_path) if node["id"] == "pmid:1001")
    evidence = next(edge["evidence"] for edge in read_tsv(edges_path) if edge["relation"] == "MARKER"
                    and edge["subject"] == "case:1001" and edge["object"] == "marker:il-6")
    assert (title, evidence) == ("'@SUM(A1)", "'" + hostile)


def test_the_export_command_takes_a_prefix_or_a_directory(tmp_path, monkeypatch, capsys):
    kb = tmp_path / "kb"
    store.save(kb, small_findings())

    def export(output: Path) -> int:
        monkeypatch.setattr(sys, "argv", ["flarekb", "export", "--format", "kgx", "-o", str(output), "--kb", str(kb)])
        with pytest.raises(SystemExit) as stopped:
            run()
        return stopped.value.code

    assert export(tmp_path) == 0
    assert (tmp_path / "flarekb_nodes.tsv").is_file() and (tmp_path / "flarekb_edges.tsv").is_file()
    assert export(tmp_path / "graph") == 0
    assert read_tsv(tmp_path / "graph_edges.tsv") == read_tsv(tmp_path / "flarekb_edges.tsv")  # same bytes' rows
    assert (tmp_path / "graph_nodes.tsv").read_bytes() == (tmp_path / "flarekb_nodes.tsv").read_bytes()
    capsys.readouterr()
    assert export(tmp_path / "no-such-dir" / "graph") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("flarekb: error: ") and "cannot write" in err[0]
    assert kgx_paths(tmp_path / "x.tsv") == (tmp_path / "x.tsv_nodes.tsv", tmp_path / "x.tsv_edges.tsv")
