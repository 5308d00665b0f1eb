"""kb/index.jsonl: the query index on disk, so that a query reads the few lines its answer needs instead of
every case of kb/findings.jsonl.

`encode_index` serialises the `KnowledgeIndex` that `build_index` made of the findings being saved (the same
rows, never computed a second way; `store.save` writes the lines); `read_index` gives it back as a
`KnowledgeIndex` whose tables read each value from the file the first time a query asks for it
(`LazyTable`). Same bytes for the same findings.

The file is a header line, then one JSON line per table entry, `{"table": .., "key": .., "value": ..}`:

    {"index": {"format": 1, "id": <sha256 of every line below the header>, "findings_bytes": <size of the
               findings.jsonl written with it>, "drugs": {name: [role, targets]},
               "lines": {table: {key: [offset, length]}}, "buckets": {table: [[offset, length], ...]}}}

Offsets count from the end of the header line. Tables with few keys have a line per key, listed in the
header: `signatures` (rows whose evidence are references into the pools, pool and position pairs in one
flat list), `evidence` (one pool per drug signature, numbered in the header's order: each of its
sentences once), `flare_cases`, `flare_papers`, `onset_days`, `onset_papers`, `flare_patients`,
`onset_cohorts` ([day, patients, paper] lists), `summaries` (per signature key: [cases, patients, papers,
diseases]) and `marker_drugs` (per marker: the drugs whose signature has it). Role, class and antigen
signatures point into the pools of their drugs rather than repeat every sentence (five copies of an
engager's evidence otherwise: the index would outgrow the findings).
Tables with a key per paper or case are cut into buckets of keys by crc32, a line per bucket: `papers`, and
`cases`, whose values say where each case's line is in findings.jsonl.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, BinaryIO, TypeVar

from extractor.errors import KnowledgeBaseError
from extractor.graph.index import (
    CohortOnset,
    DrugInfo,
    Evidence,
    KnowledgeIndex,
    MarkerRow,
    Summary,
    signature_key,
)
from extractor.models import CaseFindings

INDEX_FORMAT = 2  # 2: patients and papers counted, cohort onsets, summaries, marker_drugs
KEYS_PER_BUCKET = 256  # a bucket line is a few kB: one read and a fraction of a millisecond to parse
DRUG_SIGNATURE = signature_key("drug", "")  # the key prefix of the signatures that own an evidence pool
FLARE_TABLES = ("flare_cases", "flare_papers", "onset_days", "onset_papers", "flare_patients")

Extent = tuple[int, int]  # offset, length of one line
Reference = tuple[int, int]  # an evidence: pool number, position in the pool
Value = TypeVar("Value")


# -- writing ------------------------------------------------------------------------------------------------


@dataclass
class EncodedIndex:
    id: str  # sha256 of the lines below the header: what the findings manifest names
    lines: list[bytes]  # the header, then the body


def encode_index(index: KnowledgeIndex, case_lines: Mapping[str, Extent], findings_bytes: int) -> EncodedIndex:
    """kb/index.jsonl's lines for `index`; `case_lines` says where each case's line is in the findings.jsonl
    of `findings_bytes` bytes that the index is written with."""
    pools, signatures = _pooled_signatures(index.signatures)
    lines: dict[str, dict[str, Any]] = {
        "signatures": signatures,
        "evidence": pools,
        **{table: dict(getattr(index, table)) for table in FLARE_TABLES},
        "onset_cohorts": {name: [[cohort.day, cohort.n_patients, cohort.paper] for cohort in cohorts]
                          for name, cohorts in index.onset_cohorts.items()},
        "summaries": {key: [summary.n_cases, summary.n_patients, summary.n_papers, summary.diseases]
                      for key, summary in index.summaries.items()},
        "marker_drugs": dict(index.marker_drugs),
    }
    buckets = {"papers": _buckets(index.papers), "cases": _buckets({case_id: list(case_lines[case_id])
                                                                     for case_id in index.cases})}
    body: list[bytes] = []
    directory: dict[str, dict[str, Any]] = {"lines": {}, "buckets": {}}
    offset = 0
    digest = hashlib.sha256()

    def add(table: str, key: str | int, value: Any) -> Extent:
        nonlocal offset
        line = _json_line({"table": table, "key": key, "value": value})
        body.append(line)
        digest.update(line)
        offset += len(line)
        return offset - len(line), len(line)

    for table, entries in lines.items():
        directory["lines"][table] = {key: add(table, key, value) for key, value in entries.items()}
    for table, groups in buckets.items():
        directory["buckets"][table] = [add(table, number, group) for number, group in enumerate(groups)]
    index_id = digest.hexdigest()
    header = {"index": {"format": INDEX_FORMAT, "id": index_id, "findings_bytes": findings_bytes,
                        "drugs": {name: [info.role, info.targets] for name, info in index.drugs.items()},
                        **directory}}
    return EncodedIndex(index_id, [_json_line(header), *body])


def _pooled_signatures(signatures: Mapping[str, list[MarkerRow]]) -> tuple[dict[str, list], dict[str, list]]:
    """(evidence pools by drug signature key, rows by signature key whose evidence are references: a flat
    list pool, position, pool, position, ...).

    A drug's pool holds each evidence of its own rows once (so a drug's answer reads its pool alone); the
    rows of every other signature point into the pool of the first drug that holds the same evidence."""
    pools: dict[str, dict[tuple, int]] = {}  # drug signature key -> evidence fields -> position in its pool
    homes = _Homes()
    encoded: dict[str, list] = {}
    for key, rows in signatures.items():
        if key.startswith(DRUG_SIGNATURE):
            pools[key] = {}
            encoded[key] = _encoded_rows(rows, partial(homes.pool, len(pools) - 1, pools[key]), {})
    for key, rows in signatures.items():
        if key not in pools:
            encoded[key] = _encoded_rows(rows, partial(homes.first, key), homes.by_object)
    return ({key: [list(fields) for fields in positions] for key, positions in pools.items()},
            {key: encoded[key] for key in signatures})


@dataclass
class _Homes:
    """Where each evidence was first pooled: by object (build_index shares one Evidence object between the
    signatures a case feeds, so most look-ups are by identity, which costs nothing) and by value."""

    by_object: dict[int, Reference] = field(default_factory=dict)
    by_fields: dict[tuple, Reference] = field(default_factory=dict)

    def pool(self, number: int, positions: dict[tuple, int], evidence: Evidence) -> Reference:
        fields = _evidence_fields(evidence)
        found = number, positions.setdefault(fields, len(positions))
        self.by_object.setdefault(id(evidence), found)
        self.by_fields.setdefault(fields, found)
        return found

    def first(self, key: str, evidence: Evidence) -> Reference:
        fields = _evidence_fields(evidence)
        if fields not in self.by_fields:  # build_index gives every signature's evidence to its drugs' too
            raise ValueError(f"signature {key}: evidence found in no drug signature ({evidence.sentence!r})")
        return self.by_fields[fields]


def _encoded_rows(rows: list[MarkerRow], reference: Callable[[Evidence], Reference],
                  seen: dict[int, Reference]) -> list[list]:
    """Rows as JSON arrays; `reference` is asked once per Evidence object not yet `seen` (by identity)."""
    encoded = []
    for row in rows:
        refs: list[int] = []
        for evidence in row.evidence:
            found = seen.get(id(evidence))
            if found is None:
                found = seen[id(evidence)] = reference(evidence)
            refs += found
        encoded.append([row.marker, row.direction, row.n_cases, row.days, row.drugs, refs, row.n_patients,
                        row.n_papers])
    return encoded


def _evidence_fields(evidence: Evidence) -> tuple:
    return evidence.pmid, evidence.pmcid, evidence.doi, evidence.sentence, evidence.day


def _buckets(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = [{} for _ in range(math.ceil(len(table) / KEYS_PER_BUCKET))]
    for key, value in table.items():
        groups[_bucket_of(key, len(groups))][key] = value
    return groups


def _bucket_of(key: str, count: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % count  # not hash(): salted per process


def _json_line(record: Any) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# -- reading ------------------------------------------------------------------------------------------------


@dataclass
class IndexHeader:
    id: str
    findings_bytes: int  # size of the findings.jsonl the index was written with
    drugs: dict[str, list]  # name -> [role, targets]
    lines: dict[str, dict[str, list[int]]]  # table -> key -> [offset, length] of its line
    buckets: dict[str, list[list[int]]]  # table -> [offset, length] of each bucket's line
    body_start: int  # where the lines below the header begin in the file


def read_header(index_file: BinaryIO) -> IndexHeader | None:
    """The header of an index file, or None when it is none this flarekb can read."""
    first_line = index_file.readline()
    try:
        header = json.loads(first_line)["index"]
        if header["format"] != INDEX_FORMAT:
            return None
        return IndexHeader(header["id"], header["findings_bytes"], header["drugs"], header["lines"],
                           header["buckets"], len(first_line))
    except (ValueError, KeyError, TypeError):
        return None


def read_index(index_file: BinaryIO, header: IndexHeader, findings_file: BinaryIO) -> KnowledgeIndex:
    """The index of `header`, reading values from the two open files as the queries ask for them (the
    files must stay open meanwhile)."""

    def read(extent: Extent) -> Any:
        return _record(index_file, header.body_start + extent[0], extent[1])["value"]

    def line_table(table: str, decode: Callable[[Any], Value]) -> LazyTable[Value]:
        extents = header.lines[table]
        return LazyTable(lambda: list(extents), lambda key: decode(read(extents[key])))

    def bucket_table(table: str, decode: Callable[[Any], Value]) -> LazyTable[Value]:
        extents = header.buckets[table]
        groups: dict[int, dict[str, Any]] = {}

        def group(number: int) -> dict[str, Any]:
            if number not in groups:
                groups[number] = read(extents[number])
            return groups[number]

        def keys() -> list[str]:
            return [key for number in range(len(extents)) for key in group(number)]

        def fetch(key: str) -> Value:
            if not extents:  # an empty table has no bucket
                raise KeyError(key)
            return decode(group(_bucket_of(key, len(extents)))[key])

        return LazyTable(keys, fetch)

    def case_at(extent: list[int]) -> CaseFindings:
        return CaseFindings.from_json(_record(findings_file, *extent))

    pools = line_table("evidence", lambda value: [Evidence(*fields) for fields in value])
    pool_keys = list(header.lines["evidence"])

    def rows(value: list) -> list[MarkerRow]:
        return [MarkerRow(marker, direction, n_cases, days, drugs,
                          [pools[pool_keys[pool]][position] for pool, position in zip(refs[::2], refs[1::2])],
                          n_patients, n_papers)
                for marker, direction, n_cases, days, drugs, refs, n_patients, n_papers in value]

    def same(value: Value) -> Value:
        return value

    return KnowledgeIndex(
        cases=bucket_table("cases", case_at),
        papers=bucket_table("papers", same),
        drugs={name: DrugInfo(name, role, targets) for name, (role, targets) in header.drugs.items()},
        signatures=line_table("signatures", rows),
        **{table: line_table(table, same) for table in FLARE_TABLES},
        onset_cohorts=line_table("onset_cohorts", lambda value: [CohortOnset(*fields) for fields in value]),
        summaries=line_table("summaries", lambda value: Summary(*value)),
        marker_drugs=line_table("marker_drugs", same),
    )


def _record(file: BinaryIO, offset: int, length: int) -> Any:
    data = os.pread(file.fileno(), length, offset)
    try:
        return json.loads(data)
    except ValueError as error:
        raise KnowledgeBaseError(f"{file.name}: cannot read the line at byte {offset} ({error})") from error


class LazyTable(Mapping[str, Value]):
    """One table of kb/index.jsonl as a read-only mapping: a value is read from the file the first time it
    is asked for, then kept. Listing the keys of a bucketed table reads all its buckets (no query does)."""

    def __init__(self, keys: Callable[[], list[str]], fetch: Callable[[str], Value]) -> None:
        self._keys, self._fetch = keys, fetch  # fetch raises KeyError for a key not in the table
        self._values: dict[str, Value] = {}
        self._listed: list[str] | None = None

    def __getitem__(self, key: str) -> Value:
        if key not in self._values:
            self._values[key] = self._fetch(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        if self._listed is None:
            self._listed = self._keys()
        return iter(self._listed)

    def __len__(self) -> int:
        return sum(1 for _ in self)
