"""The two records that flow through flarekb: a parsed Document and the CaseFindings drawn from it.

sources/ produce Documents, nlp/ turns a Document into CaseFindings, graph/ stores and aggregates
CaseFindings. Both serialise to plain JSON (the findings schema of DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

PASSAGE_SEPARATOR = "\n\n"
DIRECTIONS = ("increased", "decreased", "positive", "negative", "normal")


class Passage(NamedTuple):
    """One contiguous piece of a document: title, an abstract section, a body section, a caption...
    (A named tuple, not a frozen dataclass: documents are made by the thousand a second, and a frozen
    dataclass takes twice as long to build.)"""

    kind: str  # title | abstract | section | caption | table | text
    text: str
    label: str = ""  # abstract label or section title ("CASE PRESENTATION")
    offset: int = 0  # where the passage starts in Document.text


@dataclass
class Document:
    """A parsed source document. `text` is the passages joined; every offset in flarekb refers to it."""

    id: str
    source: str  # pubmed-xml | pmc-jats | html | text
    title: str
    passages: list[Passage]
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    journal: str = ""
    year: str = ""
    path: str = ""  # where it was read from; never written into kb/
    text: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        placed: list[Passage] = []
        offset = 0
        for passage in self.passages:
            placed.append(Passage(passage.kind, passage.text, passage.label, offset))
            offset += len(passage.text) + len(PASSAGE_SEPARATOR)
        self.passages = placed
        self.text = PASSAGE_SEPARATOR.join(p.text for p in placed)


@dataclass
class Drug:
    name: str  # canonical lowercase name from the drug lexicon
    role: str  # engager | checkpoint-inhibitor | car-t | imid | steroid | chemotherapy | other
    targets: list[str] = field(default_factory=list)


@dataclass
class MarkerFinding:
    marker: str  # canonical lowercase name from the marker lexicon
    direction: str  # one of DIRECTIONS
    day: int | None
    evidence: str  # the sentence that says it
    start: int  # offsets of the marker mention in Document.text
    end: int
    hpo_id: str | None = None  # the Human Phenotype Ontology term the finding maps to (HP:0003281), if any


@dataclass
class Flare:
    reported: bool = False
    onset_day: int | None = None
    manifestations: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # the sentences that report the flare
    drug: str | None = None  # the therapy the text links the flare to
    manifestation_days: dict[str, int | None] = field(default_factory=dict)  # each manifestation's first stated day


@dataclass
class CaseFindings:
    id: str
    pmid: str | None
    pmcid: str | None
    doi: str | None
    title: str
    source: str
    drugs: list[Drug] = field(default_factory=list)
    disease: str | None = None
    flare: Flare = field(default_factory=Flare)
    markers: list[MarkerFinding] = field(default_factory=list)
    resolution_day: int | None = None
    n_patients: int = 1  # how many patients the text reports on (a case report is 1, a trial its cohort)

    @property
    def engagers(self) -> list[str]:
        return [drug.name for drug in self.drugs if drug.role == "engager"]

    def to_json(self) -> dict[str, Any]:
        """The findings JSON of DESIGN.md, keys in schema order."""
        return {
            "id": self.id,
            "pmid": self.pmid,
            "pmcid": self.pmcid,
            "doi": self.doi,
            "title": self.title,
            "source": self.source,
            "drugs": [_fields(drug) for drug in self.drugs],
            "engagers": self.engagers,
            "disease": self.disease,
            "flare": _fields(self.flare),
            "markers": [_fields(marker) for marker in self.markers],
            "resolution_day": self.resolution_day,
            "n_patients": self.n_patients,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseFindings:
        return cls(
            id=data["id"],
            pmid=data.get("pmid"),
            pmcid=data.get("pmcid"),
            doi=data.get("doi"),
            title=data.get("title", ""),
            source=data.get("source", ""),
            drugs=[Drug(**drug) for drug in data.get("drugs", [])],
            disease=data.get("disease"),
            flare=Flare(**data.get("flare", {})),
            markers=[MarkerFinding(**marker) for marker in data.get("markers", [])],
            resolution_day=data.get("resolution_day"),
            n_patients=data.get("n_patients", 1),
        )


def _fields(record: Drug | Flare | MarkerFinding) -> dict[str, Any]:
    """A flat record's fields in declaration order. (`dataclasses.asdict` deep-copies recursively, which made
    it most of the time of saving a large knowledge base.)"""
    return {name: list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
            for name, value in vars(record).items()}
