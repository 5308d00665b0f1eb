#!/usr/bin/env python3
"""flarekb benchmarks: print the figures, write them as JSON, and say which targets they meet.

    python benchmarks/run.py            full run (the figures in BENCHMARKS.md), about 20 minutes
    python benchmarks/run.py --quick    the same figures on small inputs, under 2 minutes
    python benchmarks/run.py --only extraction parsing --repeats 5

Every figure is the median of several runs, each run in a fresh child process that also reports its own
peak memory. Inputs are generated at run time from ../shared (the development corpus) into
benchmarks/.cache/. The speed targets live here, never in a timed test.
"""

from __future__ import annotations

import argparse
import json
import math
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

from benchmarks import extraction, kb_scale, parsing, refresh  # noqa: E402
from benchmarks.common import Target, last_line, machine  # noqa: E402
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


FULL = Plan(extraction_docs=5_000, parse_records=5_000, memory_records=(3_000, 30_000), refresh_ids=1_000,
            kb_sizes=(1_000, 10_000, 100_000), repeats=5, kb_repeats=3)
QUICK = Plan(extraction_docs=500, parse_records=1_000, memory_records=(300, 3_000), refresh_ids=1_000,
             kb_sizes=(1_000, 10_000), repeats=3, kb_repeats=3)

FIGURES: dict[str, Callable[[Plan, Callable[[str], None]], dict]] = {
    "extraction": extraction.run,
    "parsing": parsing.run,
    "refresh": refresh.run,
    "kb_scale": kb_scale.run,
}


# -- targets: what "fast enough" means, checked against the figures --------------------------------------


def check_targets(figures: dict, plan: Plan) -> list[Target]:
    targets: list[Target] = []
    if "extraction" in figures:
        median = figures["extraction"]["extraction_1_process"]["median"]
        what = "full extraction vs floor (lxml + scispaCy tokenizer), 1 process"
        if median is None:
            targets.append(Target("extraction", what, "<= 3.0x the floor's time", "failed", False))
        else:
            times = median["times_floor"]
            targets.append(Target("extraction", what, "<= 3.0x the floor's time", f"{times:.2f}x", times <= 3.0))
    if "parsing" in figures:
        speedup = figures["parsing"]["speed"]["flarekb_over_biopython"]
        targets.append(Target("parsing", "records/s of flarekb's parser vs Biopython (Bio.Entrez.read; Entrez.parse refuses PubMed sets)",
                              ">= 5x", f"{speedup:.2f}x", speedup >= 5.0))
        growth = figures["parsing"]["memory"]["peak_rss_growth"]
        small, large = plan.memory_records
        targets.append(Target("parsing", f"peak RSS parsing {large:,} records / {small:,} records",
                              "<= 1.10 (constant memory)", f"{growth:.3f}", growth <= 1.10))
    if "refresh" in figures:
        targets += refresh_targets(figures["refresh"], plan)
    if "kb_scale" in figures:
        targets += kb_scale.targets(figures["kb_scale"])
    return targets


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
        results["figures"][name] = FIGURES[name](plan, log)
        # Other work on the machine slows every figure; a load above the core count means it was busy.
        results["figures"][name]["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    targets = check_targets(results["figures"], plan)
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
    if "extraction" in figures:
        lines += extraction_lines(figures["extraction"])
    if "parsing" in figures:
        lines += parsing_lines(figures["parsing"])
    if "refresh" in figures:
        lines += refresh_lines(figures["refresh"])
    if "kb_scale" in figures:
        lines += kb_scale.report_lines(figures["kb_scale"])
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


def extraction_lines(figure: dict) -> list[str]:
    lines = [f"extraction ({figure['input']['documents']:,} abstracts, median of {len(figure['floor']['runs'])} runs):",
             f"  {'':<24}{'docs/s':>10}{'tokens/s':>12}{'x floor':>9}{'peak MB':>9}"]
    for name in ("floor", "extraction_1_process", "extraction_2_processes"):
        median = figure[name]["median"]
        if median is None:
            lines.append(f"  {name:<24}FAILED: {last_line(figure[name]['error'])}")
            continue
        times = f"{median.get('times_floor', 1.0):.2f}"
        lines.append(f"  {name:<24}{median['docs_per_s']:>10,.0f}{median['tokens_per_s']:>12,}{times:>9}"
                     f"{median['peak_rss_mb']:>9,.0f}")
    return lines + [""]


def parsing_lines(figure: dict) -> list[str]:
    speed, memory = figure["speed"], figure["memory"]
    lines = [f"PubMed XML parsing ({speed['flarekb']['median']['records']:,} records, "
             f"{speed['flarekb']['median']['file_mb']} MB):",
             f"  {'':<26}{'records/s':>11}{'MB/s':>8}{'peak MB':>9}"]
    for name in ("flarekb", "biopython"):
        median = speed[name]["median"]
        lines.append(f"  {name:<26}{median['records_per_s']:>11,.0f}{median['mb_per_s']:>8}{median['peak_rss_mb']:>9,.0f}")
    lines.append(f"  flarekb / Biopython: {speed['flarekb_over_biopython']:.2f}x")
    for name, runs in memory.items():
        if isinstance(runs, dict):
            median = runs["median"]
            lines.append(f"  {name:<26}{median['records_per_s']:>11,.0f}{median['mb_per_s']:>8}{median['peak_rss_mb']:>9,.0f}")
    lines.append(f"  peak RSS growth from the small file to the large: {memory['peak_rss_growth']:.3f}x")
    return lines + [""]


def refresh_targets(figure: dict, plan: Plan) -> list[Target]:
    """Judged on what users run (`flarekb refresh`), or on the fetch layer while the command is missing."""
    way = "flarekb_refresh" if "flarekb_refresh" in figure else "fetch_only"
    expected = math.ceil(plan.refresh_ids / 200)  # efetch takes up to 200 ids per request
    if "error" in figure[way]:
        return [Target("refresh", f"{way} of {plan.refresh_ids:,} PMIDs", "runs", "failed", False)]
    first, second = figure[way]["first"], figure[way]["second"]
    return [
        Target("refresh", f"efetch requests for {plan.refresh_ids:,} PMIDs ({way})", f"{expected}",
               f"{first['efetch_requests']:g}", first["efetch_requests"] == expected),
        Target("refresh", f"requests on a second refresh of the same ids ({way})", "0",
               f"{second['requests']:g}", second["requests"] == 0),
        Target("refresh", "most requests within any 1 s at the server", "<= 3", f"{first['max_requests_in_1_s']:g}",
               first["max_requests_in_1_s"] <= 3),
    ]


def refresh_lines(figure: dict) -> list[str]:
    lines = [f"refresh ({figure['input']['ids']:,} PMIDs from a local server, {figure['input']['rate']}):"]
    for way in ("fetch_only", "flarekb_refresh"):
        if way not in figure:
            continue
        if "error" in figure[way]:
            lines.append(f"  {way:<16} FAILED: {last_line(figure[way]['error'])}")
            continue
        for name in ("first", "second"):
            median = figure[way][name]
            lines.append(f"  {way:<16} {name:<6} {median['requests']:>3g} requests ({median['efetch_requests']:g} efetch, "
                         f"at most {median['max_requests_in_1_s']:g} in 1 s), {median['seconds']:6.2f} s wall")
    return lines + [""]


if __name__ == "__main__":
    sys.exit(main())
