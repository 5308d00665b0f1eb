"""How many patients a text reports on: a case report is 1; "two cases", "45 patients", "n = 45" say more.

The count is the largest number of patients, cases, subjects or participants stated in a sentence about the
text's own patients (background sentences quote other studies' cohorts and do not count).
"""

from __future__ import annotations

import re

_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
_COUNT = re.compile(
    r"(?<![\w.,%])(?:n\s*=\s*(?P<n>\d{1,6})|(?P<count>\d{1,6}|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:(?:consecutive|evaluable|eligible|adult|pediatric|paediatric|additional|more|other)\s+)?"
    r"(?:patients|cases|subjects|participants|pts)\b)"
)


def patients_counted(sentence_texts: list[str]) -> int:
    """The number of patients the sentences (folded, about the text's own patients) report, at least 1."""
    counts = [1]
    for text in sentence_texts:
        for match in _COUNT.finditer(text):
            number = match.group("n") or match.group("count")
            counts.append(int(number) if number.isdigit() else _NUMBER_WORDS.index(number) + 1)
    return max(counts)
