"""Figure 5: the knowledge base at 1k, 10k and 100k synthetic cases.

Synthetic findings look like extracted ones: each case received one engager (a few engagers are much more
common than the rest, as in the literature) and sometimes other drugs, has a disease, a flare in 60% of
cases with 1-3 manifestations, 1-6 markers with a direction and a day, and evidence sentences drawn from
the real corpus. Names come from flarekb's own lexicons. They are generated once per size into
benchmarks/.cache/ as a kb/findings.jsonl, so every run starts from the same file on disk.

Per size, in one child process: load kb/ (what every query command does first), save it (the atomic
write `build` and `refresh` end with), build the networkx graph with its signatures, answer `markers
--drug` for the most common drug, export GraphML. Peak memory covers all of it.
"""

from __future__ import annotations

import math
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import CACHE_DIR, Stopwatch, Target, interleaved_runs, run_in_child
from benchmarks.corpus import FIRST_PMID, lexicon_rows, real_material, shared_dir

FINDINGS_VERSION = 1
FLARE_SHARE = 0.6
QUERY_REPEATS = 20
MARKERS_QUERY_LIMIT_MS = 50
PEAK_MEMORY_LIMIT_MB = 2048
LINEAR_ENOUGH_SLOPE = 1.2  # log-log growth of build time between the two largest sizes; 1.0 is linear


# -- synthetic findings ------------------------------------------------------------------------------------


def synthetic_findings(count: int) -> list:
    """`count` CaseFindings, the same for the same count (seeded)."""
    from extractor.models import CaseFindings, Drug, Flare, MarkerFinding

    rng = random.Random(count)
    material = real_material(shared_dir())
    drugs = [Drug(row["name"], row["role"], [t for t in row.get("targets", "").split(";") if t])
             for row in lexicon_rows("drugs.tsv")]
    engagers = [drug for drug in drugs if drug.role == "engager"]
    others = [drug for drug in drugs if drug.role != "engager"]
    engager_weights = [1 / rank for rank in range(1, len(engagers) + 1)]  # Zipf: a few drugs dominate
    markers = [(row["marker"], row["kind"]) for row in lexicon_rows("markers.tsv")]
    manifestations = [row["manifestation"] for row in lexicon_rows("manifestations.tsv")]
    diseases = [row["disease"] for row in lexicon_rows("diseases.tsv")]
    cases = []
    for index in range(count):
        pmid = str(FIRST_PMID + index)
        received = [rng.choices(engagers, engager_weights)[0], *rng.sample(others, rng.choice((0, 0, 1, 2)))]
        flare = Flare()
        onset = rng.choice((None, *range(0, 29)))
        if rng.random() < FLARE_SHARE:
            flare = Flare(True, onset, rng.sample(manifestations, rng.randint(1, 3)),
                          [rng.choice(material.sentences) for _ in range(rng.randint(1, 2))], received[0].name)
        found = []
        for name, kind in rng.sample(markers, rng.randint(1, 6)):
            direction = rng.choice(("increased", "decreased", "normal") if kind == "level" else ("positive", "negative"))
            start = rng.randint(0, 1500)
            found.append(MarkerFinding(name, direction, rng.choice((None, *range(0, 60))),
                                       rng.choice(material.sentences), start, start + len(name)))
        cases.append(CaseFindings(
            id=pmid, pmid=pmid, pmcid=None, doi=f"10.5555/flarekb-bench.{pmid}", title=rng.choice(material.titles),
            source="pubmed-xml", drugs=received, disease=rng.choice(diseases), flare=flare, markers=found,
            resolution_day=(onset + rng.randint(5, 60)) if flare.reported and onset is not None else None,
        ))
    return cases


