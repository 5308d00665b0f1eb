"""Figure 3: PubMed XML parsing, flarekb's streaming parser against Biopython's PubMed XML reader.

Both read the same file from disk and yield one object per record (a Document; a dict-like record); the
clock covers reading, parsing and building those objects. Memory: the same parser over files of 3,000 and
30,000 records, each in its own process; a streaming parser has the same peak at both sizes.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import Stopwatch, Target, interleaved_runs, paired_ratio, peak_rss_mb
from benchmarks.corpus import pubmed_xml_file


def measure_flarekb_parser(path: Path) -> dict:
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    baseline_mb = peak_rss_mb()  # the interpreter and imports, before any record is read
    records = text_chars = 0
    with Stopwatch() as watch:
        for document in iter_pubmed_xml(path):
            records += 1
            text_chars += len(document.text)
    return _figures(path, records, watch.seconds, baseline_mb, text_chars=text_chars)


def measure_biopython_parser(path: Path) -> dict:
    """Biopython's reader for PubMed XML. Bio.Entrez.parse would stream, but it refuses every PubMed file
    since NCBI's 2017 DTD (a PubmedArticleSet may end with a DeleteCitation, so Biopython reads it as a
    dict, not a list: biopython/biopython#1027); Bio.Entrez.read is what Biopython documents instead."""
    from Bio import Entrez

    baseline_mb = peak_rss_mb()
    with Stopwatch() as watch, path.open("rb") as handle:
        answer = Entrez.read(handle)
        records = len(answer.get("PubmedArticle", [])) + len(answer.get("PubmedBookArticle", []))
    return _figures(path, records, watch.seconds, baseline_mb, api="Bio.Entrez.read",
                    entrez_parse=_entrez_parse_outcome(path))


def _entrez_parse_outcome(path: Path) -> str:
    """What Bio.Entrez.parse says about this file (outside the clock)."""
    from Bio import Entrez

    try:
        with path.open("rb") as handle:
            for _record in Entrez.parse(handle):
                return "streams records"
    except ValueError as error:
        return f"refused: {error}"
    return "no records"


def _figures(path: Path, records: int, seconds: float, baseline_mb: float, **extra) -> dict:
    size = path.stat().st_size
    return {
        "records": records,
        "file_mb": round(size / 2**20, 1),
        "seconds": round(seconds, 4),
        "records_per_s": round(records / seconds, 1),
        "mb_per_s": round(size / 2**20 / seconds, 1),
        "rss_before_parsing_mb": baseline_mb,
        **extra,
    }


def run(plan, log) -> dict:
    """The figure: both parsers on the same file, interleaved; then flarekb's parser at two file sizes."""
    path = pubmed_xml_file(plan.parse_records)
    log(f"  parsing: {plan.parse_records:,} records in {path.name} ({path.stat().st_size / 2**20:.1f} MB)")
    speed = interleaved_runs(
        {"flarekb": (measure_flarekb_parser, (path,)), "biopython": (measure_biopython_parser, (path,))},
        plan.repeats,
        log,
    )
    # Biopython's time over ours, round by round (the two runs taken side by side), then the median.
    speed["flarekb_over_biopython"] = paired_ratio(speed["biopython"]["runs"], speed["flarekb"]["runs"], "seconds")
    small, large = (pubmed_xml_file(count) for count in plan.memory_records)
    log(f"  parsing memory: {small.name} ({small.stat().st_size / 2**20:.0f} MB) vs {large.name} "
        f"({large.stat().st_size / 2**20:.0f} MB)")
    memory = interleaved_runs(
        {f"flarekb_{count}_records": (measure_flarekb_parser, (file,))
         for count, file in zip(plan.memory_records, (small, large))},
        plan.repeats,
        log,
    )
    peaks = [memory[f"flarekb_{count}_records"]["median"]["peak_rss_mb"] for count in plan.memory_records]
    memory["peak_rss_growth"] = round(peaks[1] / peaks[0], 3)  # 1.0: memory does not grow with the file
    return {"speed": speed, "memory": memory}


SPEEDUP_TARGET = 5.0  # issue 6: at least 5x Biopython
MEMORY_GROWTH_LIMIT = 1.10  # "constant memory": the large file's peak within 10% of the small file's


def targets(figure: dict, plan) -> list[Target]:
    speedup = figure["speed"]["flarekb_over_biopython"]
    growth = figure["memory"]["peak_rss_growth"]
    small, large = plan.memory_records
    return [
        Target("parsing", "records/s of flarekb's parser vs Biopython (Bio.Entrez.read; Entrez.parse refuses "
               "PubMed sets)", f">= {SPEEDUP_TARGET}x", f"{speedup:.2f}x", speedup >= SPEEDUP_TARGET),
        Target("parsing", f"peak RSS parsing {large:,} records / {small:,} records",
               f"<= {MEMORY_GROWTH_LIMIT} (constant memory)", f"{growth:.3f}", growth <= MEMORY_GROWTH_LIMIT),
    ]


def report_lines(figure: dict) -> list[str]:
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
