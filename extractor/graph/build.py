"""Findings -> networkx MultiDiGraph (the schema of DESIGN.md).

Node ids are readable and stable (`pmid:40827251`, `case:40827251`, `drug:tarlatamab`, `marker:il-6`), so the
same findings always give the same graph. Every node has `kind` and `name`; every edge has `relation`.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from extractor.models import CaseFindings

FLARE_EVENT = "pseudoprogression"


def paper_node(case: CaseFindings) -> str:
    if case.pmid:
        return f"pmid:{case.pmid}"
    if case.pmcid:
        return f"pmcid:{case.pmcid}"
    if case.doi:
        return f"doi:{case.doi}"
    return f"doc:{case.id}"


def case_node(case: CaseFindings) -> str:
    return f"case:{case.id}"


def build_graph(findings: Iterable[CaseFindings]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for case in sorted(findings, key=lambda item: item.id):
        _add_case(graph, case)
    add_signatures(graph)
    return graph


def _add_node(graph: nx.MultiDiGraph, node_id: str, kind: str, name: str, **attributes) -> str:
    if node_id not in graph:
        graph.add_node(node_id, kind=kind, name=name, **attributes)
    return node_id


def _add_case(graph: nx.MultiDiGraph, case: CaseFindings) -> None:
    paper = _add_node(graph, paper_node(case), "paper", case.title, pmid=case.pmid or "",
                      pmcid=case.pmcid or "", doi=case.doi or "")
    patient = _add_node(graph, case_node(case), "case", case.id, source=case.source)
    graph.add_edge(paper, patient, relation="REPORTS")
    for drug in case.drugs:
        drug_id = _add_node(graph, f"drug:{drug.name}", "drug", drug.name, role=drug.role)
        graph.add_edge(patient, drug_id, relation="RECEIVED")
        for target in drug.targets:
            target_id = _add_node(graph, f"target:{target}", "target", target)
            if not graph.has_edge(drug_id, target_id):
                graph.add_edge(drug_id, target_id, relation="ENGAGES")
    if case.disease:
        disease = _add_node(graph, f"disease:{case.disease}", "disease", case.disease)
        graph.add_edge(patient, disease, relation="HAS_DISEASE")
    if case.flare.reported:
        event = _add_node(graph, f"event:{FLARE_EVENT}", "event", FLARE_EVENT)
        graph.add_edge(patient, event, relation="HAD", onset_day=case.flare.onset_day,
                       drug=case.flare.drug, resolution_day=case.resolution_day)
        for manifestation in case.flare.manifestations:
            node = _add_node(graph, f"manifestation:{manifestation}", "manifestation", manifestation)
            graph.add_edge(patient, node, relation="SHOWED")
    for marker in case.markers:
        node = _add_node(graph, f"marker:{marker.marker}", "marker", marker.marker)
        graph.add_edge(patient, node, relation="MARKER", direction=marker.direction, day=marker.day,
                       evidence=marker.evidence, pmid=case.pmid, start=marker.start, end=marker.end)


def add_signatures(graph: nx.MultiDiGraph) -> None:
    """Aggregate drug SIGNATURE marker edges over the cases with a flare that received the drug."""
    signatures: dict[tuple[str, str, str], dict] = {}
    for patient, data in graph.nodes(data=True):
        if data["kind"] != "case" or not _had_flare(graph, patient):
            continue
        drugs = [node for _, node, edge in graph.out_edges(patient, data=True) if edge["relation"] == "RECEIVED"]
        markers = [(node, edge) for _, node, edge in graph.out_edges(patient, data=True)
                   if edge["relation"] == "MARKER"]
        for drug in drugs:
            for marker, edge in markers:
                signature = signatures.setdefault((drug, marker, edge["direction"]),
                                                  {"cases": set(), "pmids": set(), "days": set()})
                signature["cases"].add(patient)
                if edge.get("pmid"):
                    signature["pmids"].add(edge["pmid"])
                if edge.get("day") is not None:
                    signature["days"].add(edge["day"])
    for (drug, marker, direction), signature in sorted(signatures.items()):
        graph.add_edge(drug, marker, relation="SIGNATURE", direction=direction,
                       n_cases=len(signature["cases"]), pmids=sorted(signature["pmids"]),
                       days=sorted(signature["days"]))


def _had_flare(graph: nx.MultiDiGraph, patient: str) -> bool:
    return any(edge["relation"] == "HAD" for _, _, edge in graph.out_edges(patient, data=True))
