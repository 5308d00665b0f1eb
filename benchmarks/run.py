#!/usr/bin/env python3
"""flarekb benchmarks: print the figures, write them as JSON, and say which targets they meet.

    python benchmarks/run.py            full run (the figures in BENCHMARKS.md), about 7 minutes on 2 cores
    python benchmarks/run.py --quick    the same figures on small inputs, under 2 minutes
    python benchmarks/run.py --only extraction parsing --repeats 5

Every figure is the median of several runs, each run in a fresh child process that also reports its own
peak memory. Inputs are generated at run time from ../shared (the development corpus) into
benchmarks/.cache/. The speed targets live here, never in a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Run as a script, Python puts benchmarks/ itself first on the path, where these module names could shadow
# others (profile_figure imports cProfile, which imports `profile`); the repository root is what is meant.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import extraction, hostile, kb_scale, parsing, refresh, scan  # noqa: E402
from benchmarks.common import Target, machine  # noqa: E402
from benchmarks.corpus import shared_dir  # noqa: E402

RESULTS_DIR = REPO / "benchmarks" / "results"


@dataclass(frozen=True)
class Plan:
    """How big each figure's input is and how often each measurement repeats."""

    extraction_docs: int
    parse_records: int
    memory_records: tuple[int, int]  # the constant-memory check: same parser, two file sizes
    refresh_ids: int
    kb_sizes: tuple[int, ...]
    repeats: int
    kb_repeats: int  # the 100k-case knowledge base takes over a minute per run
    scan_records: int = 30_000  # records in the scan's baseline-sized file
    scan_files: int = 4  # copies of it for the 1- vs 2-worker Dask figure


FULL = Plan(extraction_docs=5_000, parse_records=5_000, memory_records=(3_000, 30_000), refresh_ids=1_000,
            kb_sizes=(1_000, 10_000, 100_000), repeats=5, kb_repeats=3)
QUICK = Plan(extraction_docs=500, parse_records=1_000, memory_records=(300, 1_500), refresh_ids=1_000,
             kb_sizes=(1_000, 5_000), repeats=3, kb_repeats=3, scan_records=5_000, scan_files=4)

# Each figure's module measures it (`run(plan, log)`), judges it (`targets(figure, plan)`), and prints it
# (`report_lines(figure)`); its targets are constants at the top of that module.
FIGURES = {"extraction": extraction, "parsing": parsing, "refresh": refresh, "kb_scale": kb_scale, "hostile": hostile,
           "scan": scan}


# -- the run -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    plan = QUICK if options.quick else FULL
    if options.repeats:
        plan = replace(plan, repeats=options.repeats, kb_repeats=options.repeats)
    shared_dir()  # fail now, with the reason, if the development corpus is absent
    # spaCy's tokenizer regexes warn in every process that compiles them (spawned workers too): noise only.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::FutureWarning")
    log = _logger()
    started = time.perf_counter()
    results = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "mode": "quick" if options.quick else "full",
        "plan": asdict(plan),
        "machine": machine(),
        "figures": {},
    }
    for name in options.only or FIGURES:
        log(f"{name} ...")
        load_before = os.getloadavg()[0]
        results["figures"][name] = FIGURES[name].run(plan, log)
        # Other work on the machine slows every figure; a load above the core count means it was busy.
        results["figures"][name]["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    targets = [target for name, figure in results["figures"].items() for target in FIGURES[name].targets(figure, plan)]
    results["targets"] = [asdict(target) for target in targets]
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    output = options.output or RESULTS_DIR / f"{results['mode']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(report(results, targets))
    print(f"\nwritten to {output} in {results['total_seconds']:.0f} s")
    return 0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs: the whole run in under 2 minutes")
    parser.add_argument("--only", nargs="+", choices=list(FIGURES), help="run only these figures")
    parser.add_argument("--repeats", type=int, help="runs per measurement (the median is reported)")
    parser.add_argument("--output", type=Path, help="JSON file to write [default: benchmarks/results/MODE.json]")
    return parser.parse_args(argv)


def _logger() -> Callable[[str], None]:
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    return log


# -- the printed report ----------------------------------------------------------------------------------


def report(results: dict, targets: list[Target]) -> str:
    figures = results["figures"]
    loads = ", ".join(f"{name} {figure['load_average_1min'][0]:.1f}->{figure['load_average_1min'][1]:.1f}"
                      for name, figure in figures.items() if "load_average_1min" in figure)
    lines = [_machine_line(results["machine"]),
             f"load average (1 min) before->after each figure, on {results['machine']['usable_cores']} cores: {loads}", ""]
    for name, figure in figures.items():
        lines += FIGURES[name].report_lines(figure)
    lines += ["", "targets:"]
    for target in targets:
        verdict = "MET    " if target.met else "NOT MET"
        lines.append(f"  {verdict} {target.figure:<11} {target.what}: target {target.target}, measured {target.measured}")
    return "\n".join(lines)


def _machine_line(info: dict) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in info["packages"].items() if version)
    return (f"machine: {info['usable_cores']} cores ({info['cpu_model']}), {info['memory_gb']} GB, "
            f"Python {info['python']}; {packages}; commit {info['git_commit'][:10]}"
            f" (+{info['git_dirty_files']} changed files)")


if __name__ == "__main__":
    sys.exit(main())
