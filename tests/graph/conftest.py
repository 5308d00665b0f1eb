"""A small knowledge base built in the tests: tarlatamab with two cases whose IL-6 agrees and whose sodium
disagrees, a BCMA engager, a CD20 engager with no onset day, a checkpoint inhibitor, and a case with no flare."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.graph import store
from extractor.graph.index import KnowledgeIndex, build_index
from extractor.models import CaseFindings, Drug, Flare, MarkerFinding

TARLATAMAB = Drug("tarlatamab", "engager", ["DLL3", "CD3"])
TECLISTAMAB = Drug("teclistamab", "engager", ["BCMA", "CD3"])
EPCORITAMAB = Drug("epcoritamab", "engager", ["CD20", "CD3"])
NIVOLUMAB = Drug("nivolumab", "checkpoint-inhibitor", ["PD-1"])
DEXAMETHASONE = Drug("dexamethasone", "steroid", [])


def marker(name: str, direction: str, day: int | None) -> MarkerFinding:
    sentence = f"On day {day} the {name} was {direction}." if day is not None else f"The {name} was {direction}."
    return MarkerFinding(name, direction, day, sentence, 0, len(name))


def case(pmid: str, drugs: list[Drug], markers: list[MarkerFinding], onset: int | None = 7,
         flare: bool = True, resolution: int | None = None) -> CaseFindings:
    return CaseFindings(
        id=pmid, pmid=pmid, pmcid=None, doi=f"10.1/{pmid}", title=f"Case report {pmid}", source="pubmed-xml",
        drugs=drugs, disease="small-cell lung cancer",
        flare=Flare(reported=flare, onset_day=onset if flare else None,
                    manifestations=["tumor swelling"] if flare else [],
                    evidence=["Imaging showed marked tumour swelling."] if flare else []),
        markers=markers, resolution_day=resolution,
    )


def small_findings() -> list[CaseFindings]:
    return [
        case("1001", [TARLATAMAB, DEXAMETHASONE],
             [marker("il-6", "increased", 3), marker("serum sodium", "increased", 7)],
             onset=7, resolution=13),
        case("1002", [TARLATAMAB], [marker("il-6", "increased", 2), marker("serum sodium", "decreased", 5)], onset=4),
        case("2001", [TECLISTAMAB], [marker("crp", "increased", 1)], onset=10),
        case("3001", [EPCORITAMAB], [marker("ldh", "decreased", None)], onset=None),
        case("4001", [NIVOLUMAB], [marker("crp", "increased", 30)], onset=28),
        case("5001", [TARLATAMAB], [marker("il-6", "normal", 1)], flare=False),
    ]


@pytest.fixture
def findings() -> list[CaseFindings]:
    return small_findings()


@pytest.fixture
def index(findings) -> KnowledgeIndex:
    return build_index(findings)


@pytest.fixture
def kb_dir(tmp_path: Path, findings) -> Path:
    kb = tmp_path / "kb"
    store.save(kb, findings)
    return kb
