"""Issue 16 point 4: no input makes extraction quadratic. The work is counted, not timed: every Python and C
function call the extraction makes (sys.setprofile), for a text and for the same text four times over. Linear
work grows 4x; the per-sentence rules on one unbounded sentence grew 16x. (Time and memory at 0.1, 1 and
10 MB are figures in BENCHMARKS.md, from benchmarks/hostile_text.py.)"""

from __future__ import annotations

import sys

import pytest

from benchmarks.hostile_text import HOSTILE_TEXTS, hostile_document
from extractor.nlp import extract_findings, warm_up

SMALL = 8_000  # characters: four times the sentence bound, so the small text is already cut into pieces
GROWTH_LIMIT = 6.0  # at 4x the input; linear is 4, the quadratic step was 16


def calls_to_extract(text_kind: str, size: int) -> int:
    document = hostile_document(text_kind, size)
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        extract_findings(document)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("text_kind", sorted(HOSTILE_TEXTS))
def test_extraction_work_grows_linearly_with_the_text(text_kind: str) -> None:
    warm_up()
    calls_to_extract(text_kind, SMALL)  # lexicon caches filled: both counts below are of the same work
    small, large = calls_to_extract(text_kind, SMALL), calls_to_extract(text_kind, 4 * SMALL)
    assert large / small < GROWTH_LIMIT, f"{text_kind}: {small} calls at {SMALL} chars, {large} at 4x"
