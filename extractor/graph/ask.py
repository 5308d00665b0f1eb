"""Plain questions -> the queries of `queries.py`.

A question is read for an intent (markers, one marker, onset, drugs, one case) and its constraints: drugs by
any name the lexicon knows (INN, brand, code; every role), an engager target such as "BCMA" or "DLL3xCD3", a
therapy role such as "CAR-T", a marker ("IL-6", "LDH") and its direction, a disease. Every constraint is
applied, or the answer's notes name it as not applied. Only questions whose intent is recognised are
answered; anything else gets a message that says what can be asked, and an unknown drug gets the closest
known names. Never a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from extractor.errors import BadInput
from extractor.graph import queries
from extractor.graph.display import marker_display
from extractor.graph.index import (
    CLASS_SEPARATOR,
    ENGAGER,
    DrugInfo,
    KnowledgeIndex,
    Summary,
    signature_key,
)
from extractor.lexicons import drug_lexicon, resolve_drug, resolve_name, surface_names
from extractor.lexicons.folding import fold

EXAMPLES = (
    "which markers accompany flare with tarlatamab",
    "what markers are seen with BCMA engagers",
    "when does flare start with epcoritamab",
    "which drugs have pseudoprogression reports",
    "which drugs show IL-6 increase with flare",
    "what happens to LDH during flare",
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
    "hormone-therapy": re.compile(r"hormon(?:e|al) therap|androgen deprivation|\badt\b|antiandrogen", re.IGNORECASE),
}
# Words that never name a drug: left out when looking for a misspelt drug name.
_PLAIN_WORDS = set("""which what when where who how does do did is are was were the a an of in on with for after
under during by to and or any all every markers marker biomarkers accompany accompanies seen see show shows
flare flares pseudoprogression tumour tumor reaction start starts begin begins onset early day days have has
reports reported report drugs drug engagers engager bispecifics bispecific therapy therapies patients patient
treated treatment case cases lab labs signature signatures change changes move moves happen happens met""".split())


@dataclass
class Answer:
    intent: str  # markers | marker | onset | drugs | case
    title: str  # what the rows answer, for the table heading
    rows: list = field(default_factory=list)  # MarkerRow | DrugMarkerRow | OnsetRow | DrugRow | CaseTimeline
    summary: str = ""  # the first line: what the answer rests on ("2 patients in 2 papers, tarlatamab, ...")
    notes: list[str] = field(default_factory=list)  # constraints of the question the answer could not apply


def answer(index: KnowledgeIndex, question: str) -> Answer:
    """Map a plain question onto a query and run it. Every constraint the question states (drug, target,
    role, marker, direction, disease) is applied, or named in the answer's notes as not applied."""
    paper = _PAPER_ID.search(question)
    if paper:
        cases = queries.cases_for_paper(index, paper.group(1))
        return Answer("case", f"case {paper.group(1)}", [queries.case_timeline(case) for case in cases])
    asked = read_question(index, question)
    if asked.marker is not None:
        return marker_answer(index, asked)
    if _MARKERS.search(question):
        subject = _subject_or_refusal(asked, question)
        rows = queries.markers_with_flare(index, **subject.query)
        if asked.direction is not None:
            rows = [row for row in rows if row.direction == asked.direction]
        direction = f" ({asked.direction})" if asked.direction else ""
        return Answer("markers", f"markers{direction} accompanying flare with {subject.label}", rows,
                      summary_line(queries.summary(index, **subject.query), subject.label), asked.notes)
    if _ONSET.search(question):
        subject = _subject_or_refusal(asked, question)
        rows = [row for drug in subject.drugs(index) for row in queries.flare_onset(index, drug=drug)]
        summary = summary_line(queries.summary(index, **subject.query), subject.label) \
            if len(subject.drugs_named) <= 1 else ""
        return Answer("onset", f"flare onset (days after the first dose) with {subject.label}", rows, summary,
                      asked.notes)
    if _DRUGS.search(question):
        return _drugs_answer(index, question, asked)
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


@dataclass
class Question:
    """Every constraint a question states, and those of them no answer can apply."""

    drugs: list[str] = field(default_factory=list)
    role: str | None = None
    target: str | None = None
    marker: str | None = None
    direction: str | None = None
    diseases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def subject(self) -> Subject:
        """The one drug, target or role the answer is about. A drug wins over a target or role it belongs to;
        one that does not fit them is named in the notes."""
        if self.drugs:
            return Subject(", ".join(self.drugs), drugs_named=self.drugs)
        if self.target and self.role and self.role != ENGAGER:
            self.notes.append(f"not applied: the role {self.role} (only engagers have a target class such as "
                              f"{self.target})")
        if self.target:
            return Subject(f"{self.target} engagers", target=self.target)
        if self.role:
            return Subject(self.role, role=self.role)
        return Subject("any engager", role=ENGAGER)


