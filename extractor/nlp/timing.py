"""Time expressions normalised to days after the first dose: "Day 7" -> 7, "on day 10 of the first cycle" -> 10,
"within hours" -> 0, "within 24-48 hours" -> 1, "one week" -> 7, "1 month" -> 30, "by Day 13" -> 13, "day +23"
-> 23, "on D8" and "C1D8" -> 8, "week 6" -> 42, "on the third day" -> 3.

Vague phrases ("the next month", "after several cycles", "after cycle two") and times counted from something
other than the first dose ("two weeks after the second dose", "within seven weeks of onset") are returned
with day None: they are stated times, so they still stop a mention from borrowing a nearby number.
Works on folded (lowercase, ASCII-dash) text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

from extractor.lexicons import terms
from extractor.lexicons.folding import fold
from extractor.nlp.substrings import Occurrences, occurrences

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
}
_DAYS_PER_UNIT = {"hour": 1 / 24, "hr": 1 / 24, "h": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

_NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?:hours?|hrs?|h|days?|weeks?|months?|years?)"
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10}
_ORDINALS = r"(?:" + "|".join(_ORDINAL_WORDS) + r"|\d{1,3}(?:st|nd|rd|th))"
_ORDINAL_AFTER_FIRST = r"(?:second|third|fourth|fifth|sixth|last|next|subsequent|\d+(?:nd|rd|th))"
# Counted from something other than the first dose.
_OTHER_ANCHOR = re.compile(
    rf"\s*(?:later\s+)?(?:of|after|from|following|since)\s+(?:the\s+)?(?:onset|diagnosis|surgery|resection|{_ORDINAL_AFTER_FIRST}\s+(?:time\s+)?"
    r"(?:dose|cycle|infusion|administration|treatment|course))"
)
_LATER_CYCLE = re.compile(rf"\s*of\s+(?:the\s+)?(?:{_ORDINAL_AFTER_FIRST}\s+cycle|cycle\s*(?:[2-9]|\d\d))")

# Every expression starts at the start of a word: the lookbehind, tried first, turns away the other positions
# of a window before the alternatives are tried there one by one (a fifth of the time of find_days).
_EXPRESSIONS = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(
        [
            # stated but vague
            r"(?P<vague>\b(?:the\s+)?(?:next|following|subsequent|several|few|coming|many)\s+(?:days?|weeks?|months?|cycles?)"
            rf"|\bafter\s+(?:cycle\s+\w+|{_NUMBER}\s+(?:further\s+)?cycles?)|\bwithin\s+days\b|\b(?:at\s+)?baseline\b"
            # a span of time, not a time after the first dose: "in recent 1 month", "over the past 2 weeks"
            rf"|\b(?:in\s+(?:the\s+)?(?:recent|past|last)|over\s+(?:the\s+)?(?:past|last))\s+{_NUMBER}\s+{_UNIT}\b)",
            # "Day 7", "day 10 of the first cycle", "post-treatment day 3", "day +23" (cell therapy), "on D8"
            r"(?P<dayn>\bday\s*\+?\s*(?P<daynum>\d{1,4})\b|(?<=on |by |at )d\+?(?P<dnum>\d{1,3})\b)",
            # "C1D8": a day of the first cycle (of a later cycle it depends on the cycle's length: stated, unknown)
            r"(?P<cycleday>\bc(?P<cycle>\d{1,2})\s*d(?P<cycledaynum>\d{1,2})\b)",
            # "week 6", "at week 12"
            r"(?P<weekn>\bweek\s*(?P<weeknum>\d{1,3})\b)",
            # "on the third day"
            rf"(?P<ordinal>\b(?P<ordinalnum>{_ORDINALS})\s+day\b)",
            # "within hours", "hours after the infusion"
            r"(?P<hours>\b(?:within|after|in)\s+(?:a\s+few\s+|several\s+|some\s+)?hours\b|\bhours\s+(?:after|of|following|later))",
            # "within 24-48 hours", "2 to 3 weeks"
            rf"(?P<range>\b(?P<rangenum>{_NUMBER})\s*(?:-|to)\s*{_NUMBER}\s*(?P<rangeunit>{_UNIT})\b)",
            # "6 days", "one week", "1 month", "a month"
            rf"(?P<amount>\b(?P<amountnum>{_NUMBER})[\s-]*(?P<amountunit>{_UNIT})\b(?![\s-]*(?:old|of\s+age)))",
        ]
    )
    + ")"
)
# Dosing intervals and frequencies are not times: "every 2 weeks", "twice a day", "q3 weeks", "per day".
_FREQUENCY_BEFORE = re.compile(r"(?:every|each|per|q|twice|once|times|/)\s*$")


class DayMention(NamedTuple):
    day: int | None  # days after the first dose; None when the phrase is vague or counted from elsewhere
    start: int
    end: int


def _number(word: str) -> float:
    return _NUMBER_WORDS[word] if word in _NUMBER_WORDS else float(word)


def _days(amount: str, unit: str) -> int:
    return int(_number(amount) * _DAYS_PER_UNIT[unit.rstrip("s")])


# Every expression contains a unit word; the full expression is tried only in a window around one, which is
# ten times faster than trying its alternatives at every position of the text.
# (hours, hrs, days, weeks, months, years, cycles, baseline, "6h", "6 h"; one alternative per unit word and per
# digit before "h", each starting with its own letter or digit: the regex engine skips ahead to the next such
# character, and there passes over the alternatives that start with another at a glance; 3.6-6.3% of extraction
# against the plain expression, benchmarks/devices.py, December 2026)
_UNIT_WORD = re.compile(
    "|".join(
        [rf"{unit}s?\b" for unit in ("hour", "hr", "day", "week", "month", "year", "cycle")]
        + [r"baseline\b", r"c\d{1,2} ?d\d", r"d\+?\d{1,3}\b"]
        + [rf"{digit} ?h\b" for digit in "0123456789"]
    )
)
# Every unit word begins with one of these: where they occur (substrings.py) is where _UNIT_WORD is tried
UNIT_BEGINNINGS = (
    "hour", "hr", "day", "week", "month", "year", "cycle", "baseline", "d+",
    *(f"{letter}{digit}" for letter in "cd" for digit in "0123456789"),
    *(f"{digit}{space}h" for digit in "0123456789" for space in ("", " ")),
)
_UNIT_BEGINNING_SET = frozenset(UNIT_BEGINNINGS)
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 12
_WORD_REST = re.compile(r"[a-z0-9]*")


def find_days(folded: str, start: int = 0, end: int | None = None, units: list[int] | None = None) -> list[DayMention]:
    """Time expressions in folded[start:end], in text order. `units`: where the UNIT_BEGINNINGS occur in
    folded, in order (unit_beginnings), where the caller has them."""
    end = len(folded) if end is None else end
    units = unit_beginnings(occurrences(folded, UNIT_BEGINNINGS, start, end)) if units is None else units
    found: dict[int, DayMention] = {}
    searched_to = start
    for unit in _unit_words(folded, start, end, units):
        window_start = max(searched_to, unit.start() - _WINDOW_BEFORE)
        # a window never ends inside a word or number ("day 1|3")
        window_end = _WORD_REST.match(folded, min(end, unit.end() + _WINDOW_AFTER), end).end()
        for match in _EXPRESSIONS.finditer(folded, window_start, window_end):
            if match.start() in found or _FREQUENCY_BEFORE.search(folded, max(start, match.start() - 8), match.start()):
                continue
            found[match.start()] = DayMention(_day_of(match, folded), match.start(), match.end())
            searched_to = max(searched_to, match.end())  # the next window starts after every time found
    return sorted(found.values(), key=lambda day: day.start)


def unit_beginnings(found: Occurrences) -> list[int]:
    """Where any of the UNIT_BEGINNINGS occurs, in order, from their occurrences."""
    return sorted(at for word, starts in found.items() if word in _UNIT_BEGINNING_SET for at in starts)


def _unit_words(folded: str, start: int, end: int, units: list[int]) -> Iterator[re.Match[str]]:
    """What _UNIT_WORD.finditer(folded, start, end) finds, tried only where a unit word can begin."""
    free = start  # not inside the unit word before
    for index in range(bisect.bisect_left(units, start), len(units)):  # (no copy of the document's list)
        at = units[index]
        if at >= end:
            return
        if at < free:
            continue
        unit = _UNIT_WORD.match(folded, at, end)
        if unit is not None:
            free = unit.end()
            yield unit


def _day_of(match: re.Match[str], folded: str) -> int | None:
    if match.group("vague"):
        return None
    if (match.group("amount") or match.group("range")) and _statistic_before().search(
        folded, max(0, match.start() - _STATISTIC_REACH), match.start()
    ):
        return None
    if _OTHER_ANCHOR.match(folded, match.end()):
        return None
    if match.group("dayn"):
        return None if _LATER_CYCLE.match(folded, match.end()) else int(match.group("daynum") or match.group("dnum"))
    if match.group("cycleday"):
        return int(match.group("cycledaynum")) if match.group("cycle") == "1" else None
    if match.group("weekn"):
        return 7 * int(match.group("weeknum"))
    if match.group("ordinal"):
        word = match.group("ordinalnum")
        return _ORDINAL_WORDS[word] if word in _ORDINAL_WORDS else int(word[:-2])
    if match.group("hours"):
        return 0
    if match.group("range"):
        return _days(match.group("rangenum"), match.group("rangeunit"))
    return _days(match.group("amountnum"), match.group("amountunit"))


_STATISTIC_REACH = 40


@cache
def _statistic_before() -> re.Pattern[str]:
    """A statistic word (lexicons/cues.tsv: "survival", "median", "follow-up") shortly before an amount, in the
    same clause: "median progression-free survival was 19.9 months" states a figure of a cohort, not a time
    in this patient's course."""
    words = "|".join(re.escape(fold(t.surface)) for t in terms("cue") if t.detail == "statistic")
    return re.compile(rf"\b(?:{words})\b[^.;]*$")


def nearest_day(days: list[DayMention], start: int, end: int) -> DayMention | None:
    """The time expression closest to the span [start, end) (ties go to the earlier one)."""
    if len(days) <= 1:
        return days[0] if days else None

    def distance(day: DayMention) -> int:
        return max(day.start - end, start - day.end, 0)

    return min(days, key=distance)
