"""Plain questions -> the queries of `queries.py`.

A question is read for an intent (markers, onset, drugs, one case) and a subject (drugs by any name the
lexicon knows, an engager target such as "BCMA" or "DLL3xCD3", a therapy role such as "CAR-T", or nothing:
every engager). Only questions whose intent and subject are recognised are answered; anything else gets a
message that says what can be asked, and an unknown drug gets the closest known names. Never a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from extractor.errors import BadInput
from extractor.graph import queries
from extractor.graph.index import ENGAGER, KnowledgeIndex
from extractor.nlp.lexicons import drug_lexicon, resolve_drug, terms
from extractor.nlp.text import fold

EXAMPLES = (
    "which markers accompany flare with tarlatamab",
    "what markers are seen with BCMA engagers",
    "when does flare start with epcoritamab",
    "which drugs have pseudoprogression reports",
    "show case 40827251",
)

# Intent cues, tried in this order: a paper id, then markers, then onset, then drugs.
_PAPER_ID = re.compile(r"\b(?:case|pmid|pmcid|paper|article|show|timeline of)\b[\s:#]*"
                       r"(PMC\d+|\d{1,9}|10\.\d{4,9}/\S+)", re.IGNORECASE)
_MARKERS = re.compile(r"\b(bio)?markers?\b|\blabs?\b|\blaborator|\bsignatures?\b", re.IGNORECASE)
_ONSET = re.compile(r"\bwhen\b|\bonset\b|how (early|soon|fast|quickly)|\bwhich day\b|\bwhat day\b|\bstart",
                    re.IGNORECASE)
_DRUGS = re.compile(r"\b(drugs?|engagers?|bispecifics?|therap(y|ies)|agents?|treatments?|medications?)\b",
                    re.IGNORECASE)
# Therapy roles by the words people use for them.
_ROLES = {
    "car-t": re.compile(r"\bcar[\s-]?t\b|chimeric antigen", re.IGNORECASE),
    "checkpoint-inhibitor": re.compile(r"checkpoint|\bici\b|\bpd-?(l)?1 (inhibitor|blockade)", re.IGNORECASE),
    "imid": re.compile(r"\bimids?\b|immunomodulatory", re.IGNORECASE),
}
# Words that never name a drug: left out when looking for a misspelt drug name.
_PLAIN_WORDS = set("""which what when where who how does do did is are was were the a an of in on with for after
under during by to and or any all every markers marker biomarkers accompany accompanies seen see show shows
flare flares pseudoprogression tumour tumor reaction start starts begin begins onset early day days have has
reports reported report drugs drug engagers engager bispecifics bispecific therapy therapies patients patient
treated treatment case cases lab labs signature signatures change changes move moves happen happens met""".split())


@dataclass
class Answer:
    intent: str  # markers | onset | drugs | case
    title: str  # what the rows answer, for the table heading
    rows: list = field(default_factory=list)  # MarkerRow | OnsetRow | DrugRow | CaseTimeline


def answer(index: KnowledgeIndex, question: str) -> Answer:
    """Map a plain question onto a query and run it."""
    paper = _PAPER_ID.search(question)
    if paper:
        cases = queries.cases_for_paper(index, paper.group(1))
        return Answer("case", f"case {paper.group(1)}", [queries.case_timeline(case) for case in cases])
    if _MARKERS.search(question):
        subject = read_subject(index, question)
        rows = queries.markers_with_flare(index, **subject.query)
        return Answer("markers", f"markers accompanying flare with {subject.label}", rows)
    if _ONSET.search(question):
        subject = read_subject(index, question)
        rows = [row for drug in subject.drugs(index) for row in queries.flare_onset(index, drug=drug)]
        return Answer("onset", f"flare onset (days after the first dose) with {subject.label}", rows)
    if _DRUGS.search(question):
        role = _role_named_in(question)
        engagers_only = role is None and re.search(r"\b(engagers?|bispecifics?)\b", question, re.IGNORECASE)
        role = role or (ENGAGER if engagers_only else None)
        title = f"drugs ({role}) with flare reports" if role else "drugs with flare reports"
        return Answer("drugs", title, queries.drugs_with_flare(index, role=role))
    raise BadInput(f"cannot map the question {question!r}; I can answer for example: "
                   + "; ".join(f'"{example}"' for example in EXAMPLES))


@dataclass
class Subject:
    """What a question is about: a list of drugs, a target, a role, or every engager."""

    label: str
    drugs_named: list[str] = field(default_factory=list)
    target: str | None = None
    role: str | None = None

    @property
    def query(self) -> dict:
        if self.drugs_named:
            if len(self.drugs_named) > 1:
                raise BadInput(f"ask about one drug at a time (the question names {', '.join(self.drugs_named)})")
            return {"drug": self.drugs_named[0]}
        return {"target": self.target} if self.target else {"role": self.role or ENGAGER}

    def drugs(self, index: KnowledgeIndex) -> list[str]:
        if self.drugs_named:
            return self.drugs_named
        return [name for name, info in sorted(index.drugs.items())
                if (self.target is None and info.role == (self.role or ENGAGER))
                or (self.target is not None and info.role == ENGAGER and _has_target(info.targets, self.target))]


def read_subject(index: KnowledgeIndex, question: str) -> Subject:
    drugs = drugs_named_in(question)
    if drugs:
        return Subject(", ".join(drugs), drugs_named=drugs)
    role = _role_named_in(question)
    if role:
        return Subject(role, role=role)
    target = _target_named_in(index, question)
    if target:
        return Subject(f"{target} engagers", target=target)
    _refuse_unknown_drug(question)
    return Subject("any engager", role=ENGAGER)


def drugs_named_in(question: str) -> list[str]:
    """Canonical drug names mentioned in the question (brand and code names resolve), in question order."""
    found: dict[str, int] = {}
    words = re.findall(r"[\w\-\u2010-\u2015]+", question)
    for size in (3, 2, 1):  # longest first, so multi-word code names ("AMG 757") resolve too
        for start in range(len(words) - size + 1):
            entry = resolve_drug(" ".join(words[start:start + size]))
            if entry is not None and entry.role not in _ROLES:
                found.setdefault(entry.name, start)
    return sorted(found, key=found.get)


def _role_named_in(question: str) -> str | None:
    return next((role for role, pattern in _ROLES.items() if pattern.search(question)), None)


def _target_named_in(index: KnowledgeIndex, question: str) -> str | None:
    known = {target for entry in drug_lexicon() if entry.role == ENGAGER for target in entry.targets}
    known |= {target for info in index.drugs.values() for target in info.targets}
    for match in re.finditer(r"[\w\-]+(?:\s*(?:x|×|/)\s*[\w\-]+)*", question):
        if match.group(0).lower() in _PLAIN_WORDS:
            continue
        target = queries.resolve_target(match.group(0), known)
        if target:
            return target
    return None


def _has_target(targets: list[str], target: str) -> bool:
    return "x".join(targets) == target or target in targets


def closest_drug_names(name: str, cutoff: float = 0.7) -> list[str]:
    """Up to three known drug names (canonical, brand or code) closest to a misspelt one."""
    known = sorted({known for entry in drug_lexicon() for known in (entry.name, *entry.synonyms)})
    return difflib.get_close_matches(name.lower(), known, n=3, cutoff=cutoff)


def canonical_drug(name: str) -> str:
    """The lexicon's name for a drug named any way it knows (brand, code name); BadInput, with the closest
    known names, for any other."""
    entry = resolve_drug(name)
    if entry is None:
        raise BadInput(unknown_drug_message(name, closest_drug_names(name)))
    return entry.name


def canonical_target(index: KnowledgeIndex, target: str) -> str:
    """An engager target as the index names it ("bcma x cd3" -> "BCMAxCD3"); BadInput for an unknown one."""
    known = {t for entry in drug_lexicon() for t in entry.targets} | {t for info in index.drugs.values()
                                                                      for t in info.targets}
    canonical = queries.resolve_target(target, known)
    if canonical is None:
        classes = sorted({"x".join(entry.targets) for entry in drug_lexicon() if entry.role == ENGAGER})
        raise BadInput(f"unknown target {target!r}; known engager classes: {', '.join(classes)}")
    return canonical


def canonical_marker(name: str) -> str:
    """The lexicon's name for a marker named by any of its synonyms ("Interleukin 6" -> "il-6")."""
    names = {fold(term.surface): term.name for term in terms("marker") if "..." not in term.surface}
    canonical = names.get(fold(name.strip()))
    if canonical is None:
        close = difflib.get_close_matches(fold(name.strip()), sorted(names), n=3, cutoff=0.7)
        hint = f"; closest known names: {', '.join(close)}" if close else ""
        raise BadInput(f"unknown marker {name!r}{hint}")
    return canonical


def unknown_drug_message(name: str, close: list[str]) -> str:
    hint = f"; closest known names: {', '.join(close)}" if close else "; no known drug name is close"
    return f"unknown drug {name!r}{hint}"


def _refuse_unknown_drug(question: str) -> None:
    """A word that looks like a drug name but is none: say so, with the closest known names."""
    for word in re.findall(r"[a-z][\w\-]{4,}", question.lower()):
        if word in _PLAIN_WORDS:
            continue
        close = closest_drug_names(word)
        if close or re.search(r"(mab|cel|cept)$", word):  # INN stems of antibodies, CAR-T cells, fusions
            raise BadInput(unknown_drug_message(word, close))