def read_question(index: KnowledgeIndex, question: str) -> Question:
    asked = Question(drugs=drugs_named_in(question), role=_role_named_in(question))
    asked.target, target_span = _target_named_in(index, question)
    if asked.target is None and re.search(r"\b(engagers?|bispecifics?)\b", question, re.IGNORECASE):
        asked.role = asked.role or ENGAGER
    taken = [target_span] if target_span else []  # words that name a target or a kind of therapy are no marker
    taken += [match.span() for pattern in _ROLES.values() for match in pattern.finditer(question)]
    asked.marker = marker_named_in(question, skip=taken)
    asked.direction = _direction_named_in(question)
    asked.diseases = diseases_named_in(question)
    for name in asked.drugs:
        info = index.drugs.get(name) or _lexicon_info(name)
        if asked.target and info and not _has_target(info.targets, asked.target):
            asked.notes.append(f"not applied: the target {asked.target} ({name} is not a {asked.target} engager)")
        if asked.role and info and asked.role != info.role and not asked.target:
            asked.notes.append(f"not applied: the role {asked.role} ({name} is {info.role})")
    for disease in asked.diseases:
        asked.notes.append(f"not applied: the disease {disease} (answers count every disease; the first line "
                           "names those of the cases)")
    return asked


def _subject_or_refusal(asked: Question, question: str) -> Subject:
    """The subject; a word that looks like a drug name but is none is refused rather than read as "any engager"."""
    if not asked.drugs and not asked.role and not asked.target:
        _refuse_unknown_drug(question)
    return asked.subject


def _lexicon_info(name: str):
    entry = resolve_drug(name)
    return DrugInfo(entry.name, entry.role, list(entry.targets)) if entry else None


def marker_answer(index: KnowledgeIndex, asked: Question) -> Answer:
    """A question by marker: that marker with every drug (or the drug, target or role asked), per drug."""
    filters: dict = {}
    if len(asked.drugs) > 1:
        raise BadInput(f"ask about one drug at a time (the question names {', '.join(asked.drugs)})")
    if asked.drugs:
        filters, label = {"drug": asked.drugs[0]}, asked.drugs[0]
    elif asked.target:
        filters, label = {"target": asked.target}, f"{asked.target} engagers"
    elif asked.role:
        filters, label = {"role": asked.role}, f"any {asked.role}"
    else:
        label = "any drug"
    rows = queries.marker_by_drug(index, asked.marker, direction=asked.direction, **filters)
    shown = marker_display(asked.marker) + (f" {asked.direction}" if asked.direction else "")
    if filters or asked.direction:
        papers = sorted({paper_of(item) for row in rows for item in row.evidence})
        summary = f"{plural(len(papers), 'paper')} reporting {shown} with flare, {label}" if rows else ""
    else:
        summary = summary_line(index.summaries.get(signature_key("marker", asked.marker)) or Summary(),
                               f"{shown} with flare")
    return Answer("marker", f"{shown} in flare cases with {label}, per drug", rows, summary, asked.notes)


def _drugs_answer(index: KnowledgeIndex, question: str, asked: Question) -> Answer:
    """Drugs with flare reports, keeping only the drugs, role and target the question names."""
    role = asked.role
    if asked.target:
        role = ENGAGER
        if asked.role not in (None, ENGAGER):
            asked.notes.append(f"not applied: the role {asked.role} (only engagers have a target class such as "
                               f"{asked.target})")
    rows = queries.drugs_with_flare(index, role=role)
    if asked.target:
        rows = [row for row in rows if _has_target(row.targets, asked.target)]
    if asked.drugs:
        rows = [row for row in rows if row.drug in asked.drugs]
    described = " ".join(part for part in (asked.target, role) if part)
    title = f"drugs ({described}) with flare reports" if described else "drugs with flare reports"
    if asked.drugs:
        title = f"flare reports with {', '.join(asked.drugs)}"
    if asked.marker is not None:
        asked.notes.append(f"not applied: the marker {asked.marker}")
    summary = f"{plural(len(rows), 'drug')} with flare reports" + (f" ({described})" if described else "")
    return Answer("drugs", title, rows, summary, asked.notes)


def summary_line(summary: Summary, subject: str) -> str:
    """'2 patients in 2 papers, tarlatamab, small-cell lung cancer': what an answer rests on."""
    if not summary.n_cases:
        return ""
    more = len(summary.diseases) - 2
    diseases = summary.diseases[:2] + ([f"{plural(more, 'more disease')}"] if more > 0 else [])
    parts = [f"{plural(summary.n_patients, 'patient')} in {plural(summary.n_papers, 'paper')}", subject, *diseases]
    return ", ".join(parts)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def paper_of(evidence) -> str:
    return evidence.pmid or evidence.pmcid or evidence.doi or "?"


