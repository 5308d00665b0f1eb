"""`flarekb report`: one self-contained HTML page to read or send to a colleague.

    summary      one row per drug with a flare report (engagers by target class, then neighbouring therapies)
    signatures   the heatmap picture and the same numbers as a table
    cases        one card per case: its timeline picture, what was seen, every evidence sentence, a link
    provenance   which papers, fetched when, how current the data is, by which flarekb version

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
from extractor.graph.ask import plural
from extractor.graph.display import marker_display
from extractor.graph.index import KnowledgeIndex, build_index
from extractor.graph.queries import drugs_with_flare, flare_onset, markers_with_flare
from extractor.models import CaseFindings
from extractor.viz.figures import png_bytes
from extractor.viz.highlight import highlight
from extractor.viz.provenance import DOI_URL, PMC_URL, PUBMED_URL, generated_time, paper_url, provenance
from extractor.viz.signatures import NEIGHBOURS, SignatureTable, plot_signatures, signature_table
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
    onset: str  # "day 7", "median day 6 (5\u20137), 2 of 3 cases dated", "cohort median day 6 (45 patients)"
    markers: list[str]  # "IL-6 increased (2 patients, 2 papers)": words, as a bare "\u2212 1" reads as minus one
    papers: list[Link]
    n_patients: int = 0
    n_papers: int = 0


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
    patients: int
    flare: str
    flare_evidence: list[str]
    markers: list[MarkerLine]
    timeline_png: str = field(repr=False)  # base64


def report_html(kb_dir: Path, corpora_dir: Path, *, generated: str | None = None) -> str:
    stored = store.load(kb_dir)
    index = build_index(stored.findings)
    signatures = signature_table(index)
    summary = summary_rows(index)
    page = _environment().get_template("report.html.j2")
    flares = [case for case in stored.findings if case.flare.reported]
    return page.render(
        generated=generated or generated_time(),
        scope="T-cell engagers" if all(row.group != NEIGHBOURS for row in summary) else "immunotherapy",
        counts=_counts_text(stored.findings, flares),
        summary=summary,
        signatures=signatures,
        signature_png=_embed(plot_signatures(index)) if signatures.groups else None,
        cases=[case_card(index.cases[case_id]) for case_id in case_order(index, signatures)],
        provenance=provenance(kb_dir, corpora_dir, stored),
        directions=DIRECTION_STYLES,
        marker_display=marker_display,
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
            markers = [f"{marker_display(row.marker)} {row.direction} ({_patients_papers(row)})"
                       for row in markers_with_flare(index, drug=line.drug)[:TOP_MARKERS]]
            drug = drugs[line.drug]
            papers = [Link(_paper_text(paper), _paper_link(paper)) for paper in drug.papers]
            rows.append(SummaryRow(line.drug, group, line.n_cases, _onset_text(onsets.get(line.drug)), markers,
                                   papers, drug.n_patients, drug.n_papers))
    return rows


def case_order(index: KnowledgeIndex, table: SignatureTable) -> list[str]:
    """Case ids in the order of the summary's drugs (a drug's flare cases together), then cases without flare."""
    ordered = [case_id for row in table.rows for case_id in sorted(index.flare_cases.get(row.drug, []))]
    ordered += sorted(index.cases)
    return list(dict.fromkeys(ordered))


def case_card(case: CaseFindings) -> CaseCard:
    drugs = ", ".join(f"{drug.name} ({drug.role})" for drug in case.drugs) or "not stated"
    markers = [
        MarkerLine(marker_display(finding.marker), finding.direction, direction_style(finding.direction).arrow,
                   direction_style(finding.direction).colour, _day_text(finding.day), finding.evidence)
        for finding in sorted(case.markers, key=lambda item: (item.day is None, item.day or 0, item.marker))
    ]
    return CaseCard(
        anchor=f"case-{case.id}", label=case_label(case), title=case.title or "(untitled)", url=paper_url(case),
        drugs=drugs, disease=case.disease or "not stated", patients=case.n_patients, flare=_flare_text(case),
        flare_evidence=list(case.flare.evidence), markers=markers, timeline_png=_embed(plot_timeline(case)),
    )


def _flare_text(case: CaseFindings) -> str:
    if not case.flare.reported:
        return "no flare reported"
    onset = _day_text(case.flare.onset_day)
    if case.n_patients > 1 and case.flare.onset_day is not None:
        onset += f" (median of a cohort of {case.n_patients} patients)"
    parts = [f"onset {onset}"]
    if case.resolution_day is not None:
        parts.append(f"regression day {case.resolution_day}")
    if case.flare.manifestations:
        parts.append(", ".join(case.flare.manifestations))
    return "; ".join(parts)


def _onset_text(row) -> str:
    if row is None or not (row.days or row.cohort_medians):
        return "not stated"
    parts = []
    if row.days:
        dated = "" if row.n_with_day == row.n_cases else f", {row.n_with_day} of {row.n_cases} cases dated"
        spread = f"day {row.min}" if row.min == row.max else f"median day {row.median:g} ({row.min}\u2013{row.max})"
        parts.append(spread + dated)
    parts += [f"cohort median day {cohort.day} ({cohort.n_patients} patients)" for cohort in row.cohort_medians]
    return "; ".join(parts)


def _patients_papers(row) -> str:
    return f"{plural(row.n_patients, 'patient')}, {plural(row.n_papers, 'paper')}"


def _counts_text(findings: list[CaseFindings], flares: list[CaseFindings]) -> str:
    """The page's first count, in the same units as its rows: papers and patients, and how many report a flare."""
    def counted(cases: list[CaseFindings]) -> str:
        papers = len({case.pmid or case.pmcid or case.doi or case.id for case in cases})
        return f"{plural(papers, 'paper')} ({plural(sum(case.n_patients for case in cases), 'patient')})"

    return f"{counted(findings)} in the knowledge base; {counted(flares)} report a flare"


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
