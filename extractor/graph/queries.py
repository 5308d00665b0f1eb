"""The questions the knowledge base answers, as functions over a `KnowledgeIndex` (see `index.py`).

Stable API for the CLI, `ask` and the pictures (viz/):
- `markers_with_flare(index, drug=, target=, role=)` -> `MarkerRow`s, the JSON rows of DESIGN.md
- `marker_by_drug(index, marker, direction=, drug=, target=, role=)` -> `DrugMarkerRow`s: one marker, per drug
- `summary(index, drug=, target=, role=)` -> `Summary`: the cases, patients, papers and diseases an answer rests on
- `marker_signatures(index)` -> `SignatureRow`s, one per (drug, marker, direction): the signature heat map
- `flare_onset(index, drug=)` -> `OnsetRow`s, n / median / range of the flare onset day per drug
- `drugs_with_flare(index, role=)` -> `DrugRow`s, each drug with its role, target class and cases
- `cases_for_paper(index, identifier)` and `case_timeline(case)` -> one case's events and markers by day
Names are canonical (`resolve_target` turns "BCMA x CD3" into a canonical target); every row that states a
finding carries its evidence. Lookups only: no query scans the findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.errors import BadInput
from extractor.graph.index import (
    CLASS_SEPARATOR,
    ENGAGER,
    CohortOnset,
    Evidence,
    KnowledgeIndex,
    MarkerRow,
    Summary,
    signature_key,
)
from extractor.models import CaseFindings

__all__ = [
    "CaseTimeline", "CohortOnset", "DrugMarkerRow", "DrugRow", "Evidence", "MarkerRow", "OnsetRow", "SignatureRow",
    "Summary", "TimelineEvent", "case_timeline", "cases_for_paper", "drugs_with_flare", "flare_onset",
    "marker_by_drug", "marker_signatures", "markers_with_flare", "resolve_target", "summary",
]


def markers_with_flare(
    index: KnowledgeIndex, *, drug: str | None = None, target: str | None = None, role: str | None = None
) -> list[MarkerRow]:
    """One row per (marker, direction) seen in the flare cases of one drug, one engager target (a class
    such as `BCMAxCD3` or an antigen such as `BCMA`), or one role; every engager when none is given.
    Most supported first. The rows are the index's own: treat them as read-only."""
    return index.signatures.get(subject_key(drug=drug, target=target, role=role), [])


def subject_key(*, drug: str | None = None, target: str | None = None, role: str | None = None) -> str:
    """The signature key of one drug, one engager target (class or antigen) or one role (default: engagers)."""
    if sum(value is not None for value in (drug, target, role)) > 1:
        raise BadInput("ask for one of a drug, a target or a role at a time")
    if drug is not None:
        return signature_key("drug", drug)
    if target is not None:
        return signature_key("class" if CLASS_SEPARATOR in target else "antigen", target)
    return signature_key("role", role or ENGAGER)


def summary(index: KnowledgeIndex, *, drug: str | None = None, target: str | None = None,
            role: str | None = None) -> Summary:
    """The flare cases, patients, papers and diseases behind one drug's, target's or role's answers."""
    return index.summaries.get(subject_key(drug=drug, target=target, role=role)) or Summary()


@dataclass
class DrugMarkerRow(MarkerRow):
    """One marker and direction with one drug (`drugs` names it): a row of a question by marker."""

    target_class: str = ""
    role: str = ""


def marker_by_drug(index: KnowledgeIndex, marker: str, *, direction: str | None = None, drug: str | None = None,
                   target: str | None = None, role: str | None = None) -> list[DrugMarkerRow]:
    """One marker in the flare cases of every drug whose signature has it (or of one drug, the engagers of one
    target, the drugs of one role), one row per drug and direction: engager classes first, then by support.
    Reads the signature lines of those drugs alone."""
    rows = []
    for name in index.marker_drugs.get(marker, []):
        info = index.drugs.get(name)
        drug_role, targets = (info.role, list(info.targets)) if info else ("other", [])
        if drug is not None and name != drug or role is not None and drug_role != role:
            continue
        if target is not None and not (drug_role == ENGAGER and
                                       (CLASS_SEPARATOR.join(targets) == target or target in targets)):
            continue
        for row in index.signatures.get(signature_key("drug", name), []):
            if row.marker == marker and direction in (None, row.direction):
                rows.append(DrugMarkerRow(row.marker, row.direction, row.n_cases, row.days, row.drugs, row.evidence,
                                          row.n_patients, row.n_papers, CLASS_SEPARATOR.join(targets), drug_role))
    return sorted(rows, key=lambda row: (row.role != ENGAGER, row.target_class, -row.n_cases, row.drugs,
                                         row.direction))


