"""Questions the knowledge base answers, each row with its evidence.

Queries work on the stored findings (what the graph is built from), so an answer never depends on how the
graph happens to be traversed, and every row can carry the sentence it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from extractor.models import CaseFindings


@dataclass
class Evidence:
    pmid: str | None
    pmcid: str | None
    doi: str | None
    sentence: str
    day: int | None


@dataclass
class MarkerRow:
    marker: str
    direction: str
    n_cases: int = 0
    days: list[int] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def flare_drugs(case: CaseFindings) -> list[str]:
    """The drugs a case's flare is attributed to: the one the text links it to, else every drug received."""
    if case.flare.drug:
        return [case.flare.drug]
    return [drug.name for drug in case.drugs]


def flare_cases(findings: Iterable[CaseFindings], drugs: set[str] | None = None) -> list[CaseFindings]:
    """Cases with a reported flare, restricted to those attributed to one of `drugs` when given."""
    return [
        case for case in findings
        if case.flare.reported and (drugs is None or drugs.intersection(flare_drugs(case)))
    ]


def markers_with_flare(findings: Iterable[CaseFindings], drugs: set[str] | None = None) -> list[MarkerRow]:
    """One row per (marker, direction) seen in flare cases of `drugs` (all drugs when None), most cases first."""
    rows: dict[tuple[str, str], MarkerRow] = {}
    cases_per_row: dict[tuple[str, str], set[str]] = {}
    for case in flare_cases(findings, drugs):
        case_drugs = [name for name in flare_drugs(case) if drugs is None or name in drugs]
        for marker in case.markers:
            key = (marker.marker, marker.direction)
            row = rows.setdefault(key, MarkerRow(marker.marker, marker.direction))
            cases_per_row.setdefault(key, set()).add(case.id)
            if marker.day is not None and marker.day not in row.days:
                row.days.append(marker.day)
            row.drugs.extend(name for name in case_drugs if name not in row.drugs)
            row.evidence.append(Evidence(case.pmid, case.pmcid, case.doi, marker.evidence, marker.day))
    for key, row in rows.items():
        row.n_cases = len(cases_per_row[key])
        row.days.sort()
        row.drugs.sort()
    return sorted(rows.values(), key=lambda row: (-row.n_cases, row.marker, row.direction))
