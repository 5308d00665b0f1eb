"""How many patients a text reports on: a case report is 1; "two cases", "45 patients", "n = 45" say more.

The count is the largest number of patients, cases, subjects or participants stated in a sentence about the
text's own patients (background sentences quote other studies' cohorts and do not count).
"""

from __future__ import annotations

import re

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBER = rf"(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS[:9])}))?|{'|'.join(_UNITS)})"
_COUNT = re.compile(
    r"(?<![\w.,%])(?:n\s*=\s*(?P<n>\d{1,6})|(?P<count>\d{1,6}|" + _WORD_NUMBER + r")\s+"
    r"(?:(?:consecutive|evaluable|eligible|adult|pediatric|paediatric|additional|more|other)\s+)?"
    r"(?:patients|cases|subjects|participants|pts)\b)"
)


def _value(number: str) -> int:
    """ "45", "forty-five", "seven" as a number."""
    if number.isdigit():
        return int(number)
    words = number.replace("-", " ").split()
    value = 0
    for word in words:
        value += (_TENS.index(word) + 2) * 10 if word in _TENS else _UNITS.index(word) + 1
    return value


def patients_counted(sentence_texts: list[str]) -> int:
    """The number of patients the sentences (folded, about the text's own patients) report, at least 1."""
    counts = [1]
    for text in sentence_texts:
        for match in _COUNT.finditer(text):
            number = match.group("n") or match.group("count")
            counts.append(_value(number))
    return max(counts)