@dataclass
class SignatureRow:
    drug: str
    role: str
    target_class: str
    marker: str
    direction: str
    n_cases: int
    days: list[int]
    n_patients: int = 0
    n_papers: int = 0


def marker_signatures(index: KnowledgeIndex) -> list[SignatureRow]:
    """Every drug's signature flattened: one row per (drug, marker, direction), by drug then support."""
    rows = []
    for name, info in sorted(index.drugs.items()):
        for row in index.signatures.get(signature_key("drug", name), []):
            rows.append(SignatureRow(name, info.role, info.target_class, row.marker, row.direction,
                                     row.n_cases, row.days, row.n_patients, row.n_papers))
    return rows


@dataclass
class OnsetRow:
    drug: str
    target_class: str
    n_cases: int  # flare cases attributed to the drug
    n_with_day: int  # of which the text gives one patient's onset day
    median: float | None  # of those single patients' days
    min: int | None
    max: int | None
    days: list[int]
    papers: list[str]  # PMIDs (else PMCID, DOI) of the cases with an onset day
    n_patients: int = 0  # patients of the flare cases (a cohort counts all its patients)
    n_papers: int = 0
    cohort_medians: list[CohortOnset] = field(default_factory=list)  # a cohort's median onset: not one patient's


def flare_onset(index: KnowledgeIndex, *, drug: str | None = None) -> list[OnsetRow]:
    """How early the flare comes, per drug (one drug, or every drug with a flare report)."""
    names = [drug] if drug is not None else sorted(index.flare_cases)
    rows = []
    for name in names:
        if name not in index.flare_cases:
            continue
        days = index.onset_days.get(name, [])
        info = index.drugs.get(name)
        rows.append(OnsetRow(
            drug=name, target_class=info.target_class if info else "",
            n_cases=len(index.flare_cases[name]), n_with_day=len(days),
            median=_median(days), min=days[0] if days else None, max=days[-1] if days else None, days=days,
            papers=index.onset_papers.get(name, []), n_patients=index.flare_patients.get(name, 0),
            n_papers=len(index.flare_papers.get(name, [])), cohort_medians=index.onset_cohorts.get(name, []),
        ))
    return rows


def _median(ordered: list[int]) -> float | None:
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class DrugRow:
    drug: str
    role: str
    targets: list[str]
    target_class: str
    n_cases: int  # flare cases attributed to the drug
    papers: list[str]  # PMIDs (else PMCID, DOI)
    n_patients: int = 0  # patients of those cases (a cohort counts all its patients)
    n_papers: int = 0


def drugs_with_flare(index: KnowledgeIndex, *, role: str | None = None) -> list[DrugRow]:
    """Drugs with at least one flare report, most reported first; only one role when given."""
    rows = []
    for name, case_ids in index.flare_cases.items():
        info = index.drugs.get(name)
        drug_role = info.role if info else "other"
        if role is not None and drug_role != role:
            continue
        papers = index.flare_papers[name]
        rows.append(DrugRow(name, drug_role, list(info.targets) if info else [], info.target_class if info else "",
                            len(case_ids), papers, index.flare_patients.get(name, 0), len(papers)))
    return sorted(rows, key=lambda row: (-row.n_patients, -row.n_cases, row.drug))


@dataclass
class TimelineEvent:
    day: int | None  # days after the first engager dose; None where the text gives no anchor
    kind: str  # dose | flare | marker | resolution
    what: str  # "tarlatamab", "tumor swelling; pleural effusion", "il-6"
    direction: str = ""  # markers only
    evidence: str = ""
    approximate: bool = False  # the text gives weeks or months ("1 month" = day 30), not the day itself


