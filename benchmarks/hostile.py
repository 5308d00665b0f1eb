"""Figure 6: hostile and broken input is refused quickly and in bounded memory.

The tests (tests/sources/test_hostile_inputs.py) check that each input is refused with one line naming it;
how long that takes and how much memory it costs is measured here, on a shared machine's clock, never
asserted in a test. Each input is built in the child before the clock starts; the memory figure is the
growth of the child's peak resident set from what it held once the input was built (the peak is reset
then), so an attack that expanded (10**9 "lol"s, a tree 5,000 levels deep) would show up as hundreds of MB.
"""

from __future__ import annotations

from benchmarks.common import Stopwatch, Target, current_rss_mb, interleaved_runs, peak_rss_mb, reset_peak_rss
from benchmarks.corpus import shared_dir

# name -> (builder in tests/hostile.py, its arguments, the name the input is parsed under)
INPUTS = {
    "billion_laughs_utf8": ("billion_laughs", ("PubmedArticleSet", "utf-8"), "laughs.xml"),
    "billion_laughs_utf16": ("billion_laughs", ("PubmedArticleSet", "utf-16"), "laughs.xml"),
    "billion_laughs_jats_utf16": ("billion_laughs", ("article", "utf-16"), "laughs.nxml"),
    "deep_xml_pubmed": ("deep_xml", ("PubmedArticleSet", "x"), "deep.xml"),
    "deep_xml_jats": ("deep_xml", ("article", "sec"), "deep.nxml"),
    "deep_html": ("deep_html", (), "deep.html"),
    "huge_text_node_11mb": ("huge_text_node", (), "huge.xml"),
    "over_the_size_limit": ("over_the_size_limit", (), "big.nxml"),
}
CUTS_PER_FIXTURE = 40


def measure_refusal(name: str) -> dict:
    """parse_bytes on one hostile input: it must raise BadInput; the time and memory that took."""
    import tests.hostile
    from extractor.errors import BadInput
    from extractor.sources import parse_bytes

    builder, arguments, input_name = INPUTS[name]
    data = getattr(tests.hostile, builder)(*arguments)
    peak_was_reset = reset_peak_rss()
    before_mb = current_rss_mb()
    with Stopwatch() as watch:
        try:
            parse_bytes(data, input_name)
            refused = ""
        except BadInput as error:
            refused = str(error)
    return {"input_bytes": len(data), "seconds": round(watch.seconds, 4), "refused": refused,
            "rss_growth_mb": round(peak_rss_mb() - before_mb, 1), "peak_was_reset": peak_was_reset}


def measure_truncations() -> dict:
    """Every real NCBI fixture cut at CUTS_PER_FIXTURE evenly spaced points: the slowest single parse."""
    from extractor.errors import BadInput
    from extractor.sources import parse_bytes
    from tests.hostile import fixture_files

    slowest = total = 0.0
    parses = 0
    for path in fixture_files(shared_dir()):
        raw = path.read_bytes()
        for cut in range(0, len(raw), max(1, len(raw) // CUTS_PER_FIXTURE)):
            with Stopwatch() as watch:
                try:
                    parse_bytes(raw[:cut], "fuzzed")
                except BadInput:
                    pass
            slowest, total, parses = max(slowest, watch.seconds), total + watch.seconds, parses + 1
    return {"parses": parses, "slowest_seconds": round(slowest, 4), "mean_ms": round(total / parses * 1000, 3)}


def run(plan, log) -> dict:
    measurements = {name: (measure_refusal, (name,)) for name in INPUTS}
    measurements["truncated_fixtures"] = (measure_truncations, ())
    return interleaved_runs(measurements, plan.repeats, log)


REFUSAL_SECONDS = 1.0  # the limit the tests once asserted for the billion laughs
TRUNCATION_SECONDS = 2.0  # ... and for one truncated fixture
RSS_GROWTH_MB = 100.0  # far below what any expansion would take: 10**9 "lol"s are 3 GB


def targets(figure: dict, plan) -> list[Target]:
    refusals = {name: figure[name]["median"] for name in INPUTS if figure[name]["median"]}
    failed = [name for name in INPUTS if not figure[name]["median"]]
    not_refused = [name for name, median in refusals.items() if not median["refused"]]
    slowest = max(refusals.values(), key=lambda median: median["seconds"], default={"seconds": float("inf")})
    largest = max((median["rss_growth_mb"] for median in refusals.values()), default=float("inf"))
    truncations = figure["truncated_fixtures"]["median"] or {"slowest_seconds": float("inf")}
    return [
        Target("hostile", f"every one of {len(INPUTS)} hostile inputs refused with BadInput",
               "all", f"{len(refusals) - len(not_refused)} ({', '.join(failed + not_refused) or 'none missing'})",
               not failed and not not_refused),
        Target("hostile", "slowest refusal of a hostile input", f"<= {REFUSAL_SECONDS} s",
               f"{slowest['seconds']:.3f} s", slowest["seconds"] <= REFUSAL_SECONDS),
        Target("hostile", "largest peak-memory growth while refusing a hostile input", f"<= {RSS_GROWTH_MB:.0f} MB",
               f"{largest:.1f} MB", largest <= RSS_GROWTH_MB),
        Target("hostile", "slowest parse of a cut real NCBI fixture", f"<= {TRUNCATION_SECONDS} s",
               f"{truncations['slowest_seconds']:.3f} s", truncations["slowest_seconds"] <= TRUNCATION_SECONDS),
    ]


def report_lines(figure: dict) -> list[str]:
    lines = ["hostile input (parse_bytes, median of the runs; memory: peak RSS growth once the input was built):",
             f"  {'':<28}{'input KB':>10}{'ms':>9}{'+MB':>7}  refused as"]
    for name in INPUTS:
        median = figure[name]["median"]
        if not median:
            lines.append(f"  {name:<28}FAILED: the measurement raised (see the JSON)")
            continue
        refused = median["refused"].split(": ", 1)[-1][:60] or "NOT REFUSED"
        lines.append(f"  {name:<28}{median['input_bytes'] / 1024:>10,.0f}{median['seconds'] * 1000:>9.1f}"
                     f"{median['rss_growth_mb']:>7.1f}  {refused}")
    truncations = figure["truncated_fixtures"]["median"]
    if truncations:
        lines.append(f"  truncated NCBI fixtures: {truncations['parses']:,} parses, slowest "
                     f"{truncations['slowest_seconds'] * 1000:.1f} ms, mean {truncations['mean_ms']:.2f} ms")
    return lines + [""]
