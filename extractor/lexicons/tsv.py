"""The lexicons' file format: '#' comment lines, a header row, then tab-separated rows (values stripped)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


def parse_tsv(text: str) -> list[dict[str, str]]:
    """Rows of a lexicon-style file's text, as dicts keyed by its header row."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines, delimiter="\t")]


@cache
def rows(filename: str) -> list[dict[str, str]]:
    """The rows of one lexicon file beside this module (read once)."""
    return parse_tsv(resources.files(__package__).joinpath(filename).read_text(encoding="utf-8"))


def split(value: str) -> tuple[str, ...]:
    """A '|'-separated column as a tuple of its non-empty parts."""
    return tuple(part.strip() for part in value.split("|") if part.strip())
