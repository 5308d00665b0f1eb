"""Marker names as clinicians write them (IL-6, pro-GRP, CRP, SUVmax), for tables, pictures and the report.

Stored keys stay the lowercase canonical names of the marker lexicon; only what people read changes. The
written forms are data (extractor/lexicons/display_names.tsv); a name that file lacks follows one rule:
a one-word name of at most four letters is an abbreviation, written in capitals.
"""

from __future__ import annotations

from functools import cache

from extractor.lexicons.tsv import rows

ABBREVIATION_LETTERS = 4  # crp, ldh, il-6, ca-125, vegf: abbreviations; ferritin, cytology: words


@cache
def _written_forms() -> dict[str, str]:
    return {row["marker"]: row["display"] for row in rows("display_names.tsv")}


@cache
def marker_display(marker: str) -> str:
    """How a marker is shown to people: 'il-6' -> 'IL-6', 'pro-grp' -> 'pro-GRP', 'serum sodium' as it is."""
    written = _written_forms().get(marker)
    if written is not None:
        return written
    letters = sum(character.isalpha() for character in marker)
    if " " not in marker and 0 < letters <= ABBREVIATION_LETTERS:
        return marker.upper()
    return marker
