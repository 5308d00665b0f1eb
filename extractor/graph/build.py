"""KnowledgeIndex -> networkx MultiDiGraph (the schema of DESIGN.md, in Biolink words where they fit).

Node ids are readable and stable (`pmid:40827251`, `case:40827251`, `drug:tarlatamab`, `target:DLL3`,
`target_class:DLL3xCD3`, `marker:il-6`), so the same findings always give the same graph. Every node has
`kind`, `name` and a Biolink `category`; every edge has `relation` and a Biolink `predicate`; marker edges
carry `object_direction_qualifier` where the direction is one Biolink knows, and every edge that states a
finding carries `publications`: a case's MARKER and HAD edges every CURIE of its paper (`PMID:...`,
`PMC:...`, `doi:...`), a SIGNATURE edge each of its papers once (PMID, else PMC, else doi), so a case known
only by PMCID or DOI keeps its evidence; drug nodes carry `xref`, the drug's public CURIE, where the lexicon
has one. SIGNATURE edges come from the index's rows, so graph and query answers agree;
they count cases, patients (`n_patients`) and papers (`n_papers`).
"""

from __future__ import annotations

import networkx as nx

from extractor import collector
from extractor.graph.index import ENGAGER, KnowledgeIndex, MarkerRow
from extractor.lexicons import resolve_drug
from extractor.models import CaseFindings

FLARE_EVENT = "pseudoprogression"
CATEGORY = {
    "paper": "biolink:Publication",
    "case": "biolink:Case",
    "drug": "biolink:Drug",
    "target": "biolink:Protein",
    "target_class": "biolink:NamedThing",
    "disease": "biolink:Disease",
    "event": "biolink:PhenotypicFeature",
    "manifestation": "biolink:PhenotypicFeature",
    "marker": "biolink:ClinicalFinding",  # a PhenotypicFeature, as has_phenotype wants; lab values included
}
PREDICATE = {
    "REPORTS": "biolink:mentions",
    "RECEIVED": "biolink:related_to_at_instance_level",  # treated_by is a mixin, for diseases, not patients
    "ENGAGES": "biolink:directly_physically_interacts_with",
    "IN_CLASS": "biolink:member_of",
    "HAS_DISEASE": "biolink:related_to",
    "HAD": "biolink:has_phenotype",
    "SHOWED": "biolink:has_phenotype",
    "MARKER": "biolink:has_phenotype",
    "SIGNATURE": "biolink:associated_with",
}
BIOLINK_DIRECTIONS = {"increased", "decreased"}  # DirectionQualifierEnum values our directions map onto


def publication_curies(pmid: str | None, pmcid: str | None, doi: str | None) -> list[str]:
    """A paper's identifiers as Biolink CURIEs: `PMID:40827251`, `PMC:12983044`, `doi:10.1002/...`."""
    return ([f"PMID:{pmid}"] if pmid else []) + ([f"PMC:{pmcid.removeprefix('PMC')}"] if pmcid else []) \
        + ([f"doi:{doi}"] if doi else [])


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


def build_graph(index: KnowledgeIndex) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    # networkx keeps a graph as dicts of dicts, no reference cycles: millions of objects, all kept, that the
    # cyclic collector would scan again and again (collector.py)
    with collector.paused():
        for case in index.cases.values():
            _add_case(graph, case)
        for name, info in sorted(index.drugs.items()):
            if info.role == ENGAGER and info.target_class:
                class_id = _add_node(graph, f"target_class:{info.target_class}", "target_class", info.target_class)
                _add_edge(graph, f"drug:{name}", class_id, "IN_CLASS")
        for key, rows in index.signatures.items():
            kind, name = key.split(":", 1)
            source = {"drug": f"drug:{name}", "class": f"target_class:{name}"}.get(kind)
            if source in graph:  # role and antigen signatures are query shortcuts, not graph nodes
                for row in rows:
                    _add_signature(graph, source, row)
    return graph


def _add_node(graph: nx.MultiDiGraph, node_id: str, kind: str, name: str, **attributes) -> str:
    if node_id not in graph:
        graph.add_node(node_id, kind=kind, name=name, category=CATEGORY[kind], **attributes)
    return node_id


