"""Figure 2: extraction throughput against the floor, on the same PubMed XML file.

The floor is the least any extractor built on these tools must do: lxml parsing of the records and
scispaCy's tokenizer over the same texts (title, abstract sections, keywords), nothing else. Full
extraction is flarekb's own path: iter_pubmed_xml -> extract_many -> CaseFindings, in 1 and 2 processes.
Loading the spaCy pipeline is done before the clock starts in the measuring process (it is paid once per
run, not per document); with 2 processes the workers' start-up is inside the clock, as a user pays it.
"""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

from benchmarks.common import (
    Stopwatch,
    Target,
    children_peak_rss_mb,
    interleaved_runs,
    last_line,
    paired_ratio,
    peak_rss_mb,
)
from benchmarks.corpus import pubmed_xml_file
from extractor import collector

RECORD_TAG = "PubmedArticle"
TEXT_TAGS = ("ArticleTitle", "AbstractText", "Keyword")


def floor_tokenizer():
    """scispaCy's tokenizer on a blank English pipeline: the tokenizer flarekb's pipeline is built on."""
    import spacy
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own tokenizer regexes ("Possible set union")
        return combined_rule_tokenizer(nlp)


def measure_floor(path: Path) -> dict:
    """lxml iterparse + scispaCy tokenizer over every record's title, abstract and keywords. The floor gets
    every help flarekb's own path gets: records read READ_AHEAD at a time, then tokenised, as extract_many
    reads them (one at a time, the floor takes about 6% longer), libxml2 fed in chunks of flarekb's size
    (lxml's default chunks: 7% slower parsing), and the cyclic garbage collector paused while a batch is
    tokenised, as extract_many pauses it while a batch is extracted."""
    from lxml import etree

    from extractor.nlp import READ_AHEAD
    from extractor.sources.xmlsafe import CHUNK_BYTES

    tokenizer = floor_tokenizer()
    gc.freeze()  # as flarekb's warm_up does once its pipeline is loaded
    documents = tokens = 0
    with Stopwatch() as watch:
        batch = []
        records = etree.iterparse(str(path), tag=RECORD_TAG, resolve_entities=False, no_network=True,
                                  chunk_size=CHUNK_BYTES)
        for _, record in records:
            texts = [" ".join("".join(element.itertext()).split()) for element in record.iter(*TEXT_TAGS)]
            batch.append("\n\n".join(texts))
            _release(record)
            if len(batch) == READ_AHEAD:
                tokens += _tokens(tokenizer, batch)
                documents += len(batch)
                batch = []
        tokens += _tokens(tokenizer, batch)
        documents += len(batch)
    return _throughput(documents, watch.seconds, tokens=tokens)


def _tokens(tokenizer, texts: list[str]) -> int:
    with collector.paused():  # as flarekb's extract_many pauses the collector while it extracts a batch
        return sum(len(tokenizer(text)) for text in texts)


def measure_extraction(path: Path, n_process: int) -> dict:
    """flarekb's parser and extractor over the file; counts what was found, so the work is visibly done."""
    from extractor.nlp import extract_findings, extract_many
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    _warm_up(path, extract_findings)
    with Stopwatch() as watch:
        findings = list(extract_many(iter_pubmed_xml(path), n_process=n_process))
    result = _throughput(len(findings), watch.seconds)
    result.update(
        n_process=n_process,
        with_flare=sum(case.flare.reported for case in findings),
        markers=sum(len(case.markers) for case in findings),
        drugs=sum(len(case.drugs) for case in findings),
    )
    if n_process > 1:
        result["workers_peak_rss_mb"] = children_peak_rss_mb()
    return result


def measure_streaming_memory(path: Path) -> dict:
    """File in, findings out and dropped one by one (as `flarekb extract --format json` prints them): does
    the whole pipeline run in constant memory, whatever the size of the file?"""
    from extractor.nlp import extract_findings, extract_many
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    _warm_up(path, extract_findings)
    baseline_mb = peak_rss_mb()
    documents = 0
    with Stopwatch() as watch:
        for _findings in extract_many(iter_pubmed_xml(path)):
            documents += 1
    return {**_throughput(documents, watch.seconds), "rss_before_extracting_mb": baseline_mb}


