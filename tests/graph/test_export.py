import csv
import io
import json
from pathlib import Path

import igraph
import networkx as nx
import pytest

from extractor.graph.build import build_graph
from extractor.graph.export import FORMATS, write_export
from extractor.graph.index import build_index
from tests.graph.conftest import small_findings


@pytest.fixture
def graph(index) -> nx.MultiDiGraph:
    return build_graph(index)


def test_nodes_have_readable_ids_kinds_and_biolink_categories(graph):
    assert graph.nodes["drug:tarlatamab"] | {} == {"kind": "drug", "name": "tarlatamab",
                                                    "category": "biolink:Drug", "role": "engager"}
    assert graph.nodes["pmid:1001"]["category"] == "biolink:Publication"
    assert graph.nodes["target_class:DLL3xCD3"]["kind"] == "target_class"
    assert {data["kind"] for _, data in graph.nodes(data=True)} == {
        "paper", "case", "drug", "target", "target_class", "disease", "event", "manifestation", "marker"}


def test_case_edges_follow_the_schema(graph):
    relations = {(u, v, d["relation"]) for u, v, d in graph.edges(data=True)}
    assert {("pmid:1001", "case:1001", "REPORTS"), ("case:1001", "drug:tarlatamab", "RECEIVED"),
            ("drug:tarlatamab", "target:DLL3", "ENGAGES"), ("drug:tarlatamab", "target_class:DLL3xCD3", "IN_CLASS"),
            ("case:1001", "event:pseudoprogression", "HAD"), ("case:1001", "marker:il-6", "MARKER")} <= relations
    [marker] = graph.get_edge_data("case:1002", "marker:serum sodium").values()
    assert (marker["direction"], marker["object_direction_qualifier"], marker["day"], marker["pmid"]) == \
        ("decreased", "decreased", 5, "1002")
    assert marker["predicate"] == "biolink:has_phenotype"


def signatures(graph, source, marker):
    return {data["direction"]: data for data in graph.get_edge_data(source, marker).values()
            if data["relation"] == "SIGNATURE"}


def test_signature_edges_per_drug_and_per_target_class_agree_with_the_rows(graph):
    for source in ("drug:tarlatamab", "target_class:DLL3xCD3"):
        il6 = signatures(graph, source, "marker:il-6")
        assert list(il6) == ["increased"]  # the no-flare case's "normal" never enters a signature
        assert (il6["increased"]["n_cases"], il6["increased"]["pmids"], il6["increased"]["days"]) == \
            (2, ["1001", "1002"], [2, 3])
        assert il6["increased"]["publications"] == ["PMID:1001", "PMID:1002"]
        assert set(signatures(graph, source, "marker:serum sodium")) == {"increased", "decreased"}
    assert not graph.has_edge("drug:dexamethasone", "marker:il-6")


def test_graphml_loads_in_igraph_with_the_same_counts_and_no_none(graph, tmp_path: Path):
    path = tmp_path / "kb.graphml"
    write_export(graph, "graphml", path)
    text = path.read_text(encoding="utf-8")
    assert ">None<" not in text and "None" not in text
    theirs = igraph.Graph.Read_GraphML(str(path))
    assert (theirs.vcount(), theirs.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    signature = next(e for e in theirs.es if e["relation"] == "SIGNATURE" and e["n_cases"] == 2)
    assert signature["pmids"] == "1001;1002" and signature["days"] == "2;3"


def test_graphml_drops_characters_xml_cannot_hold(tmp_path: Path):
    findings = small_findings()
    findings[0].markers[0].evidence = "IL-6 \x0brose\x00 sharply."
    path = tmp_path / "kb.graphml"
    write_export(build_graph(build_index(findings)), "graphml", path)
    assert igraph.Graph.Read_GraphML(str(path)).ecount() > 0
    assert "IL-6 rose sharply." in path.read_text(encoding="utf-8")


def test_node_link_json_round_trips(graph, tmp_path: Path):
    path = tmp_path / "kb.json"
    write_export(graph, "json", path)
    loaded = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    assert loaded.nodes["marker:il-6"]["kind"] == "marker"


def test_csv_has_one_row_per_edge_with_evidence(graph, tmp_path: Path):
    path = tmp_path / "edges.csv"
    write_export(graph, "csv", path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == graph.number_of_edges()
    marker = next(r for r in rows if r["source"] == "case:1002" and r["target"] == "marker:serum sodium")
    assert (marker["direction"], marker["day"], marker["evidence"]) == \
        ("decreased", "5", "On day 5 the serum sodium was decreased.")


@pytest.mark.parametrize("export_format", sorted(FORMATS))
def test_same_findings_in_any_order_give_identical_bytes(export_format, tmp_path: Path):
    forward, backward = small_findings(), small_findings()[::-1]
    for name, findings in (("a", forward), ("b", backward)):
        write_export(build_graph(build_index(findings)), export_format, tmp_path / name)
    data = (tmp_path / "a").read_bytes()
    assert data == (tmp_path / "b").read_bytes()
    assert str(tmp_path).encode() not in data
