"""Engagers a text names only by their targets: "a CD20xCD3 bispecific antibody", "a BCMA×CD3 T-cell engager",
"a bispecific T-cell engager targeting DLL3". The targets are the tumour antigens of the drug lexicon's CD3
engagers; findings.py records such a drug as an engager of that class unless the text names one by its INN.
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from typing import TYPE_CHECKING

from extractor.lexicons import engager_targets
from extractor.lexicons.folding import fold
from extractor.nlp.substrings import Occurrences, occurrences

if TYPE_CHECKING:
    from extractor.nlp.sentences import Sentence


ANCHORS = ("cd3", "bispecific", "engag", "bite", "dual")  # one of them is in every match ...
REQUIRED = ("cd3", "target", "against")  # ... and one of these ("targeting", "directed against")
WORDS = (*ANCHORS, *REQUIRED)
# A match reaches at most this far before and after its anchor word (a target and "x" before "cd3"; the
# engager words, up to 40 characters, "directed against" and a target after "bispecific").
_BEFORE, _AFTER = 24, 120


@cache
def unnamed_engager_pattern() -> re.Pattern[str]:
    """Where an engager is named by its targets: group `paired` or `targeted` holds the tumour antigen."""
    targets = "|".join(re.escape(fold(t)) for t in sorted(engager_targets(), key=len, reverse=True))
    engager = r"(?:bispecific|t[- ]?cell[- ]engag|bite\b|dual[- ]affinity)"
    return re.compile(
        rf"(?<![a-z0-9])(?P<paired>{targets})\s*(?:x|×|/|-|and)\s*cd3\b[^.;]{{0,30}}?{engager}"
        rf"|{engager}[^.;]{{0,40}}?(?:targeting|against|directed against|that targets)\s+(?P<targeted>{targets})(?![a-z0-9])"
    )


@cache
def _targets_by_folded() -> dict[str, str]:
    return {fold(target): target for target in engager_targets()}


def unnamed_engager_targets(sentences: list[Sentence], folded: str, words: Occurrences | None = None) -> list[str]:
    """Tumour antigens of engagers named by their targets only ("a CD20xCD3 bispecific antibody", "a bispecific
    T-cell engager targeting DLL3"), in sentences about the patient. `words`: the WORDS' occurrences in the text,
    when the caller has them. The pattern is tried around its anchor words only (most texts name no engager this
    way), then the sentence of each match is asked whether it is background."""
    words = occurrences(folded, WORDS) if words is None else words
    if not any(word in words for word in REQUIRED):
        return []
    anchors = sorted(at for word in ANCHORS for at in words.get(word, ()))
    if not anchors:
        return []
    by_folded = _targets_by_folded()
    starts = [sentence.span.start for sentence in sentences]
    found, seen = [], set()
    for anchor in anchors:  # the pattern is tried only around its anchor words, not along the whole text
        for match in unnamed_engager_pattern().finditer(folded, max(0, anchor - _BEFORE), anchor + _AFTER):
            index = bisect.bisect_right(starts, match.start()) - 1
            if match.span() in seen or index < 0 or match.end() > sentences[index].span.end \
                    or sentences[index].background:
                continue
            seen.add(match.span())
            found.append(by_folded[match.group("paired") or match.group("targeted")])
    return list(dict.fromkeys(found))

