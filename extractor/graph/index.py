"""What the queries need, computed once in one pass over the stored findings.

Every query answer is a lookup here rather than a scan of the graph: marker signature rows per drug, per
engager target class and per therapy role, flare onset days per drug, and cases by paper identifier. The
graph's SIGNATURE edges are written from these same rows (`build.py`), so graph and answers always agree;
so is kb/index.jsonl (`index_file.py`), which `store.save` writes beside the findings so that a query reads
only the lines its answer needs.

Which drugs a flare is attributed to (`flare_drugs`) decides every signature: the drug the text links the
flare to when there is one, else the engagers received, else the therapies received (supportive drugs such
as steroids never carry a flare).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from extractor.models import CaseFindings

ENGAGER = "engager"
SUPPORTIVE_ROLES = {"steroid", "other"}  # given alongside; never the cause a flare is attributed to
CLASS_SEPARATOR = "x"  # DLL3xCD3: tumour antigen x effector, the order of the drug lexicon


@dataclass
class Evidence:
    pmid: str | None
    pmcid: str | None
    doi: str | None
    sentence: str
    day: int | None


@dataclass
class MarkerRow:
    """One (marker, direction) of a signature; the JSON row of DESIGN.md."""

    marker: str
    direction: str
    n_cases: int = 0
    days: list[int] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    n_patients: int = 0  # patients the reports of those cases are about (a cohort counts all its patients)
    n_papers: int = 0


@dataclass
class Summary:
    """What one signature (a drug, a target class, an antigen, a role) rests on: every flare case it counts,
    with or without markers."""

    n_cases: int = 0
    n_patients: int = 0
    n_papers: int = 0
    diseases: list[str] = field(default_factory=list)  # most reported first


@dataclass
class CohortOnset:
    """A flare onset day that a paper gives for a cohort (n_patients > 1): its median, not one patient's day."""

    day: int
    n_patients: int
    paper: str


@dataclass
class DrugInfo:
    name: str
    role: str
    targets: list[str]

    @property
    def target_class(self) -> str:
        """`DLL3xCD3` for an engager, `PD-1` for a checkpoint inhibitor, "" for a drug with no target."""
        return CLASS_SEPARATOR.join(self.targets)


@dataclass
class KnowledgeIndex:
    """Read-only tables. `build_index` fills them with dicts; an index read from kb/index.jsonl
    (`index_file.py`) gives mappings that read each value from the file when it is first asked for."""

    cases: Mapping[str, CaseFindings]  # case id -> findings, sorted by id
    papers: Mapping[str, list[str]]  # lowercase pmid / pmcid / doi / case id -> case ids
    drugs: Mapping[str, DrugInfo]  # every drug received in any case
    signatures: Mapping[str, list[MarkerRow]]  # signature key (`signature_key`) -> rows, most cases first
    flare_cases: Mapping[str, list[str]]  # drug -> ids of the flare cases attributed to it
    flare_papers: Mapping[str, list[str]]  # drug -> their PMIDs (else PMCID, DOI, id), sorted
    onset_days: Mapping[str, list[int]]  # drug -> onset days of its single-patient flare cases that give one, sorted
    onset_papers: Mapping[str, list[str]]  # drug -> the papers of those cases, sorted
    flare_patients: Mapping[str, int] = field(default_factory=dict)  # drug -> patients of its flare cases
    onset_cohorts: Mapping[str, list[CohortOnset]] = field(default_factory=dict)  # drug -> cohort onset days
    summaries: Mapping[str, Summary] = field(default_factory=dict)  # signature key, `marker:il-6` -> what it rests on
    marker_drugs: Mapping[str, list[str]] = field(default_factory=dict)  # marker -> drugs whose signature has it


def signature_key(kind: str, name: str) -> str:
    """Keys of `KnowledgeIndex.signatures`: `drug:tarlatamab`, `class:DLL3xCD3` (an engager target class),
    `antigen:BCMA` (every engager with that target), `role:engager` (every drug of one role)."""
    return f"{kind}:{name}"


def flare_drugs(case: CaseFindings) -> list[str]:
    """The drugs a case's flare is attributed to (see the module docstring)."""
    if case.flare.drug:
        return [case.flare.drug]
    if case.engagers:
        return case.engagers
    return [drug.name for drug in case.drugs if drug.role not in SUPPORTIVE_ROLES]


def build_index(findings: Iterable[CaseFindings]) -> KnowledgeIndex:
    cases = {case.id: case for case in sorted(findings, key=lambda case: case.id)}
    papers: dict[str, list[str]] = {}
    drugs: dict[str, DrugInfo] = {}
    flares = _FlareTables()
    accumulators: dict[str, dict[tuple[str, str], _Accumulator]] = {}
    for case in cases.values():
        for identifier in (case.id, case.pmid, case.pmcid, case.doi):
            if identifier:
                ids = papers.setdefault(identifier.lower(), [])
                if case.id not in ids:
                    ids.append(case.id)
        for drug in case.drugs:
            drugs.setdefault(drug.name, DrugInfo(drug.name, drug.role, list(drug.targets)))
        if case.flare.reported:
            _index_flare(case, drugs, flares, accumulators)
    signatures = {key: _rows(rows) for key, rows in sorted(accumulators.items())}
    for table in (flares.papers, flares.onset_papers):
        for name, labels in table.items():
            table[name] = sorted(set(labels))
    for days in flares.onset_days.values():
        days.sort()
    for cohorts in flares.onset_cohorts.values():
        cohorts.sort(key=lambda cohort: (cohort.day, cohort.paper))
    marker_drugs: dict[str, list[str]] = {}
    for key, rows in signatures.items():
        kind, name = key.split(":", 1)
        if kind == "drug":
            for row in rows:
                names = marker_drugs.setdefault(row.marker, [])
                if name not in names:
                    names.append(name)
    return KnowledgeIndex(cases, papers, drugs, signatures, flares.cases, flares.papers, flares.onset_days,
                          flares.onset_papers, flares.patients, flares.onset_cohorts,
                          {key: flares.summaries[key].summary() for key in sorted(flares.summaries)},
                          {marker: sorted(names) for marker, names in sorted(marker_drugs.items())})


