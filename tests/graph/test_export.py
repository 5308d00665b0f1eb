import csv
import io
import json
import os
import re
import signal
from pathlib import Path

import igraph
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.graph.build import build_graph
from extractor.graph.export import FORMATS, write_export, write_graphml
from extractor.graph.index import build_index
from extractor.graph.store import load_index
from tests.graph.conftest import small_findings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def graph(index) -> nx.MultiDiGraph:
    return build_graph(index)


def test_nodes_have_readable_ids_kinds_and_biolink_categories(graph):
    assert graph.nodes["drug:tarlatamab"] | {} == {"kind": "drug", "name": "tarlatamab",
                                                    "category": "biolink:Drug", "role": "engager",
                                                    "xref": ["DRUGBANK:DB17256"]}  # drugs.tsv's identifier
    assert "xref" not in graph.nodes["drug:teclistamab"]  # none checked yet: none given
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
    assert json.loads(signature["pmids"]) == ["1001", "1002"] and json.loads(signature["days"]) == [2, 3]


def test_graphml_drops_characters_xml_cannot_hold(tmp_path: Path):
    findings = small_findings()
    findings[0].markers[0].evidence = "IL-6 \x0brose\x00 sharply.\ud800\uffff"
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


# -- GraphML streamed, against networkx's own writer --------------------------------------------------------


def networkx_graphml(graph: nx.MultiDiGraph) -> bytes:
    """What the export wrote before it streamed: a copy of the graph with scalar attributes (lists
    JSON-encoded, None left out, characters XML forbids dropped, names sorted) through `nx.write_graphml`."""
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

    def scalars(data: dict) -> dict:
        flat = {}
        for name, value in sorted(data.items()):
            if isinstance(value, (list, tuple, set)):
                value = json.dumps(list(value), ensure_ascii=False)
            if value is not None:
                flat[name] = forbidden.sub("", value) if isinstance(value, str) else value
        return flat

    copy = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        copy.add_node(node, **scalars(data))
    for source, target, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(source, target, key=key, **scalars(data))
    buffer = io.BytesIO()
    nx.write_graphml(copy, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def streamed_graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    write_graphml(graph, buffer)
    return buffer.getvalue()


def test_graphml_is_byte_for_byte_what_networkx_writes(graph, tmp_path: Path):
    shipped = build_graph(load_index(REPO / "kb"))
    for each in (graph, shipped):
        write_export(each, "graphml", tmp_path / "kb.graphml")
        assert (tmp_path / "kb.graphml").read_bytes() == networkx_graphml(each)
    assert shipped.number_of_edges() > 0


FORBIDDEN_IN_XML = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
AWKWARD_STRINGS = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from([
    "", " ", "a<b>&c", "]]>", "&amp;", "\"quoted\" 'single'", "line\nbreak\r\n\ttab", "IL-6 \x0brose\x00",
    "\x1f\ufffe\uffff", "é ü ß 中文 😀", "None", "1;2"])
IDS = st.text(st.characters(codec="utf-8", exclude_characters=FORBIDDEN_IN_XML), max_size=8) | st.sampled_from(
    ["drug:tarlatamab", "a&b", "<x>", "\"q\"", "tab\tnew\nline\r", "marker:il-6 ü"])
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), AWKWARD_STRINGS,
    st.lists(st.none() | st.booleans() | st.integers() | st.floats() | AWKWARD_STRINGS, max_size=4),
    st.tuples(AWKWARD_STRINGS, st.integers()))
NAMES = st.sampled_from(["kind", "day", "evidence", "pmids", "n_cases", "a<&\"b\'", "é"])


@st.composite
def awkward_graphs(draw, names=NAMES, values=VALUES) -> nx.MultiDiGraph:
    """Any names, attributes of any scalar or list type, the same name with different types, parallel edges,
    edge keys of networkx's own numbering or strings."""
    graph = nx.MultiDiGraph()
    nodes = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    for node in nodes:
        graph.add_node(node, **draw(st.dictionaries(names, values, max_size=5)))
    for _ in range(draw(st.integers(0, 8))):
        source, target = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        graph.add_edge(source, target, key=draw(st.none() | IDS), **draw(st.dictionaries(names, values, max_size=5)))
    return graph


@settings(max_examples=300, deadline=None)
@given(awkward_graphs())
def test_graphml_of_any_attributes_is_byte_for_byte_what_networkx_writes(graph):
    assert streamed_graphml(graph) == networkx_graphml(graph)


TYPED_VALUES = {  # one type per name, so that reading back gives one attribute per name
    "count": st.integers(-(2**62), 2**62), "ratio": st.floats(allow_nan=False), "flag": st.booleans(),
    "text": AWKWARD_STRINGS, "items": st.lists(AWKWARD_STRINGS, max_size=3)}


