#!/usr/bin/env python3
"""Extraction of hostile text (issue 16 point 4): time and peak memory at 0.1, 1 and 10 MB.

    .venv/bin/python benchmarks/hostile_text.py            # 0.1, 1 and 10 MB of each text, ~10 minutes
    .venv/bin/python benchmarks/hostile_text.py 0.1 1      # sizes in MB

Three texts that made extraction quadratic before sentences were bounded (nlp/text.py MAX_SENTENCE_CHARS):
one unpunctuated sentence naming many markers, one abbreviation defined over and over, and one paragraph of
case text with no line break. Each figure is one run in a fresh child process (common.run_in_child), which
reports its own peak resident memory. tests/nlp/test_linear_extraction.py checks the growth by counting calls.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from extractor.models import Document, Passage  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "hostile_text.json"
# Each text is its unit repeated to the size asked for.
HOSTILE_TEXTS = {
    "one sentence naming markers": "after tarlatamab IL-6 increased and CRP rose and ferritin was elevated and "
                                   "LDH increased with tumor swelling on day 7 ",
    "repeated abbreviations": "interleukin-6 (IL-6) and tumor flare reaction (TFR) ",
    "one paragraph of case text": "On day 7 after the first dose of tarlatamab, CT showed marked tumour swelling "
                                  "and a new pleural effusion; serum IL-6 was elevated and CRP rose to 12 mg/dL. "
                                  "Pro-GRP decreased by day 13 (from 1,200 to 300 pg/mL). ",
}


def hostile_document(text_kind: str, size: int) -> Document:
    """A document whose body is `size` characters of the text `text_kind`."""
    unit = HOSTILE_TEXTS[text_kind]
    text = (unit * (size // len(unit) + 1))[:size]
    return Document("hostile", "text", "Pseudoprogression after tarlatamab", [Passage("text", text)])


def measure(text_kind: str, size: int) -> dict:
    """Runs in a child: extraction of one hostile document, timed (the tokenizer and lexicons loaded first)."""
    from extractor.nlp import extract_findings, warm_up

    warm_up()
    document = hostile_document(text_kind, size)
    started = time.perf_counter()
    findings = extract_findings(document)
    return {"seconds": round(time.perf_counter() - started, 2), "markers": len(findings.markers)}


def main(sizes_mb: list[float]) -> None:
    from benchmarks.common import machine, run_in_child

    rows = []
    for text_kind in HOSTILE_TEXTS:
        for size_mb in sizes_mb:
            result = run_in_child(measure, text_kind, int(size_mb * 1_000_000))
            rows.append({"text": text_kind, "mb": size_mb, **result})
            print(f"{text_kind:<30} {size_mb:>5g} MB  {result['seconds']:>7.2f} s  {result['peak_rss_mb']:>7.1f} MB peak",
                  flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main([float(value) for value in sys.argv[1:]] or [0.1, 1.0, 10.0])
