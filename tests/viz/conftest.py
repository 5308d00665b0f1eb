"""A small, realistic knowledge base for the pictures and the report: two tarlatamab cases (one dated like
the Nakano seed, one whose markers have no day like the Ikeuchi seed), a teclistamab and an epcoritamab case,
and a pembrolizumab pseudoprogression (a neighbouring therapy, not an engager)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor.graph import store
from extractor.models import CaseFindings, Drug, Flare, MarkerFinding

TARLATAMAB = Drug("tarlatamab", "engager", ["DLL3", "CD3"])
NAKANO_FLARE = ("Day 7 imaging showed marked tumour swelling and pleural effusion despite negative cytology "
                "and rising serum sodium.")
NAKANO_REGRESSION = ("By Day 13, computed tomography demonstrated regression of thoracic and hepatic lesions and "
                     "falling pro-gastrin-releasing peptide (pro-GRP).")


def finding(marker: str, direction: str, day: int | None, sentence: str) -> MarkerFinding:
    start = max(sentence.lower().find(marker), 0)
    return MarkerFinding(marker, direction, day, sentence, start, start + len(marker))


def nakano() -> CaseFindings:
    return CaseFindings(
        "40827251", "40827251", None, "10.1002/rcr2.70319",
        "Early Pseudoprogression After Tarlatamab in Small-Cell Lung Cancer: A Case Report", "pubmed-xml",
        drugs=[TARLATAMAB], disease="small-cell lung cancer",
        flare=Flare(True, 7, ["tumor swelling", "pleural effusion"], [NAKANO_FLARE], "tarlatamab"),
        markers=[finding("serum sodium", "increased", 7, NAKANO_FLARE),
                 finding("pleural fluid cytology", "negative", 7, NAKANO_FLARE),
                 finding("pro-grp", "decreased", 13, NAKANO_REGRESSION)],
        resolution_day=13,
    )


def ikeuchi() -> CaseFindings:
    sentence = ("In this case, the peripheral blood lymphocyte count decreased, and the interleukin-6 level was "
                "markedly elevated, which was thought to reflect T-cell accumulation in the tumor.")
    return CaseFindings(
        "PMC12983044", None, "PMC12983044", "10.7759/cureus.103393",
        "Pseudoprogression Associated With T-cell Infiltration During Tarlatamab Therapy for Small-Cell Lung "
        "Cancer: A Case Report", "pmc-jats",
        drugs=[TARLATAMAB], disease="small-cell lung cancer",
        flare=Flare(True, None, ["tumor enlargement"],
                    ["In PsPD, the tumor transiently enlarges because of massive T-cell accumulation."], "tarlatamab"),
        markers=[finding("lymphocyte count", "decreased", None, sentence),
                 finding("il-6", "increased", None, sentence)],
    )


def teclistamab_case() -> CaseFindings:
    sentence = "On day 2, the paraspinal plasmacytoma had enlarged, with IL-6 < 5 pg/mL at baseline rising to 80."
    return CaseFindings(
        "39100001", "39100001", None, None, "Tumour flare with teclistamab in extramedullary myeloma", "pubmed-xml",
        drugs=[Drug("teclistamab", "engager", ["BCMA", "CD3"]), Drug("dexamethasone", "steroid", [])],
        disease="multiple myeloma",
        flare=Flare(True, 2, ["plasmacytoma enlargement"], [sentence], "teclistamab"),
        markers=[finding("il-6", "increased", 2, sentence),
                 finding("m-protein", "decreased", 28, "By day 28 the M-protein had fallen.")],
        resolution_day=28,
    )


def epcoritamab_case() -> CaseFindings:
    return CaseFindings(
        "39100002", "39100002", None, None, "Tumor flare reaction to epcoritamab", "pubmed-xml",
        drugs=[Drug("epcoritamab", "engager", ["CD20", "CD3"])], disease="diffuse large B-cell lymphoma",
        flare=Flare(True, 8, ["lymph node enlargement"], ["Cervical nodes enlarged on day 8."], "epcoritamab"),
        markers=[finding("il-6", "increased", 1, "IL-6 rose on day 1."),
                 finding("ldh", "increased", 8, "LDH increased on day 8.")],
        resolution_day=21,
    )


def pembrolizumab_case() -> CaseFindings:
    return CaseFindings(
        "39100003", "39100003", None, None, "Pseudoprogression on pembrolizumab", "pubmed-xml",
        drugs=[Drug("pembrolizumab", "checkpoint-inhibitor", ["PD-1"])], disease="non-small-cell lung cancer",
        flare=Flare(True, 42, ["tumor enlargement"], ["At week 6 the primary tumour had grown."], "pembrolizumab"),
        markers=[finding("ctdna", "decreased", 42, "ctDNA fell at week 6.")],
        resolution_day=84,
    )


@pytest.fixture
def cases() -> dict[str, CaseFindings]:
    """Fresh objects per test, by a short name."""
    return {"nakano": nakano(), "ikeuchi": ikeuchi(), "teclistamab": teclistamab_case(),
            "epcoritamab": epcoritamab_case(), "pembrolizumab": pembrolizumab_case()}


@pytest.fixture
def kb_dir(tmp_path: Path, cases: dict[str, CaseFindings]) -> Path:
    kb = tmp_path / "kb"
    store.save(kb, cases.values())
    return kb


@pytest.fixture
def chromium() -> str:
    """Debian's chromium (what .ci/run installs); the browser tests skip with the reason where it is absent."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium): the report is not opened in a browser")
    return path