def _add_edge(graph: nx.MultiDiGraph, source: str, target: str, relation: str, **attributes) -> None:
    graph.add_edge(source, target, relation=relation, predicate=PREDICATE[relation], **attributes)


def _direction(direction: str) -> dict[str, str]:
    return {"object_direction_qualifier": direction} if direction in BIOLINK_DIRECTIONS else {}


def _add_case(graph: nx.MultiDiGraph, case: CaseFindings) -> None:
    paper = _add_node(graph, paper_node(case), "paper", case.title, pmid=case.pmid or "",
                      pmcid=case.pmcid or "", doi=case.doi or "")
    patient = _add_node(graph, case_node(case), "case", case.id, source=case.source, n_patients=case.n_patients)
    publications = publication_curies(case.pmid, case.pmcid, case.doi)
    _add_edge(graph, paper, patient, "REPORTS")
    for drug in case.drugs:
        drug_id = f"drug:{drug.name}"
        if drug_id not in graph:
            _add_node(graph, drug_id, "drug", drug.name, role=drug.role, **_drug_xref(drug.name))
        _add_edge(graph, patient, drug_id, "RECEIVED")
        for target in drug.targets:
            target_id = _add_node(graph, f"target:{target}", "target", target)
            if not graph.has_edge(drug_id, target_id):
                _add_edge(graph, drug_id, target_id, "ENGAGES")
    if case.disease:
        disease = _add_node(graph, f"disease:{case.disease}", "disease", case.disease)
        _add_edge(graph, patient, disease, "HAS_DISEASE")
    if case.flare.reported:
        event = _add_node(graph, f"event:{FLARE_EVENT}", "event", FLARE_EVENT)
        _add_edge(graph, patient, event, "HAD", onset_day=case.flare.onset_day, drug=case.flare.drug,
                  resolution_day=case.resolution_day, evidence=case.flare.evidence, n_patients=case.n_patients,
                  publications=publications)
        for manifestation in case.flare.manifestations:
            node = _add_node(graph, f"manifestation:{manifestation}", "manifestation", manifestation)
            _add_edge(graph, patient, node, "SHOWED")
    for marker in case.markers:
        node = _add_node(graph, f"marker:{marker.marker}", "marker", marker.marker)
        hpo = {"hpo_id": marker.hpo_id} if marker.hpo_id else {}
        if marker.hpo_id:  # the marker's HPO terms, one per direction seen ("HP:0003281" ferritin increased)
            xref = graph.nodes[node].setdefault("xref", [])
            if marker.hpo_id not in xref:
                xref.append(marker.hpo_id)
                xref.sort()
        _add_edge(graph, patient, node, "MARKER", direction=marker.direction, **_direction(marker.direction),
                  day=marker.day, evidence=marker.evidence, pmid=case.pmid, pmcid=case.pmcid, doi=case.doi,
                  publications=publications, start=marker.start, end=marker.end, **hpo)


def _drug_xref(name: str) -> dict[str, list[str]]:
    """`xref`: the drug's public identifier (`DRUGBANK:DB17256`), where the drug lexicon has one."""
    entry = resolve_drug(name)
    return {"xref": [entry.identifier]} if entry and entry.identifier else {}


def _add_signature(graph: nx.MultiDiGraph, source: str, row: MarkerRow) -> None:
    pmids = sorted({item.pmid for item in row.evidence if item.pmid})
    _add_edge(graph, source, f"marker:{row.marker}", "SIGNATURE", direction=row.direction,
              **_direction(row.direction), n_cases=row.n_cases, n_patients=row.n_patients, n_papers=row.n_papers,
              pmids=pmids, days=row.days, drugs=row.drugs,
              publications=_paper_per_evidence(row))


def _paper_per_evidence(row: MarkerRow) -> list[str]:
    """A signature's papers once each, by the first CURIE each has (PMID, else PMC, else doi)."""
    return sorted({curies[0] for item in row.evidence if (curies := publication_curies(item.pmid, item.pmcid,
                                                                                       item.doi))})