@st.composite
def typed_attributes(draw) -> dict:
    return {name: draw(st.none() | strategy) for name, strategy in TYPED_VALUES.items() if draw(st.booleans())}


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_graphml_reads_back_with_the_scalars_and_their_types(data):
    graph = nx.MultiDiGraph()
    nodes = data.draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    for node in nodes:
        graph.add_node(node, **data.draw(typed_attributes()))
    for _ in range(data.draw(st.integers(0, 6))):
        graph.add_edge(data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(nodes)),
                       **data.draw(typed_attributes()))

    def expected(attributes: dict) -> dict:
        flat = {}
        for name, value in attributes.items():
            if isinstance(value, list):
                value = json.dumps(value, ensure_ascii=False)
            if isinstance(value, str):
                value = "".join(char for char in value if char not in FORBIDDEN_IN_XML)
            if value is not None:
                flat[name] = value
        return flat

    def typed(attributes: dict) -> dict:  # True == 1 == 1.0: compare the types too
        return {name: (type(value), value) for name, value in attributes.items()}

    loaded = nx.read_graphml(io.BytesIO(streamed_graphml(graph)), force_multigraph=True)
    assert [(node, typed(attributes)) for node, attributes in loaded.nodes(data=True)] == \
        [(node, typed(expected(attributes))) for node, attributes in graph.nodes(data=True)]
    assert [(u, v, str(key), typed(data)) for u, v, key, data in loaded.edges(keys=True, data=True)] == \
        [(u, v, str(key), typed(expected(data))) for u, v, key, data in graph.edges(keys=True, data=True)]


def test_graphml_key_types_are_networkx_s(tmp_path: Path):
    graph = nx.MultiDiGraph()
    graph.add_node("a", n=1, x=0.5, yes=True, s="text", items=[1, 2], missing=None)
    write_export(graph, "graphml", tmp_path / "g.graphml")
    declared = re.findall(r'attr.name="(\w+)" attr.type="(\w+)"', (tmp_path / "g.graphml").read_text())
    assert sorted(declared) == [("items", "string"), ("n", "long"), ("s", "string"), ("x", "double"),
                                ("yes", "boolean")]
    theirs = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml")).vs[0]
    assert (theirs["n"], theirs["x"], theirs["yes"], theirs["s"], theirs["items"]) == (1, 0.5, True, "text", "[1, 2]")


def test_an_export_reads_the_graph_and_changes_nothing(graph, tmp_path: Path):
    # The graph is read, never changed: a second export gives the same bytes and the graph the same data.
    before = [(u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True)]
    write_export(graph, "graphml", tmp_path / "a.graphml")
    write_export(graph, "graphml", tmp_path / "b.graphml")
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    assert [(u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True)] == before


# -- a failed export leaves the previous file ---------------------------------------------------------------


def exported_then_failed(graph: nx.MultiDiGraph, tmp_path: Path, error: type) -> tuple[bytes, list[str]]:
    path = tmp_path / "kb.graphml"
    path.write_bytes(b"the previous export")
    with pytest.raises(error):
        write_export(graph, "graphml", path)
    return path.read_bytes(), sorted(p.name for p in tmp_path.iterdir())


def test_an_id_xml_cannot_hold_fails_the_export_midway_and_leaves_the_previous_file(graph, tmp_path: Path):
    graph.add_node("marker:il\x00-6", kind="marker")  # written last, after every other node
    assert exported_then_failed(graph, tmp_path, ValueError) == (b"the previous export", ["kb.graphml"])


def test_an_attribute_graphml_cannot_hold_fails_the_export_and_leaves_the_previous_file(graph, tmp_path: Path):
    graph.add_edge("case:1001", "marker:il-6", relation="MARKER", extra={"not": "a scalar"})
    assert exported_then_failed(graph, tmp_path, TypeError) == (b"the previous export", ["kb.graphml"])


class CtrlC:
    """A list item whose text is asked for while the export writes its edge: the user presses Ctrl-C then
    (a real SIGINT to this process)."""

    def __str__(self) -> str:
        os.kill(os.getpid(), signal.SIGINT)
        return "never written"


@pytest.mark.parametrize("export_format", ["graphml", "csv"])
def test_ctrl_c_during_an_export_leaves_the_previous_file_and_no_temporary(graph, export_format, tmp_path: Path):
    last_edge = list(graph.edges(keys=True))[-1]
    graph.edges[last_edge]["pmids"] = ["1001", CtrlC()]  # every node and edge before it is written first
    path = tmp_path / "kb.graphml"
    path.write_bytes(b"the previous export")
    with pytest.raises(KeyboardInterrupt):
        write_export(graph, export_format, path)
    assert path.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.graphml"]


def test_marker_nodes_and_edges_carry_the_hpo_terms_of_their_findings(tmp_path):
    findings = small_findings()
    findings[0].markers[1].hpo_id = "HP:0003228"  # serum sodium increased (hypernatremia)
    findings[1].markers[1].hpo_id = "HP:0002902"  # serum sodium decreased (hyponatremia)
    graph = build_graph(build_index(findings))

    assert graph.nodes["marker:serum sodium"]["xref"] == ["HP:0002902", "HP:0003228"]
    assert "xref" not in graph.nodes["marker:il-6"]
    [edge] = graph.get_edge_data("case:1002", "marker:serum sodium").values()
    assert edge["hpo_id"] == "HP:0002902"
    path = tmp_path / "kb.graphml"
    write_export(graph, "graphml", path)
    assert json.loads(nx.read_graphml(path).nodes["marker:serum sodium"]["xref"]) == ["HP:0002902", "HP:0003228"]
