#!/usr/bin/env python3
"""Where the time goes: one benchmark measurement under cProfile, the top functions printed.

    python benchmarks/profile_figure.py extraction [--documents 2000]
    python benchmarks/profile_figure.py parsing [--documents 5000]
    python benchmarks/profile_figure.py kb [--cases 100000]
    py-spy record -o extraction.svg -- python benchmarks/profile_figure.py extraction   (a flame graph)

Same inputs as benchmarks/run.py (generated into benchmarks/.cache/). cProfile slows pure-Python code more
than C code, so read the split between functions, not the absolute times; run.py gives the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Run as a script, Python puts benchmarks/ itself first on the path, where these module names could shadow
# others (profile_figure imports cProfile, which imports `profile`); the repository root is what is meant.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import kb_scale  # noqa: E402
from benchmarks.corpus import pubmed_xml_file  # noqa: E402


def profile_extraction(documents: int) -> cProfile.Profile:
    from extractor.nlp import extract_findings, extract_many
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    path = pubmed_xml_file(documents)
    extract_findings(next(iter(iter_pubmed_xml(path))))  # load the pipeline outside the profile
    profiler = cProfile.Profile()
    profiler.runcall(lambda: list(extract_many(iter_pubmed_xml(path))))
    return profiler


def profile_parsing(documents: int) -> cProfile.Profile:
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    path = pubmed_xml_file(documents)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: sum(1 for _ in iter_pubmed_xml(path)))
    return profiler


def profile_kb(cases: int) -> cProfile.Profile:
    if not (kb_scale.synthetic_kb_dir(cases) / "findings.jsonl").is_file():
        kb_scale.generate_kb(cases)
    profiler = cProfile.Profile()
    profiler.runcall(kb_scale.measure_kb, cases)
    return profiler


def top_functions(profiler: cProfile.Profile, sort: str, limit: int) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(limit)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("extraction", "parsing", "kb"))
    parser.add_argument("--documents", type=int, default=2000, help="abstracts for extraction/parsing")
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases for kb")
    parser.add_argument("--sort", default="tottime", help="pstats sort key: tottime (own time) or cumulative")
    parser.add_argument("--limit", type=int, default=30)
    options = parser.parse_args()
    if options.what == "extraction":
        profiler = profile_extraction(options.documents)
    elif options.what == "parsing":
        profiler = profile_parsing(options.documents)
    else:
        profiler = profile_kb(options.cases)
    print(top_functions(profiler, options.sort, options.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