def _warm_up(path: Path, extract_findings) -> None:
    """Load the pipeline and lexicons with the first record, so the clock measures throughput, not set-up."""
    from extractor.sources.pubmed_xml import iter_pubmed_xml

    extract_findings(next(iter(iter_pubmed_xml(path))))


def _throughput(documents: int, seconds: float, tokens: int | None = None) -> dict:
    result = {"documents": documents, "seconds": round(seconds, 4), "docs_per_s": round(documents / seconds, 1)}
    if tokens is not None:
        result.update(tokens=tokens, tokens_per_s=round(tokens / seconds))
    return result


def _release(element) -> None:
    """Free a finished record and its processed siblings: what keeps iterparse in constant memory."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def run(plan, log) -> dict:
    """The figure: floor, extraction in 1 process and in 2, interleaved, each `plan.repeats` times."""
    path = pubmed_xml_file(plan.extraction_docs)
    log(f"  extraction: {plan.extraction_docs:,} abstracts in {path.name} ({path.stat().st_size / 2**20:.1f} MB)")
    runs = interleaved_runs(
        {
            "floor": (measure_floor, (path,)),
            "extraction_1_process": (measure_extraction, (path, 1)),
            "extraction_2_processes": (measure_extraction, (path, 2)),
        },
        plan.repeats,
        log,
    )
    tokens = runs["floor"]["median"]["tokens"]
    for name in ("extraction_1_process", "extraction_2_processes"):
        median = runs[name]["median"]
        if median is None:  # the extractor raised: the error is in the figure
            continue
        median["tokens_per_s"] = round(tokens / median["seconds"])
        # How many times the floor's time: 1.0 would be extraction at the speed of tokenisation. Taken per
        # round (the floor and the extraction that ran next to it) so that load on the machine cancels out.
        median["times_floor"] = paired_ratio(runs[name]["runs"], runs["floor"]["runs"], "seconds")
    return {"input": {"file": path.name, "documents": plan.extraction_docs, "bytes": path.stat().st_size}, **runs,
            "streaming_memory": streaming_memory(plan, log)}


def streaming_memory(plan, log) -> dict:
    """The constant-memory check of the parser, for the whole pipeline: same sizes, one process."""
    files = {count: pubmed_xml_file(count) for count in plan.memory_records}
    log(f"  extraction memory: {' vs '.join(f'{count:,} records' for count in files)}")
    runs = interleaved_runs({f"{count}_records": (measure_streaming_memory, (file,)) for count, file in files.items()},
                            plan.kb_repeats, log)
    small, large = (runs[f"{count}_records"]["median"] for count in plan.memory_records)
    if small is not None and large is not None:
        runs["peak_rss_growth"] = round(large["peak_rss_mb"] / small["peak_rss_mb"], 3)
    return runs


TIMES_FLOOR_TARGET = 3.0  # issue 6: full extraction within 3x the floor, single process


def targets(figure: dict, plan) -> list[Target]:
    median = figure["extraction_1_process"]["median"]
    what = "full extraction vs floor (lxml + scispaCy tokenizer), 1 process"
    wanted = f"<= {TIMES_FLOOR_TARGET}x the floor's time"
    if median is None:
        return [Target("extraction", what, wanted, "failed", False)]
    times = median["times_floor"]
    return [Target("extraction", what, wanted, f"{times:.2f}x", times <= TIMES_FLOOR_TARGET)]


def report_lines(figure: dict) -> list[str]:
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
    memory = figure.get("streaming_memory", {})
    for name, runs in memory.items():
        if isinstance(runs, dict) and runs.get("median"):
            median = runs["median"]
            lines.append(f"  streaming, {name.replace('_', ' '):<14}{median['docs_per_s']:>10,.0f}{'':>12}{'':>9}"
                         f"{median['peak_rss_mb']:>9,.0f}")
    if "peak_rss_growth" in memory:
        lines.append(f"  peak RSS growth of file -> findings from the small file to the large: {memory['peak_rss_growth']:.3f}x")
    return lines + [""]
