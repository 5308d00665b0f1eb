"""Every Biolink term the graph and its KGX export use exists in the Biolink model and is used as the model
says: categories are concrete classes, predicates concrete slots under `related to` whose domain and range
admit the edge's subject and object, qualifiers are qualifier slots with values from their enum, and every
CURIE prefix is in Biolink's prefix map. The schema is the one the `biolink-model` package ships, read
offline with linkml-runtime's SchemaView (bmt and `kgx validate` fetch it from the network)."""

from __future__ import annotations

import json
from importlib import resources

import networkx as nx
import pytest
from linkml_runtime.utils.formatutils import camelcase, underscore
from linkml_runtime.utils.schemaview import SchemaView

from extractor.graph.build import CATEGORY, PREDICATE, build_graph
from extractor.graph.index import build_index
from extractor.graph.kgx import EDGE_COLUMNS, NODE_COLUMNS, PROVENANCE
from tests.graph.conftest import small_findings

BIOLINK = "biolink:"
NON_BIOLINK_COLUMNS = {"kind", "relation", "direction", "day", "n_cases", "evidence"}  # flarekb's own


@pytest.fixture(scope="module")
def schema() -> SchemaView:
    return SchemaView(str(resources.files("biolink_model").joinpath("schema/biolink_model.yaml")))


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return build_graph(build_index(small_findings()))


def biolink_class(schema: SchemaView, curie: str):
    assert curie.startswith(BIOLINK), curie
    by_name = {camelcase(name): name for name in schema.all_classes()}
    assert curie[len(BIOLINK):] in by_name, f"{curie} is not a Biolink class"
    return schema.get_class(by_name[curie[len(BIOLINK):]])


def biolink_slot(schema: SchemaView, name: str):
    by_name = {underscore(slot): slot for slot in schema.all_slots()}
    assert name in by_name, f"{name} is not a Biolink slot"
    return schema.get_slot(by_name[name])


def test_the_graph_uses_exactly_the_vocabulary_tables(graph):
    assert {data["category"] for _, data in graph.nodes(data=True)} == set(CATEGORY.values())
    assert {data["predicate"] for *_, data in graph.edges(data=True)} == set(PREDICATE.values())


@pytest.mark.parametrize("curie", sorted(set(CATEGORY.values())))
def test_categories_are_concrete_current_classes(schema, curie):
    element = biolink_class(schema, curie)
    assert not (element.abstract or element.mixin or element.deprecated), curie
    assert "named thing" in schema.class_ancestors(element.name)


@pytest.mark.parametrize("curie", sorted(set(PREDICATE.values())))
def test_predicates_are_concrete_current_slots_under_related_to(schema, curie):
    assert curie.startswith(BIOLINK)
    element = biolink_slot(schema, curie[len(BIOLINK):])
    assert not (element.abstract or element.mixin or element.deprecated), curie
    assert "related to" in schema.slot_ancestors(element.name)


def test_every_edge_fits_its_predicates_domain_and_range(schema, graph):
    for source, target, data in graph.edges(data=True):
        slot = schema.induced_slot(biolink_slot(schema, data["predicate"][len(BIOLINK):]).name)
        subject = biolink_class(schema, graph.nodes[source]["category"]).name
        object_ = biolink_class(schema, graph.nodes[target]["category"]).name
        assert slot.domain is None or slot.domain in schema.class_ancestors(subject), (source, data["predicate"])
        assert slot.range is None or slot.range in schema.class_ancestors(object_), (target, data["predicate"])


def test_direction_qualifiers_are_qualifier_slots_with_enum_values(schema, graph):
    slot = biolink_slot(schema, "object_direction_qualifier")
    assert "qualifier" in schema.slot_ancestors(slot.name)
    allowed = set(schema.get_enum(slot.range).permissible_values)
    used = {data["object_direction_qualifier"] for *_, data in graph.edges(data=True)
            if "object_direction_qualifier" in data}
    assert used and used <= allowed


def test_kgx_columns_and_provenance_values_are_biolink(schema):
    for column in set(NODE_COLUMNS + EDGE_COLUMNS) - NON_BIOLINK_COLUMNS:
        biolink_slot(schema, column)
    levels = set(schema.get_enum(biolink_slot(schema, "knowledge_level").range).permissible_values)
    agents = set(schema.get_enum(biolink_slot(schema, "agent_type").range).permissible_values)
    assert {level for level, _ in PROVENANCE.values()} <= levels
    assert {agent for _, agent in PROVENANCE.values()} <= agents
    assert set(PROVENANCE) == set(PREDICATE)


def test_curie_prefixes_are_in_biolinks_prefix_map(graph):
    from extractor.graph.build import publication_curies

    prefix_map = json.loads(resources.files("biolink_model").joinpath(
        "prefixmaps/biolink-model-prefix-map.json").read_text(encoding="utf-8"))
    curies = publication_curies("40827251", "PMC12983044", "10.1002/rcr2.70319")
    curies += [curie for _, data in graph.nodes(data=True) for curie in data.get("xref", [])]
    curies += [curie for *_, data in graph.edges(data=True) for curie in data.get("publications", [])]
    assert {curie.split(":", 1)[0] for curie in curies} <= set(prefix_map), curies
