"""Instructions an extraction executes (valgrind's cachegrind), for speed changes smaller than wall-clock noise.

    python benchmarks/instructions.py                 # this checkout: extraction of 500 benchmark abstracts
    python benchmarks/instructions.py --base main     # and the same for another revision, side by side
    python benchmarks/instructions.py --stage all     # the benchmark's whole path: parsing the XML too

On a shared two-core machine one run's wall time moves by 5-10%, more than most single speed changes; the
number of instructions does not (a few million in 1,500 million between runs of the same code, from memory
addresses). So a change is measured as instructions: a process that extracts the abstracts, minus the same
process stopped before it extracts (imports, lexicons, matchers and tokenizer loaded, documents parsed), both
under `valgrind --tool=cachegrind --cache-sim=no` with PYTHONHASHSEED=0. Instructions are not time (cache
misses are not counted): the figure in BENCHMARKS.md stays the wall-clock one. Needs valgrind; each run takes
about a minute and a half (the two trees' runs go in parallel). The abstracts are figure 2's (benchmarks/corpus.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Run in the tree measured (PYTHONPATH): parse the abstracts, then extract the first `count` of them.
_WORKLOAD = """
import sys
from pathlib import Path
from extractor.nlp import extract_many, warm_up
from extractor.sources.pubmed_xml import iter_pubmed_xml
warm_up()
path, stage, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if stage == "extract":
    documents = list(iter_pubmed_xml(path))
    list(extract_many(documents[:count]))
elif count:
    list(extract_many(iter_pubmed_xml(path)))
"""
_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(tree: Path, xml: Path, stage: str, count: int) -> int:
    """Instructions of one run of the workload in `tree` (whose `extractor` package is imported)."""
    environment = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    run = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _WORKLOAD, str(xml), stage, str(count)],
        cwd=tree, env=environment, capture_output=True, text=True, check=False,
    )
    found = _TOTAL.search(run.stderr)
    if run.returncode or not found:
        raise SystemExit(f"valgrind run in {tree} failed:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure(tree: Path, xml: Path, stage: str, documents: int) -> int:
    """Instructions of the stage alone: the run minus the same run stopped before it."""
    with ThreadPoolExecutor(2) as pool:
        full, before = pool.map(lambda count: instructions(tree, xml, stage, count), (documents, 0))
    return full - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="benchmark abstracts (a file of this many is made once)")
    parser.add_argument("--stage", choices=("extract", "all"), default="extract",
                        help="extract: the rules alone (documents parsed before); all: parsing and extraction")
    parser.add_argument("--base", help="a git revision to measure as well, in a temporary worktree")
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")

    from benchmarks.corpus import pubmed_xml_file

    xml = pubmed_xml_file(options.docs).resolve()
    trees = {"this checkout": REPO}
    with tempfile.TemporaryDirectory() as scratch:
        if options.base:
            base = Path(scratch) / "base"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(base), options.base],
                           check=True)
            trees = {options.base: base, **trees}
        try:
            figures = {name: measure(tree, xml, options.stage, options.docs) for name, tree in trees.items()}
        finally:
            if options.base:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=False)
    for name, count in figures.items():
        print(f"{name:>20}: {count / 1e6:,.1f} M instructions ({options.stage}, {options.docs} abstracts), "
              f"{count / options.docs / 1e6:.2f} M a document")
    if options.base:
        base_count, this_count = figures[options.base], figures["this checkout"]
        print(f"this checkout / {options.base}: {this_count / base_count:.4f} "
              f"(runs of the same code differ by a few million instructions)")


if __name__ == "__main__":
    main()