def read_subject(index: KnowledgeIndex, question: str) -> Subject:
    return read_question(index, question).subject


def drugs_named_in(question: str) -> list[str]:
    """Canonical drug names mentioned in the question (INN, brand and code names of every role resolve), in
    question order. Words that name a kind of therapy ("CAR-T", "checkpoint inhibitors") are roles, not drugs."""
    found: dict[str, int] = {}
    words = re.findall(r"[\w\-\u2010-\u2015]+", question)
    for size in (3, 2, 1):  # longest first, so multi-word code names ("AMG 757") resolve too
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            entry = resolve_drug(phrase)
            if entry is not None and _role_named_in(phrase) is None:
                found.setdefault(entry.name, start)
    return sorted(found, key=found.get)


def _role_named_in(question: str) -> str | None:
    return next((role for role, pattern in _ROLES.items() if pattern.search(question)), None)


def _target_named_in(index: KnowledgeIndex, question: str) -> tuple[str | None, tuple[int, int] | None]:
    """An engager target the question names, and where: (None, None) when it names none."""
    known = {target for entry in drug_lexicon() if entry.role == ENGAGER for target in entry.targets}
    known |= {target for info in index.drugs.values() for target in info.targets}
    for match in re.finditer(r"[\w\-]+(?:\s*(?:x|×|/)\s*[\w\-]+)*", question):
        if match.group(0).lower() in _PLAIN_WORDS:
            continue
        target = queries.resolve_target(match.group(0), known)
        if target and _names_a_target(question, match, target):
            return target, match.span()
    return None, None


def _names_a_target(question: str, match: re.Match, target: str) -> bool:
    """BCMA, CD20 and DLL3 are markers too: a bare antigen is a target only beside engager words (or alone
    in a question by drugs or markers), a class such as BCMAxCD3 always is."""
    if CLASS_SEPARATOR in target:
        return True
    after = question[match.end():match.end() + 40]
    before = question[max(0, match.start() - 20):match.start()]
    return bool(re.match(r"[\s-]*(?:targeting\s+)?(engagers?|bispecifics?|antibod|drugs?|therap|agents?)", after,
                         re.IGNORECASE) or re.search(r"(target(ing|s)?|against)\s+$", before, re.IGNORECASE))


# The words that say which way a marker moved, by direction (a question's, not a paper's).
_DIRECTION_WORDS = {
    "increased": r"increas\w*|ris(e|es|ing)|rose|elevat\w*|high\w*|up",
    "decreased": r"decreas\w*|f(a|e)ll\w*|drop\w*|declin\w*|low\w*|down",
    "positive": r"positive",
    "negative": r"negative",
    "normal": r"normal\w*",
}


def _direction_named_in(question: str) -> str | None:
    return next((direction for direction, words in _DIRECTION_WORDS.items()
                 if re.search(rf"\b({words})\b", question, re.IGNORECASE)), None)


def marker_named_in(question: str, skip: list[tuple[int, int]] = ()) -> str | None:
    """The canonical marker a question names ("IL-6", "interleukin 6", "LDH", "SUVmax"), longest form first;
    the words within the spans `skip` (an engager target, a kind of therapy) are not read as a marker."""
    words = [match for match in re.finditer(r"[\w+\-\u2010-\u2015]+", question)
             if all(match.end() <= start or match.start() >= end for start, end in skip)]
    for size in (5, 4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            span = words[start:start + size]
            if any(b.start() - a.end() > 1 for a, b in zip(span, span[1:])):
                continue  # a skipped word in between
            if size == 1 and span[0].group(0).lower() in _PLAIN_WORDS:
                continue
            marker = resolve_name("marker", question[span[0].start():span[-1].end()])
            if marker is not None:
                return marker
    return None


def diseases_named_in(question: str) -> list[str]:
    """Diseases the question names (no answer can filter by disease: the answer says so)."""
    words = re.findall(r"[\w\-\u2010-\u2015]+", question)
    found, taken = {}, set()
    for size in (5, 4, 3, 2, 1):  # longest first: "small-cell lung cancer" is not also "lung cancer"
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            disease = resolve_name("disease", phrase)
            if disease is not None and len(phrase) > 3 and taken.isdisjoint(range(start, start + size)):
                found.setdefault(disease, start)
                taken.update(range(start, start + size))
    return sorted(found, key=found.get)


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
    """The lexicon's name for a marker named by any of its synonyms ("Interleukin 6", "IL-6" -> "il-6"; British
    spellings and a plural -s too); BadInput, with the closest known names, for any other."""
    canonical = resolve_name("marker", name.strip())
    if canonical is None:
        close = difflib.get_close_matches(fold(name.strip()), surface_names("marker"), n=3, cutoff=0.6)
        hint = f"; closest known names: {', '.join(close)}" if close else "; no known marker name is close"
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