def generate_kb(count: int) -> dict:
    """Write the synthetic kb/ of `count` cases into the cache (runs in a child: it is big)."""
    from extractor.graph import store

    kb_dir = synthetic_kb_dir(count)
    temporary = kb_dir.with_name(kb_dir.name + ".tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    store.save(temporary, synthetic_findings(count))
    temporary.replace(kb_dir)
    return {"cases": count}


def synthetic_kb_dir(count: int) -> Path:
    return CACHE_DIR / f"kb_{count}_v{FINDINGS_VERSION}"


# -- one size, one process -------------------------------------------------------------------------------------


def measure_kb(count: int) -> dict:
    from extractor.graph import store
    from extractor.graph.build import build_graph
    from extractor.graph.export import write_graphml

    source = synthetic_kb_dir(count)
    workdir = Path(tempfile.mkdtemp(prefix="flarekb-bench-kb-"))
    try:
        with Stopwatch() as load:
            stored = store.load(source)
        findings = stored.findings
        with Stopwatch() as save:
            store.save(workdir / "kb", findings, stored.manifest)
        with Stopwatch() as graph_time:
            graph = build_graph(findings)
        drug = _first_engager(findings)
        first_ms, warm_ms, rows = _markers_query_latency(findings, drug)
        with Stopwatch() as graphml:
            write_graphml(graph, workdir / "kb.graphml")
        return {
            "cases": len(findings),
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "load_s": round(load.seconds, 4),
            "save_s": round(save.seconds, 4),
            "graph_s": round(graph_time.seconds, 4),
            "build_s": round(save.seconds + graph_time.seconds, 4),
            "markers_drug": drug,
            "markers_rows": rows,
            "markers_first_ms": round(first_ms, 3),
            "markers_ms": round(warm_ms, 3),
            "graphml_s": round(graphml.seconds, 4),
            "graphml_mb": round((workdir / "kb.graphml").stat().st_size / 2**20, 2),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _first_engager(findings) -> str:
    """The drug with the most flare cases: the largest answer, so the slowest honest query."""
    counts: dict[str, int] = {}
    for case in findings:
        if case.flare.reported and case.flare.drug:
            counts[case.flare.drug] = counts.get(case.flare.drug, 0) + 1
    return max(counts, key=counts.get)


def _markers_query_latency(findings, drug: str) -> tuple[float, float, int]:
    """`flarekb markers --drug` on a loaded knowledge base: the first answer, then the median of repeats (ms)."""
    from extractor.graph.queries import markers_with_flare

    timings = []
    rows = []
    for _ in range(QUERY_REPEATS + 1):
        started = time.perf_counter()
        rows = markers_with_flare(findings, {drug})
        timings.append((time.perf_counter() - started) * 1000)
    return timings[0], statistics.median(timings[1:]), len(rows)


# -- the figure ---------------------------------------------------------------------------------------------------


def run(plan, log) -> dict:
    for count in plan.kb_sizes:
        if not (synthetic_kb_dir(count) / "findings.jsonl").is_file():
            log(f"  kb_scale: generating {count:,} synthetic cases")
            run_in_child(generate_kb, count)
    log(f"  kb_scale: sizes {', '.join(f'{n:,}' for n in plan.kb_sizes)}")
    runs = interleaved_runs({f"{count}_cases": (measure_kb, (count,)) for count in plan.kb_sizes}, plan.repeats, log)
    figure = {"sizes": list(plan.kb_sizes), **runs, "growth": growth(runs, plan.kb_sizes)}
    return figure


GROWTH_METRICS = ("load_s", "build_s", "graph_s", "markers_ms", "graphml_s", "graphml_mb", "peak_rss_mb")


def growth(runs: dict, sizes: tuple[int, ...]) -> dict:
    """Log-log slope of each metric between consecutive sizes: 1.0 grows linearly, 2.0 quadratically."""
    slopes = {}
    for small, large in zip(sizes, sizes[1:]):
        a, b = runs[f"{small}_cases"]["median"], runs[f"{large}_cases"]["median"]
        slopes[f"{small}->{large}"] = {
            metric: round(math.log(b[metric] / a[metric]) / math.log(large / small), 2)
            for metric in GROWTH_METRICS
            if a.get(metric) and b.get(metric)
        }
    return slopes


def targets(figure: dict) -> list:
    largest = figure["sizes"][-1]
    median = figure[f"{largest}_cases"]["median"]
    found = [
        Target("kb_scale", f"markers query at {largest:,} cases (warm median)", f"< {MARKERS_QUERY_LIMIT_MS} ms",
               f"{median['markers_ms']:.1f} ms", median["markers_ms"] < MARKERS_QUERY_LIMIT_MS),
        Target("kb_scale", f"markers query at {largest:,} cases (first call)", f"< {MARKERS_QUERY_LIMIT_MS} ms",
               f"{median['markers_first_ms']:.1f} ms", median["markers_first_ms"] < MARKERS_QUERY_LIMIT_MS),
        Target("kb_scale", f"peak memory at {largest:,} cases", f"< {PEAK_MEMORY_LIMIT_MB} MB",
               f"{median['peak_rss_mb']:,.0f} MB", median["peak_rss_mb"] < PEAK_MEMORY_LIMIT_MB),
    ]
    if len(figure["sizes"]) > 1:
        step, slopes = list(figure["growth"].items())[-1]
        found.append(Target("kb_scale", f"growth of build time {step} (log-log slope)",
                            f"<= {LINEAR_ENOUGH_SLOPE} (1.0 = linear)", f"{slopes['build_s']:.2f}",
                            slopes["build_s"] <= LINEAR_ENOUGH_SLOPE))
    return found


def report_lines(figure: dict) -> list[str]:
    repeats = len(figure[f"{figure['sizes'][0]}_cases"]["runs"])
    lines = [f"knowledge base scale (median of {repeats} runs):",
             f"  {'cases':>8}{'nodes':>9}{'edges':>10}{'load s':>8}{'build s':>9}{'query ms':>10}{'1st ms':>8}"
             f"{'GraphML s':>11}{'GraphML MB':>12}{'peak MB':>9}"]
    for count in figure["sizes"]:
        m = figure[f"{count}_cases"]["median"]
        lines.append(f"  {count:>8,}{m['nodes']:>9,}{m['edges']:>10,}{m['load_s']:>8.2f}{m['build_s']:>9.2f}"
                     f"{m['markers_ms']:>10.1f}{m['markers_first_ms']:>8.1f}{m['graphml_s']:>11.2f}"
                     f"{m['graphml_mb']:>12.1f}{m['peak_rss_mb']:>9,.0f}")
    for step, slopes in figure["growth"].items():
        lines.append(f"  growth {step} (log-log slope, 1.0 = linear): "
                     + ", ".join(f"{metric} {slope:.2f}" for metric, slope in slopes.items()))
    return lines + [""]
