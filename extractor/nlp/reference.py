"""A laboratory value stated with its unit and no word for its direction, read against the usual adult reference
interval (lexicons/reference_ranges.tsv): "ferritin 2,340 ng/mL" is increased, "platelets 32,000/uL" decreased.

Only the value right after the marker counts ("IL-6 of 480 pg/mL", "LDH: 1,020 U/L", "CRP was 18.2 mg/dL"), in
the units the table lists; a value inside the interval gives nothing, since a normal value is coded only when the
text calls it normal. The unit is read in the original text (the folded text turns the micro sign's Greek twin
into an "m").
"""

from __future__ import annotations

import re
from functools import cache

from extractor.lexicons.tsv import rows

# A number as case reports write it: "1,250" and "12,000,000" with thousands separators, "7.8", and "1,5" with a
# decimal comma. One reading of numbers for every rule that compares them (this module and direction.py).
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def number_value(number: str) -> float:
    """The value of a NUMBER: commas between groups of three digits separate thousands, else one is a decimal."""
    return float(number.replace(",", "")) if _THOUSANDS.fullmatch(number) else float(number.replace(",", "."))


_VALUE = re.compile(
    r"\s*(?:(?:level|levels|count|concentration|value)\s+)?(?:of|was|were|is|at|reached|peaked at|increased to|"
    r"decreased to|rose to|fell to|dropped to|to|[:=])?\s*(?:approximately\s+|~\s*)?"
    rf"(?P<number>{NUMBER})\s*"
    r"(?P<unit>(?:[x×]\s*10\s*(?:\^|\(|<sup>)?\s*\d{1,2}\)?(?:</sup>)?\s*)?/\s*(?:[uµμ]l|mm3|l)\b|[a-zµμ]{1,4}/[a-zµμ]{1,3}\b)",
    re.IGNORECASE,
)
_POWER = re.compile(r"[x×]\s*10\s*(?:\^|\(|<sup>)?\s*(\d{1,2})\)?(?:</sup>)?\s*", re.IGNORECASE)


@cache
def _intervals() -> dict[tuple[str, str], tuple[float, float]]:
    return {(row["marker"], row["unit"]): (float(row["low"]), float(row["high"])) for row in rows("reference_ranges.tsv")}


def unit_key(unit: str) -> str:
    """A unit as the table writes it: lowercase, no spaces, u for the micro sign, cell counts as x10^N/l or /ul."""
    unit = _POWER.sub(lambda match: f"x10^{match.group(1)}", unit)
    unit = unit.lower().replace(" ", "").replace("µ", "u").replace("μ", "u")
    return unit.replace("/mm3", "/ul")


def direction_from_value(marker: str, text: str, start: int, end: int) -> str | None:
    """increased / decreased for a value stated right after the marker in text[start:end], outside the marker's
    reference interval in that unit; None otherwise."""
    match = _VALUE.match(text, start, end)
    if match is None:
        return None
    interval = _intervals().get((marker, unit_key(match.group("unit"))))
    if interval is None:
        return None
    value = number_value(match.group("number"))
    low, high = interval
    return "increased" if value > high else "decreased" if value < low else None
