"""Engagers a text names only by their targets: "a CD20xCD3 bispecific antibody", "a BCMA×CD3 T-cell engager",
"a bispecific T-cell engager targeting DLL3". The targets are the tumour antigens of the drug lexicon's CD3
engagers; findings.py records such a drug as an engager of that class unless the text names one by its INN.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from extractor.lexicons import engager_targets
from extractor.lexicons.folding import fold

if TYPE_CHECKING:
    from extractor.nlp.sentences import Sentence


_WORDS = ("cd3", "bispecific", "engag", "bite", "dual")  # one of them is in every match


@cache
def unnamed_engager_pattern() -> re.Pattern[str]:
    """Where an engager is named by its targets: group `paired` or `targeted` holds the tumour antigen."""
    targets = "|".join(re.escape(fold(t)) for t in sorted(engager_targets(), key=len, reverse=True))
    engager = r"(?:bispecific|t[- ]?cell[- ]engag|bite\b|dual[- ]affinity)"
    return re.compile(
        rf"(?<![a-z0-9])(?P<paired>{targets})\s*(?:x|×|/|-|and)\s*cd3\b[^.;]{{0,30}}?{engager}"
        rf"|{engager}[^.;]{{0,40}}?(?:targeting|against|directed against|that targets)\s+(?P<targeted>{targets})(?![a-z0-9])"
    )


def unnamed_engager_targets(sentences: list[Sentence], folded: str) -> list[str]:
    """Tumour antigens of engagers named by their targets only ("a CD20xCD3 bispecific antibody", "a bispecific
    T-cell engager targeting DLL3"), in sentences about the patient."""
    by_folded = {fold(t): t for t in engager_targets()}
    found = []
    for sentence in sentences:
        text = folded[sentence.span.start : sentence.span.end]
        if sentence.background or not any(word in text for word in _WORDS):  # (most sentences: a glance)
            continue
        for match in unnamed_engager_pattern().finditer(folded, sentence.span.start, sentence.span.end):
            found.append(by_folded[match.group("paired") or match.group("targeted")])
    return list(dict.fromkeys(found))
