"""Score extraction against a gold file (../shared/corpus/gold.jsonl format, see its README).

    documents = evaluation_documents(gold_path, paths)   # paths empty: the gold file's docs/ and the seeds
    report = evaluate(load_gold(gold_path), documents)

Figures: precision/recall/F1 of engagers, of the other drugs received, of (marker, direction) pairs and of
(marker, direction, day) triples, micro-averaged over documents; accuracy of the disease (gold "unspecified"
or null must be matched by no disease) and of the flare label over all scored documents, and of the onset day
over those whose gold flare is true (a gold list accepts any of its values; null must be matched by no day),
and over those whose gold states a day. Marker names on both sides are matched after the marker lexicon's
synonyms ("pet suv" and "suv (pet)" are one marker; a bracketed qualifier the lexicon does not know,
"car-t cells (peripheral blood)", is dropped). Documents are matched to gold lines by any identifier they share
(id, pmid, pmcid, doi).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import BadInput
from extractor.lexicons import resolve_name
from extractor.models import CaseFindings, Document, Passage
from extractor.nlp import extract_many
from extractor.sources import read_documents


@dataclass(frozen=True)
class GoldCase:
    id: str
    identifiers: frozenset[str]
    engagers: frozenset[str]
    other_drugs: frozenset[str]
    disease: str | None  # None: the text names no disease ("unspecified" in the gold file)
    flare: bool
    onset_days: tuple[int | None, ...]  # any of these is correct
    markers: frozenset[tuple[str, str]]
    marker_days: frozenset[tuple[str, str, int | None]] = frozenset()
    evidence: dict[tuple[str, str], str] = field(default_factory=dict)  # (marker, direction) -> gold evidence


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, gold: Iterable, predicted: Iterable) -> None:
        gold, predicted = set(gold), set(predicted)
        self.true_positives += len(gold & predicted)
        self.false_positives += len(predicted - gold)
        self.false_negatives += len(gold - predicted)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class MarkerError:
    document: str  # the gold id
    kind: str  # missed (in gold, not found) | extra (found, not in gold)
    marker: str
    direction: str
    evidence: str  # the gold evidence of a miss, the sentence an extra was found in


@dataclass
class Report:
    engagers: Score = field(default_factory=Score)
    other_drugs: Score = field(default_factory=Score)
    markers: Score = field(default_factory=Score)
    marker_days: Score = field(default_factory=Score)
    disease: Accuracy = field(default_factory=Accuracy)
    flare: Accuracy = field(default_factory=Accuracy)
    onset_day: Accuracy = field(default_factory=Accuracy)
    onset_day_stated: Accuracy = field(default_factory=Accuracy)  # over gold flares whose text states a day
    disagreements: list[str] = field(default_factory=list)
    unmatched_gold: list[str] = field(default_factory=list)  # gold ids no document was found for
    marker_errors: list[MarkerError] = field(default_factory=list)

    def to_json(self) -> dict:
        def score(s: Score) -> dict:
            return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.true_positives,
                    "fp": s.false_positives, "fn": s.false_negatives}

        return {
            "engagers": score(self.engagers),
            "other_drugs": score(self.other_drugs),
            "markers": score(self.markers),
            "marker_days": score(self.marker_days),
            "disease_accuracy": self.disease.value,
            "flare_accuracy": self.flare.value,
            "onset_day_accuracy": self.onset_day.value,
            "onset_day_stated_accuracy": self.onset_day_stated.value,
            "onset_day_stated": [self.onset_day_stated.correct, self.onset_day_stated.total],
            "documents": self.flare.total,
            "disagreements": self.disagreements,
            "unmatched_gold": self.unmatched_gold,
        }


def _identifier_keys(*values: str | None) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v and v.strip())


def load_gold(path: Path) -> list[GoldCase]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BadInput(f"{path}: cannot read gold file ({error.strerror})") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            onset = row.get("flare_onset_day")
            markers = [(canonical_marker(m["marker"]), m["direction"], m.get("day"), m.get("evidence", ""))
                       for m in row.get("markers", [])]
            cases.append(
                GoldCase(
                    id=str(row["id"]),
                    identifiers=_identifier_keys(row["id"], row.get("pmid"), row.get("pmcid"), row.get("doi")),
                    engagers=frozenset(row.get("engagers", [])),
                    other_drugs=frozenset(row.get("other_drugs", [])),
                    disease=_gold_disease(row.get("disease")),
                    flare=bool(row.get("flare")),
                    onset_days=tuple(onset) if isinstance(onset, list) else (onset,),
                    markers=frozenset((name, direction) for name, direction, _, _ in markers),
                    marker_days=frozenset((name, direction, day) for name, direction, day, _ in markers),
                    evidence={(name, direction): evidence for name, direction, _, evidence in markers},
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BadInput(f"{path}:{number}: not a gold line ({error})") from None
    return cases


_NO_DISEASE = ("", "unspecified")
_QUALIFIER = re.compile(r"\s*\([^()]*\)$")


def canonical_marker(name: str) -> str:
    """A marker name as the lexicon names it: a synonym or an alias resolves to its canonical name; an unknown
    name loses a trailing bracketed qualifier the lexicon does not know ("car-t cells (peripheral blood)")."""
    for candidate in (name, _QUALIFIER.sub("", name)):
        canonical = resolve_name("marker", candidate)
        if canonical is not None:
            return canonical
    return name


def _gold_disease(value: object) -> str | None:
    if value is None:
        return None
    name = str(value).strip().lower()
    return None if name in _NO_DISEASE else name


def read_corpus_document(path: Path) -> Document:
    """A development-corpus document (docs/<id>.json: id, pmid, pmcid, doi, title, text)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        title, text = data.get("title") or "", data["text"]
        return Document(
            id=str(data["id"]), source="text", title=title,
            passages=([Passage("title", title)] if title else []) + [Passage("text", text)],
            pmid=data.get("pmid"), pmcid=data.get("pmcid"), doi=data.get("doi"),
            journal=data.get("journal") or "", year=str(data.get("year") or ""), path=str(path),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BadInput(f"{path}: not a corpus document ({error})") from None


def _read_any(path: Path) -> list[Document]:
    if path.is_dir():
        return [doc for child in sorted(path.iterdir()) if child.is_file() for doc in _read_any(child)]
    if path.suffix == ".json":
        return [read_corpus_document(path)]
    return read_documents(path)


def evaluation_documents(gold_path: Path, paths: list[Path]) -> list[Document]:
    """The documents named, or by default the gold file's sibling docs/ folder plus the seed reports found
    beside it (../seeds) or in the corpora directory ($FLAREKB_CORPORA/seeds)."""
    if paths:
        return [doc for path in paths for doc in _read_any(path)]
    defaults = [gold_path.parent / "docs", gold_path.parent.parent / "seeds",
                Path(os.environ.get("FLAREKB_CORPORA", "corpora")) / "seeds"]
    documents: list[Document] = []
    seen: set[str] = set()
    for folder in defaults:
        if not folder.is_dir():
            continue
        for document in _read_any(folder):
            keys = _document_keys(document)
            if not keys & seen:
                documents.append(document)
                seen |= keys
    return documents


def _document_keys(document: Document | CaseFindings) -> frozenset[str]:
    return _identifier_keys(document.id, document.pmid, document.pmcid, document.doi)


def evaluate(gold: list[GoldCase], documents: list[Document]) -> Report:
    return evaluate_by_category(gold, documents, {})["all"]


def evaluate_by_category(gold: list[GoldCase], documents: list[Document], categories: dict[str, str]) -> dict[str, Report]:
    """One report over every gold line ("all"), and one per document category (`categories`: gold id ->
    positive | near_miss | negative), from one extraction of the documents."""
    findings_by_gold: dict[str, CaseFindings] = {}
    for findings in extract_many(documents):
        case = next((c for c in gold if c.identifiers & _document_keys(findings)), None)
        if case is not None:
            findings_by_gold.setdefault(case.id, findings)
    reports: dict[str, Report] = {"all": Report()}
    for case in gold:
        findings = findings_by_gold.get(case.id)
        category = categories.get(case.id)
        if findings is None:
            reports["all"].unmatched_gold.append(case.id)
            continue
        _score_case(case, findings, reports["all"])
        if category:
            _score_case(case, findings, reports.setdefault(category, Report()))
    return reports


def document_categories(gold_path: Path) -> dict[str, str]:
    """Gold id -> category, from the corpus documents beside the gold file (docs/<id>.json `category`); the
    seed reports (../seeds) are flare reports."""
    categories: dict[str, str] = {}
    for path in sorted((gold_path.parent / "docs").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            categories[str(data["id"])] = str(data.get("category") or "")
        except (OSError, ValueError, KeyError, TypeError):
            continue  # an unreadable document is reported when it is scored
    for case in load_gold(gold_path):
        categories.setdefault(case.id, "positive" if case.flare else "negative")
    return categories


def _score_case(case: GoldCase, findings: CaseFindings, report: Report) -> None:
    engagers = set(findings.engagers)
    report.engagers.add(case.engagers, engagers)
    for name in sorted(case.engagers - engagers):
        report.disagreements.append(f"{case.id}: engager missed: {name}")
    for name in sorted(engagers - case.engagers):
        report.disagreements.append(f"{case.id}: engager not in gold: {name}")

    others = {drug.name for drug in findings.drugs if drug.role != "engager"}
    report.other_drugs.add(case.other_drugs, others)
    for name in sorted(case.other_drugs - others):
        report.disagreements.append(f"{case.id}: other drug missed: {name}")
    for name in sorted(others - case.other_drugs):
        report.disagreements.append(f"{case.id}: other drug not in gold: {name}")

    report.disease.total += 1
    if findings.disease == case.disease:
        report.disease.correct += 1
    else:
        report.disagreements.append(f"{case.id}: disease {findings.disease}, gold {case.disease}")

    found = {(canonical_marker(m.marker), m.direction): m for m in findings.markers}
    markers = set(found)
    report.markers.add(case.markers, markers)
    report.marker_days.add(case.marker_days, {(name, direction, m.day) for (name, direction), m in found.items()})
    for marker, direction in sorted(case.markers - markers):
        report.disagreements.append(f"{case.id}: marker missed: {marker} {direction}")
        report.marker_errors.append(MarkerError(case.id, "missed", marker, direction,
                                                case.evidence.get((marker, direction), "")))
    for marker, direction in sorted(markers - case.markers):
        report.disagreements.append(f"{case.id}: marker not in gold: {marker} {direction}")
        report.marker_errors.append(MarkerError(case.id, "extra", marker, direction, found[marker, direction].evidence))

    report.flare.total += 1
    if findings.flare.reported == case.flare:
        report.flare.correct += 1
    else:
        report.disagreements.append(f"{case.id}: flare {findings.flare.reported}, gold {case.flare}")
    if case.flare:
        report.onset_day.total += 1
        stated = case.onset_days != (None,)
        report.onset_day_stated.total += stated
        if findings.flare.onset_day in case.onset_days:
            report.onset_day.correct += 1
            report.onset_day_stated.correct += stated
        else:
            gold_days = " or ".join(str(day) for day in case.onset_days)
            report.disagreements.append(f"{case.id}: onset day {findings.flare.onset_day}, gold {gold_days}")
