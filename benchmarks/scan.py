"""Figure 6: `flarekb scan` over a baseline-sized PubMed file, against the floor of reading that file at all.

The input is one gzipped PubMed file of plan.scan_records records (30,000 in the full run, as NCBI's baseline
files hold) at a hit rate of 1 in 1,000: record i is a real case (a development-corpus text or a seed report,
wrapped in a real efetch record) when i % 1000 == 500, else a background abstract made as benchmarks/corpus.py
makes its abstracts, from the real corpus sentences and titles in which the extraction's own matcher finds no
engager name and no flare word (what the prefilter looks for), in the same real record shape (7.6 KB).

- floor: gunzip + lxml iterparse of the file, each record cleared once parsed: what any reader pays.
- scan task: the scan's per-file task (extractor.scan.task.scan_file) in one process: parse, the record tee,
  prefilter, full extraction of the candidates, the kept records' bytes.
- Dask: the same task over plan.scan_files copies of the file on a LocalCluster of 1 and of 2 worker processes,
  timed from submission to the last result (the workers started and warmed before the clock), with each
  worker's peak memory.
- memory: the task's peak RSS on a 1/10-size file and on the full-size file, each in a fresh process.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from benchmarks.common import CACHE_DIR, REPO, Stopwatch, Target, interleaved_runs, paired_ratio, peak_rss_mb
from benchmarks.corpus import Abstract, RecordTemplate, digest, real_material, shared_dir, synthetic_abstract

HIT_EVERY = 1000
GENERATOR_VERSION = 1
BASELINE_FILES = 1_300  # PubMed's 2025 baseline: 1,274 files of up to 30,000 records
FLOOR_RATIO_TARGET = 2.0
SPEEDUP_TARGET = 1.7
MEMORY_GROWTH_LIMIT = 1.10


def scan_input(records: int) -> Path:
    """A gzipped PubMed file of `records` records, 1 in HIT_EVERY a real case; made once into .cache/."""
    from extractor.models import Document, Passage
    from extractor.scan.prefilter import might_keep
    from extractor.sources import read_documents

    shared = shared_dir()
    sources = [*sorted((shared / "corpus" / "docs").glob("*.json")), *sorted((REPO / "corpora" / "seeds").glob("*")),
               *sorted((REPO / "extractor" / "lexicons").glob("*.tsv"))]
    path = CACHE_DIR / f"scan_{records}_v{GENERATOR_VERSION}_{digest(sources)}.xml.gz"
    if path.is_file():
        return path

    def names_nothing(text: str) -> bool:
        return not might_keep(Document("x", "text", "", [Passage("text", text)]))

    material = real_material(shared)
    background = type(material)([s for s in material.sentences if names_nothing(s)],
                                [t for t in material.titles if names_nothing(t)], material.lengths)
    template = RecordTemplate(shared)
    cases = []
    for doc_path in sorted((shared / "corpus" / "docs").glob("*.json")):
        document = json.loads(doc_path.read_text(encoding="utf-8"))
        cases.append((document.get("title") or "", document["text"]))
    for seed in sorted((REPO / "corpora" / "seeds").iterdir()):
        for document in read_documents(seed):
            cases.append((document.title, "\n".join(p.text for p in document.passages if p.kind != "title")))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=6) as out:
        out.write(f"{template.prolog}<PubmedArticleSet>\n")
        for index in range(records):
            if index % HIT_EVERY == HIT_EVERY // 2:
                title, text = cases[(index // HIT_EVERY) % len(cases)]
                abstract = Abstract(str(95_000_001 + index), title, [("", "", text)])
            else:
                abstract = synthetic_abstract(background, index)
            out.write(template.render(abstract))
            out.write("\n")
        out.write("</PubmedArticleSet>\n")
    temporary.replace(path)
    return path


def measure_floor(path: Path) -> dict:
    from lxml import etree

    from extractor.sources.xmlsafe import CHUNK_BYTES

    records = 0
    with Stopwatch() as watch, gzip.open(path, "rb") as stream:
        for _, element in etree.iterparse(stream, tag="PubmedArticle", resolve_entities=False, no_network=True,
                                          load_dtd=False, chunk_size=CHUNK_BYTES):
            records += 1
            element.clear(keep_tail=True)
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
    return {"records": records, "seconds": round(watch.seconds, 4), "records_per_s": round(records / watch.seconds, 1)}


def measure_scan_task(path: Path) -> dict:
    from extractor.nlp import warm_up
    from extractor.scan.prefilter import prepare
    from extractor.scan.task import scan_file

    warm_up()  # once per worker process, not per file
    prepare()
    baseline_mb = peak_rss_mb()
    with Stopwatch() as watch:
        result = scan_file(str(path))
    assert result.error is None, result.error
    return {"records": result.records, "candidates": result.candidates, "kept": len(result.kept),
            "seconds": round(watch.seconds, 4), "records_per_s": round(result.records / watch.seconds, 1),
            "rss_before_mb": baseline_mb}


def measure_dask(path: Path, workers: int, files: int) -> dict:
    """`files` copies of the file (hard links under baseline-style names) on a LocalCluster of `workers`."""
    import logging

    from distributed import Client, LocalCluster, wait

    from benchmarks.common import peak_rss_mb as worker_peak
    from extractor.nlp import warm_up
    from extractor.scan.prefilter import prepare
    from extractor.scan.task import scan_file

    directory = CACHE_DIR / f"scan_copies_{path.stem}"
    directory.mkdir(exist_ok=True)
    copies = []
    for number in range(files):
        copy = directory / f"pubmed25n{number + 1:04d}.xml.gz"
        if not copy.exists():
            os.link(path, copy)
        copies.append(copy)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.run(warm_up)
        client.run(prepare)
        with Stopwatch() as watch:
            futures = [client.submit(scan_file, str(copy), pure=False) for copy in copies]
            wait(futures)
        results = client.gather(futures)
        peaks = sorted(client.run(worker_peak).values())
    records = sum(result.records for result in results)
    return {"workers": workers, "files": files, "records": records, "seconds": round(watch.seconds, 4),
            "records_per_s": round(records / watch.seconds, 1), "worker_peak_rss_mb": peaks,
            "max_worker_peak_rss_mb": max(peaks)}


def run(plan, log) -> dict:
    path = scan_input(plan.scan_records)
    small = scan_input(plan.scan_records // 10)
    log(f"  scan: {plan.scan_records:,} records in {path.name} ({path.stat().st_size / 2**20:.1f} MB gzipped)")
    speed = interleaved_runs({"floor": (measure_floor, (path,)), "scan_task": (measure_scan_task, (path,))},
                             plan.repeats, log)
    speed["scan_over_floor"] = paired_ratio(speed["scan_task"]["runs"], speed["floor"]["runs"], "seconds")
    dask = interleaved_runs({f"dask_{n}_workers": (measure_dask, (path, n, plan.scan_files)) for n in (1, 2)},
                            max(1, plan.repeats - 2), log)
    dask["speedup_2_over_1"] = paired_ratio(dask["dask_1_workers"]["runs"], dask["dask_2_workers"]["runs"], "seconds")
    memory = interleaved_runs({"task_small_file": (measure_scan_task, (small,)),
                               "task_full_file": (measure_scan_task, (path,))}, max(1, plan.repeats - 2), log)
    growth = memory["task_full_file"]["median"]["peak_rss_mb"] / memory["task_small_file"]["median"]["peak_rss_mb"]
    memory["peak_rss_growth"] = round(growth, 3)
    return {"speed": speed, "dask": dask, "memory": memory, "projection": projection(speed, dask, plan)}


def projection(speed: dict, dask: dict, plan) -> dict:
    """The whole baseline from the measured per-file time: files / workers rounds of one file each, (a) with
    every worker on a core of its own (linear scaling: one task per file shares nothing but the scheduler)
    and (b) at the per-worker efficiency measured here (2 workers over 1, halved), plus nothing for the final
    build (about 1 record in 1,000 kept: minutes). A projection, not a measurement."""
    per_file_s = speed["scan_task"]["median"]["seconds"] * 30_000 / speed["scan_task"]["median"]["records"]
    efficiency = min(1.0, dask["speedup_2_over_1"] / 2)
    hours = {}
    for label, workers in (("16_cores", 16), ("10_machines_x_16_cores", 160)):
        rounds = -(-BASELINE_FILES // workers)
        hours[label] = round(rounds * per_file_s / 3600, 2)
        hours[f"{label}_at_measured_efficiency"] = round(rounds * per_file_s / efficiency / 3600, 2)
    return {"per_file_s_30000_records": round(per_file_s, 1), "efficiency_per_worker": round(efficiency, 2),
            "baseline_files": BASELINE_FILES, "hours": hours}


def targets(figure: dict, plan) -> list[Target]:
    ratio = figure["speed"]["scan_over_floor"]
    speedup = figure["dask"]["speedup_2_over_1"]
    growth = figure["memory"]["peak_rss_growth"]
    return [
        Target("scan", "scan task time vs gunzip + lxml parsing of the same file, 1 process", f"<= {FLOOR_RATIO_TARGET}x",
               f"{ratio:.2f}x", ratio <= FLOOR_RATIO_TARGET),
        Target("scan", f"Dask LocalCluster, 2 workers vs 1 ({plan.scan_files} files)", f">= {SPEEDUP_TARGET}x",
               f"{speedup:.2f}x", speedup >= SPEEDUP_TARGET),
        Target("scan", f"peak RSS of the task, {plan.scan_records:,} records / {plan.scan_records // 10:,}",
               f"<= {MEMORY_GROWTH_LIMIT} (flat)", f"{growth:.3f}", growth <= MEMORY_GROWTH_LIMIT),
    ]


def report_lines(figure: dict) -> list[str]:
    speed, dask, memory, projected = figure["speed"], figure["dask"], figure["memory"], figure["projection"]
    task = speed["scan_task"]["median"]
    rows = [(name, speed[name]["median"], "") for name in ("floor", "scan_task")]
    rows += [(name, {**dask[name]["median"], "peak_rss_mb": dask[name]["median"]["max_worker_peak_rss_mb"]},
              "  (per worker, peak)") for name in ("dask_1_workers", "dask_2_workers")]
    rows += [(name, memory[name]["median"], "") for name in ("task_small_file", "task_full_file")]
    table = [f"  {name:<26}{row['records_per_s']:>11,.0f}{row['seconds']:>9.2f}{row['peak_rss_mb']:>9,.0f}{note}"
             for name, row, note in rows]
    hours = projected["hours"]
    return [f"scan ({task['records']:,} records, 1 in {HIT_EVERY:,} a case; {task['candidates']} past the "
            f"prefilter, {task['kept']} kept):",
            f"  {'':<26}{'records/s':>11}{'seconds':>9}{'peak MB':>9}",
            *table,
            f"  scan task / floor (time): {speed['scan_over_floor']:.2f}x; 2 workers / 1 worker: "
            f"{dask['speedup_2_over_1']:.2f}x; peak RSS growth from the small file to the full one: "
            f"{memory['peak_rss_growth']:.3f}x",
            f"  projection (not measured): {projected['baseline_files']:,} files of 30,000 records at "
            f"{projected['per_file_s_30000_records']} s per file: {hours['16_cores']} h on 16 cores, "
            f"{hours['10_machines_x_16_cores']} h on 10 machines of 16 cores with a core per worker; "
            f"{hours['16_cores_at_measured_efficiency']} h and {hours['10_machines_x_16_cores_at_measured_efficiency']}"
            f" h at the per-worker efficiency measured here ({projected['efficiency_per_worker']:.2f})",
            ""]
