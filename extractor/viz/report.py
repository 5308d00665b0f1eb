"""`flarekb report`: one self-contained HTML page to read or send to a colleague.

    summary      one row per drug with a flare report (engagers by target class, then neighbouring therapies)
    signatures   the heatmap picture and the same numbers as a table
    cases        one card per case: its timeline picture, what was seen, every evidence sentence, a link
    provenance   which papers, fetched when, knowledge base written when, by which flarekb version

Pictures are embedded as PNG data URIs and the stylesheet is inline, so the file stands alone. The page
depends only on kb/ and the fetch log, except for its one "generated" line.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from extractor.atomicfile import write_output
from extractor.errors import KnowledgeBaseError
from extractor.graph import store
from extractor.graph.index import KnowledgeIndex, build_index
from extractor.graph.queries import drugs_with_flare, flare_onset, markers_with_flare
from extractor.models import CaseFindings
from extractor.viz.figures import png_bytes
from extractor.viz.highlight import highlight
from extractor.viz.provenance import DOI_URL, PMC_URL, PUBMED_URL, generated_time, paper_url, provenance
from extractor.viz.signatures import SignatureTable, plot_signatures, signature_table
from extractor.viz.style import DIRECTION_STYLES, direction_style
from extractor.viz.timeline import case_label, plot_timeline

EMBEDDED_DPI = 100  # pictures in the page: sharp on screen, a few tens of kB each
TOP_MARKERS = 4  # markers named per drug in the summary


@dataclass
class Link:
    text: str
    url: str | None


@dataclass
class SummaryRow:
    drug: str
    group: str
    n_cases: int
    onset: str  # "day 7", "median day 6 (5\u20137), 2 of 3 cases dated", "not stated"
    markers: list[str]  # "il-6 increased (2)": words, as a bare "\u2212 1" would read as minus one
    papers: list[Link]


@dataclass
class MarkerLine:
    marker: str
    direction: str
    arrow: str
    colour: str
    day: str
    evidence: str


@dataclass
class CaseCard:
    anchor: str
    label: str
    title: str
    url: str | None
    drugs: str
    disease: str
    flare: str
    flare_evidence: list[str]
    markers: list[MarkerLine]
    timeline_png: str = field(repr=False)  # base64


def report_html(kb_dir: Path, corpora_dir: Path, *, generated: str | None = None) -> str:
    stored = store.load(kb_dir)
    index = build_index(stored.findings)
    signatures = signature_table(index)
    page = _environment().get_template("report.html.j2")
    return page.render(
        generated=generated or generated_time(),
        n_cases=len(stored.findings),
        summary=summary_rows(index),
        signatures=signatures,
        signature_png=_embed(plot_signatures(index)) if signatures.groups else None,
        cases=[case_card(index.cases[case_id]) for case_id in case_order(index, signatures)],
        provenance=provenance(kb_dir, corpora_dir, stored),
        directions=DIRECTION_STYLES,
        direction_style=direction_style,
    )


def write_report(kb_dir: Path, corpora_dir: Path, output: Path) -> Path:
    html = report_html(kb_dir, corpora_dir)
    try:
        write_output(Path(output), html.encode("utf-8"))  # a FIFO or device named by -o: written into
    except OSError as error:
        raise KnowledgeBaseError(f"{output}: cannot write the report ({error.strerror or error})") from error
    return Path(output)


def summary_rows(index: KnowledgeIndex) -> list[SummaryRow]:
    """Drugs with a flare report, in the heatmap's order: engager classes first, neighbouring therapies last."""
    onsets = {row.drug: row for row in flare_onset(index)}
    drugs = {row.drug: row for row in drugs_with_flare(index)}
    rows = []
    for group, lines in signature_table(index).groups:
        for line in lines:
            markers = [f"{row.marker} {row.direction} ({row.n_cases})"
                       for row in markers_with_flare(index, drug=line.drug)[:TOP_MARKERS]]
            papers = [Link(_paper_text(paper), _paper_link(paper)) for paper in drugs[line.drug].papers]
            rows.append(SummaryRow(line.drug, group, line.n_cases, _onset_text(onsets.get(line.drug)), markers,
                                   papers))
    return rows


def case_order(index: KnowledgeIndex, table: SignatureTable) -> list[str]:
    """Case ids in the order of the summary's drugs (a drug's flare cases together), then cases without flare."""
    ordered = [case_id for row in table.rows for case_id in sorted(index.flare_cases.get(row.drug, []))]
    ordered += sorted(index.cases)
    return list(dict.fromkeys(ordered))


def case_card(case: CaseFindings) -> CaseCard:
    drugs = ", ".join(f"{drug.name} ({drug.role})" for drug in case.drugs) or "not stated"
    markers = [
        MarkerLine(finding.marker, finding.direction, direction_style(finding.direction).arrow,
                   direction_style(finding.direction).colour, _day_text(finding.day), finding.evidence)
        for finding in sorted(case.markers, key=lambda item: (item.day is None, item.day or 0, item.marker))
    ]
    return CaseCard(
        anchor=f"case-{case.id}", label=case_label(case), title=case.title or "(untitled)", url=paper_url(case),
        drugs=drugs, disease=case.disease or "not stated", flare=_flare_text(case),
        flare_evidence=list(case.flare.evidence), markers=markers, timeline_png=_embed(plot_timeline(case)),
    )


def _flare_text(case: CaseFindings) -> str:
    if not case.flare.reported:
        return "no flare reported"
    parts = [f"onset {_day_text(case.flare.onset_day)}"]
    if case.resolution_day is not None:
        parts.append(f"regression day {case.resolution_day}")
    if case.flare.manifestations:
        parts.append(", ".join(case.flare.manifestations))
    return "; ".join(parts)


def _onset_text(row) -> str:
    if row is None or not row.days:
        return "not stated"
    dated = "" if row.n_with_day == row.n_cases else f", {row.n_with_day} of {row.n_cases} cases dated"
    if row.min == row.max:
        return f"day {row.min}{dated}"
    return f"median day {row.median:g} ({row.min}\u2013{row.max}){dated}"


def _day_text(day: int | None) -> str:
    return "day not stated" if day is None else f"day {day}"


def _paper_text(identifier: str) -> str:
    return f"PMID {identifier}" if identifier.isdigit() else identifier


def _paper_link(identifier: str) -> str:
    """Links for the identifiers the queries list: a PMID, else a PMCID, else a DOI."""
    if identifier.isdigit():
        return PUBMED_URL.format(identifier)
    if identifier.upper().startswith("PMC"):
        return PMC_URL.format(identifier)
    return DOI_URL.format(identifier)


def _embed(figure) -> str:
    return base64.b64encode(png_bytes(figure, dpi=EMBEDDED_DPI)).decode("ascii")


def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("extractor.viz", "templates"), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["highlight"] = highlight  # evidence sentences with their entities marked
    return environment
