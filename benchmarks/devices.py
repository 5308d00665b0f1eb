"""A/B of the extraction's speed devices (issue 18): each device against its plain form, alternating in one
process over the same documents, median of the rounds. A device is worth its code only where this shows it pays.

    python benchmarks/devices.py [--records 3000] [--rounds 7]

Devices:
  collector   the cyclic garbage collector paused while a batch is extracted (extractor/collector.py)
  unit_word   timing's unit-word search written for speed, against the plain regular expression

Measured in December 2026 (3,000 abstracts, 5 and 9 rounds, quiet 2-core machine): collector 5.2% and 2.4%,
unit_word 6.3% and 3.6%; both kept. A third device, Mention and Span made with tuple.__new__ instead of the
NamedTuple's constructor, measured -4.7% and 2.5% (no clear gain): replaced by the plain constructor.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import pubmed_xml_file  # noqa: E402
from extractor import collector  # noqa: E402
from extractor.nlp import extract_many, timing, warm_up  # noqa: E402
from extractor.sources import read_documents  # noqa: E402

PLAIN_UNIT_WORD = re.compile(r"(?:hours?|hrs?|days?|weeks?|months?|years?|cycles?|baseline)\b|[0-9] ?h\b"
                             r"|c[0-9]{1,2} ?d[0-9]|d\+?[0-9]{1,3}\b")


def toggles():
    """device -> (switch it off, switch it back on)."""
    return {
        "collector": (lambda: setattr(collector, "_process_is_ours", False),
                      lambda: setattr(collector, "_process_is_ours", True)),
        "unit_word": (lambda: setattr(timing, "_UNIT_WORD", PLAIN_UNIT_WORD),
                      lambda: setattr(timing, "_UNIT_WORD", FAST_UNIT_WORD)),
    }


FAST_UNIT_WORD = timing._UNIT_WORD


def seconds(documents) -> float:
    started = time.perf_counter()
    for _ in extract_many(documents):
        pass
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    collector.own_process()
    documents = read_documents(pubmed_xml_file(args.records))
    warm_up()
    seconds(documents)  # caches warm
    print(f"{len(documents)} synthetic PubMed abstracts, {args.rounds} rounds, device on/off alternating")
    for name, (off, on) in toggles().items():
        with_device, without = [], []
        for _ in range(args.rounds):
            on()
            with_device.append(seconds(documents))
            off()
            without.append(seconds(documents))
        on()
        fast, plain = statistics.median(with_device), statistics.median(without)
        print(f"  {name:<10} with {fast:6.3f} s   plain {plain:6.3f} s   the device saves {100 * (plain - fast) / plain:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
