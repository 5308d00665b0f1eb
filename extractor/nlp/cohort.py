"""How many patients a text reports on: a case report is 1; "two cases", "45 patients", "n = 45" say more.

The count is the largest number of patients, cases, subjects or participants stated in a sentence about the
text's own patients (background sentences quote other studies' cohorts and do not count).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator

from extractor.nlp.substrings import Occurrences, occurrences
from extractor.nlp.text import Span

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBER = rf"(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS[:9])}))?|{'|'.join(_UNITS)})"
# The nouns are found first (substrings.py), then the count right before each is read backwards; "n = 38" is
# read after its "n".
NOUNS = ("patients", "cases", "subjects", "participants", "pts")
_N_EQUALS = re.compile(r"n\s*=\s*(\d{1,6})\b")
_QUALIFIERS = ("consecutive", "evaluable", "eligible", "adult", "pediatric", "paediatric", "additional", "more", "other")
_COUNT_BEFORE = re.compile(
    r"(?<![\w.,%])(?P<count>\d{1,6}|" + _WORD_NUMBER + rf")\s+(?:(?:{'|'.join(_QUALIFIERS)})\s+)?$"
)
_REACH = 40  # characters before the noun: "forty-seven consecutive " and a little more


def _value(number: str) -> int:
    """ "45", "forty-five", "seven" as a number."""
    if number.isdigit():
        return int(number)
    words = number.replace("-", " ").split()
    value = 0
    for word in words:
        value += (_TENS.index(word) + 2) * 10 if word in _TENS else _UNITS.index(word) + 1
    return value


def patients_counted(
    folded: str, sentences: list[Span], about_others: Callable[[int], bool], nouns: Occurrences | None = None
) -> int:
    """The number of patients the text reports, at least 1: the largest count stated in the folded text, in a
    sentence (`sentences`, their spans in order) that is not about other studies (`about_others(index)`).
    `nouns`: the NOUNS' occurrences in the text, when the caller has them. Most texts state no count, and then
    no sentence is asked about."""
    counts = [1]
    starts = [span.start for span in sentences]
    for at, number in _stated_counts(folded, nouns):
        index = bisect.bisect_right(starts, at) - 1
        if index < 0 or at >= sentences[index].end or about_others(index):
            continue
        counts.append(_value(number))
    return max(counts)


_LAST_WORDS = frozenset(_UNITS + _TENS + _QUALIFIERS)


def _may_count(folded: str, at: int) -> bool:
    """Whether _COUNT_BEFORE can match before the noun at `at`, read from the one word before it: the count's
    digits or last number word, or a qualifier, then whitespace (most nouns follow "the", "of", "in": no search)."""
    end = at
    while end > 0 and folded[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and folded[start - 1].isalnum():
        start -= 1
    word = folded[start:end]
    return end < at and (word.isdigit() or word in _LAST_WORDS)


def _stated_counts(folded: str, nouns: Occurrences | None = None) -> Iterator[tuple[int, str]]:
    """(where, the number as written) of every "45 patients", "forty-five cases", "n = 38" in the text."""
    nouns = occurrences(folded, NOUNS) if nouns is None else nouns
    for noun in NOUNS:
        after = 0
        for at in nouns.get(noun, ()):
            if at < after:  # inside the noun before (as str.find from its end would skip it)
                continue
            after = at + len(noun)
            if (at == 0 or not folded[at - 1].isalnum()) and (after == len(folded) or not folded[after].isalnum()) \
                    and _may_count(folded, at):
                before = _COUNT_BEFORE.search(folded, max(0, at - _REACH), at)
                if before is not None:
                    yield at, before.group("count")
    for equals in _N_EQUALS.finditer(folded) if "=" in folded else ():
        if equals.start() == 0 or not folded[equals.start() - 1].isalnum():
            yield equals.start(), equals.group(1)
