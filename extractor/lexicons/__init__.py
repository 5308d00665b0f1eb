"""The project's domain vocabulary: tab-separated data files beside this module, read once and cached. Every
layer reads it (sources for search queries, nlp for matching, graph and cli for names); it reads nothing of
theirs. folding.py says how texts and forms are compared, tsv.py how the files are read, hpo.py the HPO file.

Files (each starts with '#' comment lines describing its columns, then a header row):
  drugs.tsv           engagers and other drugs: name, role, targets, brand/code synonyms, source, identifier
  markers.tsv         biomarkers and findings: name, kind (level | finding), implied direction, synonyms, source
  hpo_labs.tsv        laboratory abnormalities generated from the Human Phenotype Ontology (hpo.py)
  events.tsv          words that report a flare (pseudoprogression, tumour flare reaction, PsPD, TFR ...)
  manifestations.tsv  how a flare shows (tumour swelling, pleural effusion ...), at a tumour site or a symptom
  diseases.tsv        diseases with synonyms
  cues.tsv            direction, negation, background, resolution and patient cue words for the rules
  spelling.tsv        American/British spelling pairs applied to every synonym
  morphology.tsv      Greek and Latin stems of words whose affixes carry a direction (natr- in hyponatremia)
  sections.tsv        passage headings of keyword lists and summaries (the last choice of evidence)
  reference_ranges.tsv  adult reference intervals (nlp/reference.py)
  display_names.tsv   marker names as clinicians write them (graph/display.py)

Public functions:
  drug_lexicon() -> list[DrugEntry]          every drug, lexicon order (engagers first)
  engager_names() -> list[str]               canonical names of the bispecific / T-cell engagers
  resolve_drug(name) -> DrugEntry | None     canonical, brand or code name ("Imdelltra", "AMG 757") to its entry
  resolve_name(kind, phrase) -> str | None   a whole phrase as the canonical marker or disease it names
                                             ("Interleukin 6" -> "il-6", "haemoglobin", "SUVmax"); None otherwise
  surface_names(kind) -> list[str]           every folded form resolve_name knows (for "closest names" hints)
  drugs_with_target(target) -> list[DrugEntry]  e.g. "BCMA" -> teclistamab, elranatamab, ...
  engager_targets() -> list[str]             tumour antigens of the CD3 engagers ("DLL3", "BCMA", ...)
  flare_terms() -> list[str]                 surface forms of flare words (for search queries)
  marker_names() -> list[str]                canonical marker names ("il-6", "pro-grp", "lymphocyte count")
  marker_kind(name) -> str | None            "level" or "finding"
  marker_hpo_id(name, direction) -> str | None  the Human Phenotype Ontology term ("HP:0003281"), if any
  terms(kind) -> list[Term]                  every surface form of one kind, for the matchers in extractor.nlp
  curated_marker_terms() -> list[Term]       the marker forms of markers.tsv alone (without hpo_labs.tsv)
  spelling_pairs() -> list[tuple[str, str]]  (american, british) word parts
  morphology_stems() -> dict[str, str]       stem -> marker name ("natr" -> "serum sodium")
  is_summary_heading(label) -> bool          "Keywords", "Key findings": a list or summary, not the paper's text
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from extractor.lexicons.folding import fold
from extractor.lexicons.hpo import hpo_id_of, load_hpo_labs
from extractor.lexicons.tsv import parse_tsv
from extractor.lexicons.tsv import rows as _rows
from extractor.lexicons.tsv import split as _split

__all__ = ["parse_tsv"]  # for scripts/hpo_lexicon.py, which reads its rules file the same way

TERM_KINDS = ("drug", "marker", "event", "manifestation", "disease", "cue")


@dataclass(frozen=True)
class DrugEntry:
    name: str  # canonical lowercase name
    role: str  # engager | checkpoint-inhibitor | car-t | imid | steroid | chemotherapy | other
    targets: tuple[str, ...]  # antigen symbols, tumour antigen first ("DLL3", "CD3")
    synonyms: tuple[str, ...]  # brand and code names
    source: str
    identifier: str = ""  # public CURIE (UNII:..., DRUGBANK:DB..., CHEMBL.COMPOUND:CHEMBL...), "" where none checked


@dataclass(frozen=True)
class Term:
    """One surface form of a lexicon entry."""

    surface: str  # as written in the lexicon (lowercase; '...' marks a gap of up to three words)
    name: str  # canonical name it stands for (for cues: the cue word itself)
    kind: str  # one of TERM_KINDS
    detail: str = ""  # drug: role; marker: implied direction; manifestation: site; event: event; cue: cue kind


@cache
def drug_lexicon() -> list[DrugEntry]:
    return [
        DrugEntry(
            name=row["name"],
            role=row["role"],
            targets=tuple(t for t in row["targets"].split(";") if t),
            synonyms=_split(row["synonyms"]),
            source=row["source"],
            identifier=row.get("identifier", ""),
        )
        for row in _rows("drugs.tsv")
    ]


def engager_names() -> list[str]:
    return [drug.name for drug in drug_lexicon() if drug.role == "engager"]


def _lookup_key(name: str) -> str:
    # "AMG-757", "amg 757" and "AMG757" are the same code name.
    return "".join(ch for ch in fold(name) if ch.isalnum() or ch == "+")


@cache
def _drugs_by_key() -> dict[str, DrugEntry]:
    index: dict[str, DrugEntry] = {}
    for drug in drug_lexicon():
        for surface in (drug.name, *drug.synonyms):
            index.setdefault(_lookup_key(surface), drug)
    return index


@cache
def resolve_drug(name: str) -> DrugEntry | None:
    """The drug a canonical, brand or code name stands for; None when the lexicon does not know it."""
    return _drugs_by_key().get(_lookup_key(name))


def drugs_with_target(target: str) -> list[DrugEntry]:
    wanted = _lookup_key(target)
    return [drug for drug in drug_lexicon() if any(_lookup_key(t) == wanted for t in drug.targets)]


@cache
def curated_marker_terms() -> list[Term]:
    """The surface forms of markers.tsv alone (what scripts/hpo_lexicon.py names HPO's analytes after)."""
    return [Term(s, r["marker"], "marker", r["implies"]) for r in _rows("markers.tsv") for s in _split(r["synonyms"])]


@cache
def engager_targets() -> list[str]:
    """The tumour antigens that the lexicon's T-cell engagers pair with CD3, in lexicon order."""
    return list(dict.fromkeys(d.targets[0] for d in drug_lexicon()
                              if d.role == "engager" and "CD3" in d.targets[1:] and d.targets[0] != "CD3"))


@cache
def terms(kind: str) -> list[Term]:
    """Every surface form of one kind of lexicon entry."""
    if kind == "drug":
        return [Term(s, d.name, "drug", d.role) for d in drug_lexicon() for s in (d.name, *d.synonyms)]
    if kind == "marker":  # the curated lexicon first: where a surface form is in both, its reading wins
        return curated_marker_terms() + [Term(s, lab.analyte, "marker", lab.direction)
                                         for lab in load_hpo_labs() for s in lab.synonyms]
    if kind == "event":
        return [Term(r["term"], r["event"], "event", r["event"]) for r in _rows("events.tsv")]
    if kind == "manifestation":
        rows = _rows("manifestations.tsv")
        return [Term(s, r["manifestation"], "manifestation", r["site"]) for r in rows for s in _split(r["synonyms"])]
    if kind == "disease":
        return [Term(s, r["disease"], "disease") for r in _rows("diseases.tsv") for s in _split(r["synonyms"])]
    if kind == "cue":
        return [Term(r["cue"], r["cue"], "cue", r["kind"]) for r in _rows("cues.tsv")]
    raise ValueError(f"unknown lexicon kind {kind!r}; expected one of {TERM_KINDS}")


def flare_terms() -> list[str]:
    return [term.surface for term in terms("event")]


def _unique_names(kind: str) -> list[str]:
    return list(dict.fromkeys(term.name for term in terms(kind)))


def marker_names() -> list[str]:
    return _unique_names("marker")


def marker_kind(name: str) -> str | None:
    """ "level" or "finding" (markers.tsv); an HPO laboratory analyte is a level."""
    return _marker_kinds().get(name)


@cache
def _marker_kinds() -> dict[str, str]:
    kinds = {lab.analyte: "level" for lab in load_hpo_labs()}
    kinds.update({row["marker"]: row["kind"] for row in _rows("markers.tsv")})
    return kinds


def marker_hpo_id(name: str, direction: str) -> str | None:
    """The HPO term of a marker moving one way ("ferritin", "increased" -> HP:0003281): the id markers.tsv gives
    (its source column), else the most general HPO laboratory term for it (hpo.hpo_id_of)."""
    return _curated_hpo_ids().get((name, direction)) or hpo_id_of(name, direction)


@cache
def _curated_hpo_ids() -> dict[tuple[str, str], str]:
    return {(row["marker"], row["implies"]): row["source"].split()[1]
            for row in _rows("markers.tsv") if row["source"].startswith("HPO HP:")}


@cache
def spelling_pairs() -> list[tuple[str, str]]:
    return [(row["american"], row["british"]) for row in _rows("spelling.tsv")]


@cache
def morphology_stems() -> dict[str, str]:
    return {row["stem"]: row["marker"] for row in _rows("morphology.tsv")}


@cache
def _surfaces(kind: str) -> dict[str, str]:
    """Folded surface form (and canonical name) -> canonical name, for one kind (forms with a gap left out)."""
    surfaces = {fold(term.surface): term.name for term in terms(kind) if "..." not in term.surface}
    surfaces.update({fold(term.name): term.name for term in terms(kind)})
    return surfaces


def resolve_name(kind: str, phrase: str) -> str | None:
    """The canonical name a whole phrase stands for, in any case, dashes, British spelling or with a plural -s."""
    folded = " ".join(fold(phrase).split())
    for american, british in spelling_pairs():
        folded = folded.replace(british, american)
    surfaces = _surfaces(kind)
    return surfaces.get(folded) or (surfaces.get(folded[:-1]) if folded.endswith("s") else None)


def surface_names(kind: str) -> list[str]:
    return sorted(_surfaces(kind))


@cache
def _summary_headings() -> frozenset[str]:
    return frozenset(_heading_key(row["heading"]) for row in _rows("sections.tsv"))


def _heading_key(label: str) -> str:
    return " ".join(fold(label).strip(" \t:.#*-").split())


@cache
def is_summary_heading(label: str) -> bool:
    return _heading_key(label) in _summary_headings()
