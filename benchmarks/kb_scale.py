"""Figure 5: the knowledge base at 1k, 10k and 100k synthetic cases.

Synthetic findings look like extracted ones: each case received one engager (a few engagers are much more
common than the rest, as in the literature) and sometimes other drugs, has a disease, a flare in 60% of
cases with 1-3 manifestations, 1-6 markers with a direction and a day, and evidence sentences drawn from
the real corpus. Names come from flarekb's own lexicons. They are generated once per size into
benchmarks/.cache/ as a kb/ (findings.jsonl and its index.jsonl), so every run starts from the same files.

Per size, in one child process: load kb/ (what export and the pictures do first), save it (the atomic
write `build` and `refresh` end with: findings.jsonl and its query index, kb/index.jsonl), build the query
index and the networkx graph, answer `markers --drug` for the drug with the most flare cases (the largest
answer), export GraphML. Peak memory covers all of it. The query commands read the stored index instead
(`store.open_index`): `markers --drug` is timed that way too, in process, from opening kb/ to the rows, for
the largest answer and for a typical drug (the median drug by flare cases). `flarekb markers --drug ...
--json` (both drugs, and on an empty kb/: interpreter start-up and imports alone) and `flarekb export
--format graphml` are also run as a user runs them, each in its own process, for wall time and peak memory.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from itertools import accumulate
from pathlib import Path

from benchmarks.common import CACHE_DIR, REPO, Stopwatch, Target, current_rss_mb, interleaved_runs, run_in_child
from benchmarks.corpus import FIRST_PMID, digest, lexicon_rows, real_material, shared_dir

FINDINGS_VERSION = 1
LEXICONS_USED = ("drugs.tsv", "markers.tsv", "manifestations.tsv", "diseases.tsv")
FLARE_SHARE = 0.6
QUERY_REPEATS = 20
CLI_MEMORY_POLL_S = 0.02
JSON_REPEATS = 4  # the JSON answer of the largest size takes seconds: fewer repeats
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
    for stale in CACHE_DIR.glob(f"kb_{count}_v*"):  # made from older lexicons: never read again
        shutil.rmtree(stale)
    temporary = kb_dir.with_name(kb_dir.name + ".tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    store.save(temporary, synthetic_findings(count))
    temporary.replace(kb_dir)
    return {"cases": count}


def synthetic_kb_dir(count: int) -> Path:
    # Remade when the lexicons the names come from, the findings schema or what kb/ holds change.
    sources = [REPO / "extractor" / "models.py",
               *(REPO / "extractor" / "graph" / name for name in ("store.py", "index.py", "index_file.py")),
               *(REPO / "extractor" / "lexicons" / name for name in LEXICONS_USED)]
    return CACHE_DIR / f"kb_{count}_v{FINDINGS_VERSION}_{digest(sources)}"


# -- one size, one process -------------------------------------------------------------------------------------


def measure_kb(count: int) -> dict:
    from extractor.graph import store
    from extractor.graph.build import build_graph
    from extractor.graph.export import write_export
    from extractor.graph.index import build_index

    source = synthetic_kb_dir(count)
    workdir = Path(tempfile.mkdtemp(prefix="flarekb-bench-kb-"))
    try:
        rss = {"start": current_rss_mb()}  # resident memory after each step: where the peak comes from
        with Stopwatch() as load:
            stored = store.load(source)
        rss["loaded"] = current_rss_mb()
        with Stopwatch() as save:
            store.save(workdir / "kb", stored.findings, stored.manifest)
        index_figures = _index_file_figures(stored.findings, workdir / "kb")
        rss["saved"] = current_rss_mb()
        with Stopwatch() as index_time:
            index = build_index(stored.findings)
        rss["indexed"] = current_rss_mb()
        with Stopwatch() as graph_time:
            graph = build_graph(index)
        rss["graph_built"] = current_rss_mb()
        drug, typical = _most_common_flare_drug(index), _typical_flare_drug(index)
        query = _markers_query_latency(index, drug)
        stored_query = {**_stored_markers_latency(workdir / "kb", typical, "typical"),
                        **_stored_markers_latency(workdir / "kb", drug, "largest")}
        with Stopwatch() as graphml:
            write_export(graph, "graphml", workdir / "kb.graphml")
        rss["after_graphml"] = current_rss_mb()
        cases, nodes, edges = len(stored.findings), graph.number_of_nodes(), graph.number_of_edges()
        del graph, index, stored  # the commands below run in their own processes: free the machine for them
        cli_markers_s, cli_markers_mb = _cli(["markers", "--drug", drug, "--json", "--kb", str(source)])
        cli_typical_s, cli_typical_mb = _cli(["markers", "--drug", typical, "--json", "--kb", str(source)])
        cli_startup_s, cli_startup_mb = _cli(["markers", "--drug", drug, "--json", "--kb", str(workdir / "empty")])
        cli_export_s, cli_export_mb = _cli(["export", "--format", "graphml", "-o", str(workdir / "cli.graphml"),
                                            "--kb", str(source)])
        return {
            "cases": cases,
            "nodes": nodes,
            "edges": edges,
            "load_s": round(load.seconds, 4),
            "save_s": round(save.seconds, 4),
            "index_s": round(index_time.seconds, 4),
            **index_figures,
            "graph_s": round(graph_time.seconds, 4),
            # Everything from findings in memory to a stored kb/ with its query index and graph.
            "build_s": round(save.seconds + graph_time.seconds, 4),
            **query,
            **stored_query,
            "cli_markers_s": round(cli_markers_s, 3),
            "cli_markers_peak_mb": cli_markers_mb,
            "cli_markers_typical_s": round(cli_typical_s, 3),
            "cli_markers_typical_peak_mb": cli_typical_mb,
            "cli_startup_s": round(cli_startup_s, 3),
            "cli_startup_peak_mb": cli_startup_mb,
            "graphml_s": round(graphml.seconds, 4),
            "graphml_mb": round((workdir / "kb.graphml").stat().st_size / 2**20, 2),
            "cli_export_s": round(cli_export_s, 3),
            "cli_export_peak_mb": cli_export_mb,
            **{f"rss_{step}_mb": value for step, value in rss.items()},
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _most_common_flare_drug(index) -> str:
    """The drug with the most flare cases: the largest answer, so the slowest honest query."""
    return max(index.flare_cases, key=lambda name: len(index.flare_cases[name]))


def _typical_flare_drug(index) -> str:
    """The median drug by number of flare cases (ties by name): what a query usually asks about."""
    ranked = sorted(index.flare_cases, key=lambda name: (len(index.flare_cases[name]), name))
    return ranked[len(ranked) // 2]


def _index_file_figures(findings: list, kb_dir: Path) -> dict:
    """The sizes of kb/ as `save` wrote it, and what `save` spends on the query index: the same calls on the
    same findings, as `save` makes them (collector paused): build it, encode it, write kb/index.jsonl."""
    from extractor import collector
    from extractor.atomicfile import atomic_writer
    from extractor.graph import index_file, store
    from extractor.graph.index import build_index

    with store.findings_path(kb_dir).open("rb") as lines:
        lengths = [len(line) for line in lines]
    # The cases' lines follow the manifest line, in the order of their ids.
    case_lines = dict(zip(sorted(case.id for case in findings), zip(accumulate(lengths), lengths[1:])))
    copy = kb_dir.parent / "index-copy.jsonl"
    with collector.paused():
        with Stopwatch() as build:
            index = build_index(findings)
        with Stopwatch() as encode:
            encoded = index_file.encode_index(index, case_lines, sum(lengths))
        with Stopwatch() as write, atomic_writer(copy) as handle:
            handle.writelines(encoded.lines)
    assert copy.read_bytes() == store.index_path(kb_dir).read_bytes()  # the same bytes as save wrote
    return {
        "findings_mb": round(sum(lengths) / 2**20, 2),
        "index_mb": round(store.index_path(kb_dir).stat().st_size / 2**20, 2),
        "save_index_build_s": round(build.seconds, 4),
        "save_index_encode_s": round(encode.seconds, 4),
        "save_index_write_s": round(write.seconds, 4),
        "save_index_s": round(build.seconds + encode.seconds + write.seconds, 4),
    }


def _stored_markers_latency(kb_dir: Path, drug: str, label: str) -> dict:
    """`markers --drug` as the CLI answers it (ms): open kb/ (findings manifest and index header), read the
    drug's lines of kb/index.jsonl, build the rows. The first answer and the median of repeats; the files
    were just written, so they are in the page cache, as for a user who queries a kb/ again."""
    from extractor.graph import store
    from extractor.graph.queries import markers_with_flare

    times, rows = [], []
    for _ in range(QUERY_REPEATS + 1):
        started = time.perf_counter()
        with store.open_index(kb_dir) as index:
            rows = markers_with_flare(index, drug=drug)
        times.append((time.perf_counter() - started) * 1000)
    return {
        f"stored_markers_{label}_drug": drug,
        f"stored_markers_{label}_evidence": sum(len(row.evidence) for row in rows),
        f"stored_markers_{label}_first_ms": round(times[0], 3),
        f"stored_markers_{label}_ms": round(statistics.median(times[1:]), 3),
    }


def _markers_query_latency(index, drug: str) -> dict:
    """`markers --drug` on a loaded knowledge base (ms): the first answer, the median of repeats, and the
    median of answer + the JSON the CLI prints (every evidence row of the most common drug)."""
    from extractor.graph.queries import markers_with_flare

    lookups, with_json = [], []
    rows = []
    for _ in range(QUERY_REPEATS + 1):
        started = time.perf_counter()
        rows = markers_with_flare(index, drug=drug)
        lookups.append((time.perf_counter() - started) * 1000)
    for _ in range(JSON_REPEATS + 1):
        started = time.perf_counter()
        json.dumps([asdict(row) for row in markers_with_flare(index, drug=drug)], ensure_ascii=False, indent=2)
        with_json.append((time.perf_counter() - started) * 1000)
    return {
        "markers_drug": drug,
        "markers_rows": len(rows),
        "markers_evidence": sum(len(row.evidence) for row in rows),
        "markers_first_ms": round(lookups[0], 4),
        "markers_ms": round(statistics.median(lookups[1:]), 4),
        "markers_json_ms": round(statistics.median(with_json[1:]), 3),
    }


def _cli(arguments: list[str]) -> tuple[float, float]:
    """Run `flarekb ARGUMENTS` as a user does: its wall time (s) and peak resident memory (MB).

    The peak is the child's own VmHWM, read while it runs (it only grows, and the child's address space is
    new since exec, so nothing of this big measuring process is counted)."""
    command = [sys.executable, "-m", "extractor", *arguments]
    peak_kb = 0
    with Stopwatch() as watch:
        child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while child.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm_kb(child.pid))
            time.sleep(CLI_MEMORY_POLL_S)
    if child.returncode != 0:
        raise RuntimeError(f"flarekb {' '.join(arguments)} exited {child.returncode}: {child.stderr.read()[-2000:]!r}")
    return watch.seconds, round(peak_kb / 1024, 1)


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # the process ended between poll() and the read
    return 0


# -- the figure ---------------------------------------------------------------------------------------------------


def run(plan, log) -> dict:
    for count in plan.kb_sizes:
        if not (synthetic_kb_dir(count) / "findings.jsonl").is_file():
            log(f"  kb_scale: generating {count:,} synthetic cases")
            run_in_child(generate_kb, count)
    log(f"  kb_scale: sizes {', '.join(f'{n:,}' for n in plan.kb_sizes)}")
    runs = interleaved_runs({f"{count}_cases": (measure_kb, (count,)) for count in plan.kb_sizes}, plan.kb_repeats, log)
    figure = {"sizes": list(plan.kb_sizes), **runs, "growth": growth(runs, plan.kb_sizes)}
    return figure


GROWTH_METRICS = ("load_s", "build_s", "index_s", "graph_s", "markers_json_ms", "cli_markers_s", "graphml_s",
                  "graphml_mb", "peak_rss_mb", "cli_export_s", "cli_export_peak_mb", "save_s", "save_index_s",
                  "index_mb", "stored_markers_typical_ms", "stored_markers_largest_ms", "cli_markers_typical_s")


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


def targets(figure: dict, plan) -> list[Target]:
    largest = figure["sizes"][-1]
    median = figure[f"{largest}_cases"]["median"]
    found = [
        Target("kb_scale", f"markers query at {largest:,} cases, typical drug "
               f"({median['stored_markers_typical_drug']}, {median['stored_markers_typical_evidence']:,} evidence "
               "rows): open kb/, read its lines of kb/index.jsonl, build the rows", f"< {MARKERS_QUERY_LIMIT_MS} ms",
               f"{median['stored_markers_typical_ms']:.1f} ms",
               median["stored_markers_typical_ms"] < MARKERS_QUERY_LIMIT_MS),
        Target("kb_scale", f"peak memory at {largest:,} cases, `flarekb export --format graphml` (the heaviest "
               "command)", f"< {PEAK_MEMORY_LIMIT_MB} MB", f"{median['cli_export_peak_mb']:,.0f} MB",
               median["cli_export_peak_mb"] < PEAK_MEMORY_LIMIT_MB),
        Target("kb_scale", f"peak memory at {largest:,} cases, all steps in one process (load, save, index, graph, "
               "query, GraphML)", f"< {PEAK_MEMORY_LIMIT_MB} MB", f"{median['peak_rss_mb']:,.0f} MB",
               median["peak_rss_mb"] < PEAK_MEMORY_LIMIT_MB),
    ]
    if len(figure["sizes"]) > 1:
        step, slopes = list(figure["growth"].items())[-1]
        found.append(Target("kb_scale", f"growth of build time {step} (log-log slope)",
                            f"<= {LINEAR_ENOUGH_SLOPE} (1.0 = linear)", f"{slopes['build_s']:.2f}",
                            slopes["build_s"] <= LINEAR_ENOUGH_SLOPE))
    return found


# The two tables of the report: (heading, key of a size's median, format with the column's width first); a
# heading "|" separates groups of columns.
_IN_PROCESS_COLUMNS = [
    ("nodes", "nodes", ">9,"), ("edges", "edges", ">10,"), ("load s", "load_s", ">8.2f"),
    ("build s", "build_s", ">9.2f"), ("lookup ms", "markers_ms", ">11.3f"), ("JSON ms", "markers_json_ms", ">9.1f"),
    ("GraphML s", "graphml_s", ">11.2f"), ("MB", "graphml_mb", ">7.1f"), ("peak MB", "peak_rss_mb", ">9,.0f"),
    ("|", "", ""), ("markers s", "cli_markers_s", ">10.2f"), ("MB", "cli_markers_peak_mb", ">6,.0f"),
    ("export s", "cli_export_s", ">10.2f"), ("MB", "cli_export_peak_mb", ">7,.0f"),
]
_STORED_INDEX_COLUMNS = [
    ("findings MB", "findings_mb", ">12.1f"), ("index MB", "index_mb", ">10.1f"), ("save s", "save_s", ">8.2f"),
    ("index s", "save_index_s", ">9.2f"), ("|", "", ""),
    ("typical ms", "stored_markers_typical_ms", ">11.1f"), ("rows", "stored_markers_typical_evidence", ">7,"),
    ("largest ms", "stored_markers_largest_ms", ">11.1f"), ("rows", "stored_markers_largest_evidence", ">8,"),
    ("|", "", ""), ("typical s", "cli_markers_typical_s", ">10.2f"), ("MB", "cli_markers_typical_peak_mb", ">6,.0f"),
    ("largest s", "cli_markers_s", ">10.2f"), ("MB", "cli_markers_peak_mb", ">6,.0f"),
    ("start-up s", "cli_startup_s", ">11.2f"), ("MB", "cli_startup_peak_mb", ">6,.0f"),
]


def _table(figure: dict, columns: list[tuple[str, str, str]]) -> list[str]:
    def cells(value_of) -> str:
        return "".join(" |" if heading == "|" else value_of(heading, key, spec) for heading, key, spec in columns)

    def width(spec: str) -> int:
        return int(re.match(r">(\d+)", spec).group(1))

    lines = [f"  {'cases':>8}" + cells(lambda heading, key, spec: f"{heading:>{width(spec)}}")]
    for count in figure["sizes"]:
        median = figure[f"{count}_cases"]["median"]
        lines.append(f"  {count:>8,}" + cells(lambda heading, key, spec: format(median[key], spec)))
    return lines


def report_lines(figure: dict) -> list[str]:
    repeats = len(figure[f"{figure['sizes'][0]}_cases"]["runs"])
    lines = [f"knowledge base scale (median of {repeats} runs). In one process: load kb/, build (save + index + "
             "graph), markers lookup and lookup + JSON answer, GraphML export, peak RSS of all steps. As a user "
             "runs them: `flarekb markers --drug D --json` and `flarekb export --format graphml`, time and peak RSS:",
             *_table(figure, _IN_PROCESS_COLUMNS),
             "  the stored query index: kb/ sizes, save (of which the index: build, encode, write), `markers "
             "--drug` from kb/index.jsonl in process (typical drug | largest answer), and as a user runs it "
             "(typical | largest | start-up alone on an empty kb/), time and peak RSS:",
             *_table(figure, _STORED_INDEX_COLUMNS)]
    for step, slopes in figure["growth"].items():
        lines.append(f"  growth {step} (log-log slope, 1.0 = linear): "
                     + ", ".join(f"{metric} {slope:.2f}" for metric, slope in slopes.items()))
    return lines + [""]
