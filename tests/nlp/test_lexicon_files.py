"""Every lexicon file is well formed, so that a typo cannot silently drop an entry (a mistyped role would drop a
drug from the engagers; a synonym listed for two entries matches only one of them).

General over every `*.tsv` in extractor/lexicons/ (rows are added all the time):
- a header row after the '#' comments, every row with exactly its columns, no cell with stray spaces;
- a column documented as a list of values (`# role: engager (...) | checkpoint-inhibitor | ...`, or one value
  per comment line below it, as cues.tsv's kinds) holds only those values;
- a column its comment calls lowercase (canonical names: `# marker: canonical lowercase name`) is lowercase;
- no two rows are the same entry, and every surface form the matchers read names exactly one entry;
then per file: drug targets and identifiers have their syntax, a marker has one kind, `implies` is a direction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

import pytest

from extractor.lexicons import TERM_KINDS, drug_lexicon, resolve_drug, terms
from extractor.models import DIRECTIONS
from extractor.nlp.mentions import surface_atoms

LEXICONS = resources.files("extractor.lexicons")
FILES = sorted(path.name for path in LEXICONS.iterdir() if path.name.endswith(".tsv"))
TARGET = re.compile(r"[A-Za-z0-9][A-Za-z0-9.*:+\-]*")  # DLL3, PD-L1, IL-6R, gp100, CTLA-4
IDENTIFIER_SYNTAX = {  # CURIE prefix (Biolink's) -> the local part's syntax
    "UNII": re.compile(r"[A-Z0-9]{10}"),
    "DRUGBANK": re.compile(r"DB\d{5}"),
    "CHEMBL.COMPOUND": re.compile(r"CHEMBL\d+"),
}
_ENUMERATED = re.compile(r"\S.*\|\s")  # "a | b": ' | ' between values ("'|'-separated" is no list)
_LISTED_ON_ITS_LINE = re.compile(r"#\s{3,}([\w-]+(?: [\w-]+)*)\s+- ")


@dataclass
class Lexicon:
    name: str
    comments: list[str]
    header: list[str]
    rows: list[list[str]]  # cells as written

    def column(self, name: str) -> list[str]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]


def read(name: str) -> Lexicon:
    lines = [line for line in LEXICONS.joinpath(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    comments = [line for line in lines if line.startswith("#")]
    data = [line.split("\t") for line in lines if not line.startswith("#")]
    return Lexicon(name, comments, data[0], data[1:])


def documented_values(lexicon: Lexicon, column: str) -> set[str] | None:
    """The values a column's comment lists ("# role: a (why) | b | c", continued on '#      d  - why' lines),
    or None where the comment describes the column rather than listing its values."""
    for number, line in enumerate(lexicon.comments):
        if line.startswith(f"# {column}:"):
            description = line.split(":", 1)[1]
            if not _ENUMERATED.search(description):
                return None
            values = {_value(part) for part in description.split("|")}
            for more in lexicon.comments[number + 1:]:
                if not re.match(r"#\s{3,}\S", more):  # the column's comment goes on while lines are indented
                    break
                listed = _LISTED_ON_ITS_LINE.match(more)  # "#       negation    - the finding that follows..."
                if listed:
                    values.add(listed.group(1))
            return values
    return None


def _value(part: str) -> str:
    """'engager (bispecific ...) ' -> 'engager'; 'negative   - direction of a marker' -> 'negative'."""
    return part.split("(")[0].split(" - ")[0].strip()


@pytest.fixture(scope="module", params=FILES)
def lexicon(request) -> Lexicon:
    return read(request.param)


def test_every_row_has_the_header_columns_and_clean_cells(lexicon):
    assert lexicon.header and lexicon.rows, lexicon.name
    assert len(set(lexicon.header)) == len(lexicon.header)
    for number, row in enumerate(lexicon.rows, start=1):
        assert len(row) == len(lexicon.header), f"{lexicon.name} row {number}: {row}"
        assert all(cell == cell.strip() for cell in row), f"{lexicon.name} row {number}: stray spaces in {row}"
        assert row[0], f"{lexicon.name} row {number}: no {lexicon.header[0]}"


def test_enumerated_columns_hold_only_documented_values(lexicon):
    for column in lexicon.header:
        allowed = documented_values(lexicon, column)
        if allowed is not None:
            unknown = set(lexicon.column(column)) - allowed
            assert not unknown, f"{lexicon.name}: {column} {sorted(unknown)} not among {sorted(allowed)}"


def lowercase_columns(lexicon: Lexicon) -> list[str]:
    """Columns whose comment says their values are lowercase ("# name: canonical lowercase INN")."""
    return [column for column in lexicon.header
            if any(re.match(rf"#\s*{re.escape(column)}:[^:]*\blower-?case\b", line) for line in lexicon.comments)]


def test_columns_documented_lowercase_are_lowercase(lexicon):
    for column in lowercase_columns(lexicon):
        upper = [value for value in lexicon.column(column) if value != value.lower()]
        assert not upper, f"{lexicon.name}: {column} {upper[:10]}"


def test_no_row_is_listed_twice(lexicon):
    keys = [tuple(cell for column, cell in zip(lexicon.header, row) if column not in ("notes", "source"))
            for row in lexicon.rows]
    twice = {key for key in keys if keys.count(key) > 1}
    assert not twice, f"{lexicon.name}: {sorted(twice)[:10]}"


def test_the_documented_columns_parse_as_enumerations():
    """The comment reader above, on the files whose lists matter: it must find them, or the checks say nothing."""
    assert {"engager", "checkpoint-inhibitor", "car-t", "other"} <= documented_values(read("drugs.tsv"), "role")
    assert documented_values(read("markers.tsv"), "kind") == {"level", "finding"}
    assert {"increased", "negation", "growth", "anaphor"} <= documented_values(read("cues.tsv"), "kind")
    assert {"pseudoprogression", "tumor flare"} <= documented_values(read("events.tsv"), "event")
    assert not any(":" in value for value in documented_values(read("events.tsv"), "event"))
    assert documented_values(read("drugs.tsv"), "synonyms") is None
    assert {"name", "identifier"} & set(lowercase_columns(read("drugs.tsv"))) == {"name"}
    assert lowercase_columns(read("markers.tsv"))[:1] == ["marker"]


def test_every_surface_form_names_one_entry():
    """As the matchers read forms (mentions.surface_atoms): one form, one entry. A form listed twice matches only
    one of its entries and the other is dead. Cue words are their own names: one form, one cue kind."""
    entries: dict[tuple, set] = defaultdict(set)
    cues: dict[tuple, set] = defaultdict(set)
    for kind in TERM_KINDS:
        for term in terms(kind):
            atoms = tuple(surface_atoms(term.surface))
            if kind == "cue":
                cues[atoms].add(term.detail)
            else:
                entries[atoms].add((term.kind, term.name, term.detail))
    ambiguous = {form: found for form, found in (entries | cues).items() if len(found) > 1}
    assert not ambiguous, ambiguous


def test_every_drug_name_resolves_to_its_own_entry():
    names = [drug.name for drug in drug_lexicon()]
    assert len(names) == len(set(names))
    for drug in drug_lexicon():
        for surface in (drug.name, *drug.synonyms):
            assert resolve_drug(surface).name == drug.name, (surface, drug.name, resolve_drug(surface).name)


def test_drug_targets_and_identifiers_have_their_syntax():
    drugs = read("drugs.tsv")
    for name, role, targets, identifier, source in zip(drugs.column("name"), drugs.column("role"),
                                                        drugs.column("targets"), drugs.column("identifier"),
                                                        drugs.column("identifier_source")):
        parts = targets.split(";") if targets else []
        assert all(TARGET.fullmatch(part) for part in parts), (name, targets)
        assert len(parts) == len(set(parts)), (name, targets)
        assert parts or role != "engager", f"{name}: an engager engages a target"
        assert bool(identifier) == bool(source), f"{name}: an identifier and where it was read go together"
        if identifier:
            prefix, _, local = identifier.partition(":")
            assert prefix in IDENTIFIER_SYNTAX and IDENTIFIER_SYNTAX[prefix].fullmatch(local), (name, identifier)
    assert {drug.identifier for drug in drug_lexicon()} >= {"DRUGBANK:DB17256"}  # read through to the entries


def test_a_marker_has_one_kind_and_implies_a_direction():
    markers = read("markers.tsv")
    kinds: dict[str, set[str]] = defaultdict(set)
    for name, kind in zip(markers.column("marker"), markers.column("kind")):
        kinds[name].add(kind)
    assert all(len(found) == 1 for found in kinds.values()), {n: k for n, k in kinds.items() if len(k) > 1}
    assert set(markers.column("implies")) <= {"", *DIRECTIONS}