def paper_label(case: CaseFindings) -> str:
    return case.pmid or case.pmcid or case.doi or case.id


@dataclass
class _FlareTables:
    """The per-drug flare tables of `KnowledgeIndex`, while they are filled."""

    cases: dict[str, list[str]] = field(default_factory=dict)
    papers: dict[str, list[str]] = field(default_factory=dict)
    onset_days: dict[str, list[int]] = field(default_factory=dict)
    onset_papers: dict[str, list[str]] = field(default_factory=dict)
    patients: dict[str, int] = field(default_factory=dict)
    onset_cohorts: dict[str, list[CohortOnset]] = field(default_factory=dict)
    summaries: dict[str, _Counts] = field(default_factory=dict)


@dataclass
class _Counts:
    """Cases, their patients, papers and diseases, each case counted once."""

    patients: dict[str, int] = field(default_factory=dict)  # case id -> its n_patients
    papers: set[str] = field(default_factory=set)
    diseases: dict[str, int] = field(default_factory=dict)

    def add(self, case: CaseFindings) -> None:
        if case.id in self.patients:
            return
        self.patients[case.id] = case.n_patients
        self.papers.add(paper_label(case))
        if case.disease:
            self.diseases[case.disease] = self.diseases.get(case.disease, 0) + 1

    def summary(self) -> Summary:
        diseases = sorted(self.diseases, key=lambda disease: (-self.diseases[disease], disease))
        return Summary(len(self.patients), sum(self.patients.values()), len(self.papers), diseases)


@dataclass
class _Accumulator:
    row: MarkerRow
    cases: set[str] = field(default_factory=set)
    patients: int = 0
    without_ids: int = 0  # cases with no PMID, PMCID or DOI: a paper each (their evidence cannot say which)
    days: set[int] = field(default_factory=set)
    drugs: set[str] = field(default_factory=set)


def _index_flare(case: CaseFindings, drugs: dict[str, DrugInfo], flares: _FlareTables, accumulators: dict) -> None:
    names = flare_drugs(case)
    for name in names:
        flares.cases.setdefault(name, []).append(case.id)
        flares.papers.setdefault(name, []).append(paper_label(case))
        flares.patients[name] = flares.patients.get(name, 0) + case.n_patients
        if case.flare.onset_day is None:
            continue
        if case.n_patients > 1:  # a cohort's median onset: told apart from single patients' days
            flares.onset_cohorts.setdefault(name, []).append(
                CohortOnset(case.flare.onset_day, case.n_patients, paper_label(case)))
        else:
            flares.onset_days.setdefault(name, []).append(case.flare.onset_day)
            flares.onset_papers.setdefault(name, []).append(paper_label(case))
    keys = _signature_keys(drugs, names)
    for key in [*keys, *(signature_key("marker", marker.marker) for marker in case.markers)]:
        flares.summaries.setdefault(key, _Counts()).add(case)
    for marker in case.markers:
        # One Evidence object shared by every signature the case feeds: memory stays linear in the findings.
        evidence = Evidence(case.pmid, case.pmcid, case.doi, marker.evidence, marker.day)
        for key, key_drugs in keys.items():
            rows = accumulators.setdefault(key, {})
            accumulator = rows.get((marker.marker, marker.direction))
            if accumulator is None:
                accumulator = rows[(marker.marker, marker.direction)] = _Accumulator(
                    MarkerRow(marker.marker, marker.direction))
            if case.id not in accumulator.cases:
                accumulator.cases.add(case.id)
                accumulator.patients += case.n_patients
                accumulator.without_ids += not (case.pmid or case.pmcid or case.doi)
            accumulator.drugs.update(key_drugs)
            if marker.day is not None:
                accumulator.days.add(marker.day)
            accumulator.row.evidence.append(evidence)


def _signature_keys(drugs: dict[str, DrugInfo], names: list[str]) -> dict[str, list[str]]:
    """Every signature a flare attributed to the drugs `names` feeds, with the drugs that feed it."""
    keys: dict[str, list[str]] = {}
    for name in names:
        info = drugs.get(name) or DrugInfo(name, "other", [])
        keys.setdefault(signature_key("drug", name), []).append(name)
        keys.setdefault(signature_key("role", info.role), []).append(name)
        if info.role == ENGAGER and info.target_class:
            keys.setdefault(signature_key("class", info.target_class), []).append(name)
            for antigen in info.targets:
                keys.setdefault(signature_key("antigen", antigen), []).append(name)
    return keys


def _rows(accumulators: dict[tuple[str, str], _Accumulator]) -> list[MarkerRow]:
    rows = []
    for accumulator in accumulators.values():
        row = accumulator.row
        row.n_cases = len(accumulator.cases)
        row.n_patients = accumulator.patients
        # Papers from the evidence (one Evidence per finding, carrying its paper's ids): no set kept per row.
        labelled = {item.pmid or item.pmcid or item.doi for item in row.evidence} - {None}
        row.n_papers = len(labelled) + accumulator.without_ids
        row.days = sorted(accumulator.days)
        row.drugs = sorted(accumulator.drugs)
        rows.append(row)
    return sorted(rows, key=lambda row: (-row.n_cases, row.marker, row.direction))