@dataclass
class CaseTimeline:
    id: str
    pmid: str | None
    pmcid: str | None
    doi: str | None
    title: str
    drugs: list[str]
    disease: str | None
    flare_reported: bool
    events: list[TimelineEvent] = field(default_factory=list)  # dated events by day, then undated ones
    n_patients: int = 1  # more than 1: a cohort, whose days are the cohort's medians


def cases_for_paper(index: KnowledgeIndex, identifier: str) -> list[CaseFindings]:
    """The cases of one paper, by PMID, PMCID, DOI or case id (case and `PMID:` prefix do not matter)."""
    key = re.sub(r"^(pmid|doi):\s*", "", identifier.strip().lower())
    case_ids = index.papers.get(key, [])
    if not case_ids:
        raise BadInput(f"{identifier} is not in the knowledge base")
    return [index.cases[case_id] for case_id in case_ids]


def case_timeline(case: CaseFindings) -> CaseTimeline:
    """One case in full: first dose, flare onset and manifestations, markers and resolution, by day."""
    events = []
    engagers = case.engagers
    if engagers:
        events.append(TimelineEvent(0, "dose", ", ".join(engagers), evidence="first dose (day 0 by definition)"))
    if case.flare.reported:
        evidence = " ".join(case.flare.evidence)
        # each manifestation on the day it was stated ("within hours, bone pain": day 0, before a day-7 flare);
        # those with no day of their own go with the onset
        own_day = {name: day for name, day in case.flare.manifestation_days.items()
                   if day is not None and day != case.flare.onset_day}
        at_onset = [name for name in case.flare.manifestations if name not in own_day]
        events.append(TimelineEvent(case.flare.onset_day, "flare", "; ".join(at_onset),
                                    evidence=evidence, approximate=approximate_day(case.flare.onset_day, evidence)))
        for name, day in own_day.items():
            events.append(TimelineEvent(day, "flare", name, evidence=evidence, approximate=approximate_day(day, evidence)))
    for marker in case.markers:
        events.append(TimelineEvent(marker.day, "marker", marker.marker, marker.direction, marker.evidence,
                                    approximate_day(marker.day, marker.evidence)))
    if case.resolution_day is not None:
        events.append(TimelineEvent(case.resolution_day, "resolution", "flare resolved"))
    order = {"dose": 0, "flare": 1, "marker": 2, "resolution": 3}
    events.sort(key=lambda event: (event.day is None, event.day or 0, order[event.kind]))
    return CaseTimeline(case.id, case.pmid, case.pmcid, case.doi, case.title, [drug.name for drug in case.drugs],
                        case.disease, case.flare.reported, events, case.n_patients)


_ROUGH_SPAN = re.compile(r"\b(?:\d+|one|two|three|four|five|six|a|an|several|few)[\s-]+(?:weeks?|months?)\b"
                         r"|\b(?:weeks?|months?)\s+\d+\b", re.IGNORECASE)


def approximate_day(day: int | None, evidence: str) -> bool:
    """Whether a day was counted from weeks or months ("1 month" = 30, "week 6" = 42) rather than stated: the
    sentence speaks of weeks or months and never of that day."""
    if day is None or not _ROUGH_SPAN.search(evidence):
        return False
    return not re.search(rf"\bdays?\s+{day}\b|\b{day}\s*(?:-\s*)?days?\b", evidence, re.IGNORECASE)


def resolve_target(text: str, known_targets: set[str]) -> str | None:
    """A user's target ("bcma", "BCMA x CD3", "bcma×cd3") as a canonical antigen or class, else None."""
    by_lower = {target.lower(): target for target in known_targets}
    if text.strip().lower() in by_lower:
        return by_lower[text.strip().lower()]
    parts = [part for part in re.split(r"\s*(?:\bx\b|×|/|(?<=[a-z0-9])x(?=[a-z]))\s*", text.strip().lower()) if part]
    canonical = [by_lower.get(part) for part in parts]
    if not canonical or None in canonical:
        return None
    return CLASS_SEPARATOR.join(canonical)

