"""The signature heatmap: drugs (rows) against markers (columns), each cell the number of flare reports.

Rows are engagers grouped by target class (DLL3 x CD3, BCMA x CD3, ...), with the neighbouring therapies
(checkpoint inhibitors, CAR-T, ...) in a last group below, so a reader compares like with like; a row's label
says how many patients and papers it rests on. A cell is coloured by the direction its cases report; cases
that disagree make a "mixed" cell that shows both counts. Group headers are thin bands, thinner than a row,
and the figure is never narrower than its legend, so nothing is cut off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from extractor.graph.ask import plural
from extractor.graph.display import marker_display
from extractor.graph.index import ENGAGER, KnowledgeIndex
from extractor.graph.queries import drugs_with_flare, marker_signatures
from extractor.viz.figures import NothingToPlot, plain_text_labels
from extractor.viz.style import DIRECTION_STYLES, MIXED_COLOUR, direction_style

NEIGHBOURS = "neighbouring therapies"
COLUMN_INCHES = 0.62
CELL_WIDTH_PT = 0.9 * COLUMN_INCHES * 72  # room for a cell's text, a little inside its coloured box
MAX_MARKERS = 30  # columns in the picture; the report's table lists every marker
BAND_HEIGHT = 0.55  # a group header band, in data rows
LABEL_CHAR_INCHES = 0.075  # a row label's width per character, at the tick label size
MIN_WIDTH_INCHES = 7.2  # the legend's three columns and the titles fit at any number of markers


@dataclass
class SignatureLine:
    """One drawn row: a drug and, per marker, how many of its flare cases report each direction."""

    drug: str
    role: str
    n_cases: int  # cases with a flare attributed to this drug
    cells: dict[str, dict[str, int]] = field(default_factory=dict)  # marker -> direction -> cases
    n_patients: int = 0  # patients of those cases (a cohort counts all its patients)
    n_papers: int = 0


@dataclass
class SignatureTable:
    groups: list[tuple[str, list[SignatureLine]]]  # (group label, its rows), engager classes first
    markers: list[str]  # columns, most reported first

    @property
    def rows(self) -> list[SignatureLine]:
        return [row for _, rows in self.groups for row in rows]


def signature_table(index: KnowledgeIndex) -> SignatureTable:
    """The heatmap's content: drugs with a flare report, grouped, against the markers seen with their flares."""
    lines = {row.drug: SignatureLine(row.drug, row.role, row.n_cases, n_patients=row.n_patients,
                                     n_papers=row.n_papers) for row in drugs_with_flare(index)}
    grouped: dict[str, list[SignatureLine]] = {}
    for row in drugs_with_flare(index):  # most reported first, so each group keeps that order
        grouped.setdefault(group_label(row.role, row.targets), []).append(lines[row.drug])
    totals: dict[str, int] = {}
    for signature in marker_signatures(index):
        if signature.drug in lines:
            lines[signature.drug].cells.setdefault(signature.marker, {})[signature.direction] = signature.n_cases
            totals[signature.marker] = totals.get(signature.marker, 0) + signature.n_cases
    # Engager classes with the most flare cases first; the neighbouring therapies always last.
    order = sorted((label for label in grouped if label != NEIGHBOURS),
                   key=lambda label: (-sum(line.n_cases for line in grouped[label]), label))
    order += [NEIGHBOURS] * (NEIGHBOURS in grouped)
    markers = sorted(totals, key=lambda marker: (-totals[marker], marker))
    return SignatureTable([(label, grouped[label]) for label in order], markers)


def group_label(role: str, targets: list[str]) -> str:
    """The group a drug's row sits in: its target class for an engager ("DLL3 \u00d7 CD3"), else the neighbours."""
    if role != ENGAGER:
        return NEIGHBOURS
    return " \u00d7 ".join(targets) if targets else "target not stated"


@plain_text_labels
def plot_signatures(index: KnowledgeIndex) -> Figure:
    table = signature_table(index)
    if not table.groups:
        raise NothingToPlot("no case in the knowledge base reports a flare: no signature to plot")
    lines = _layout(table)  # one entry per drawn row: a group header or a drug row
    centres, height = row_centres(lines)
    markers = table.markers[:MAX_MARKERS]
    n_columns = max(len(markers), 1)
    drug_rows = [(centre, line) for centre, line in zip(centres, lines) if not isinstance(line, str)]
    longest = max((len(row_label(line)) for _, line in drug_rows), default=0)
    width = max(MIN_WIDTH_INCHES, 1.2 + LABEL_CHAR_INCHES * longest + COLUMN_INCHES * n_columns)
    figure = Figure(figsize=(width, 3.0 + 0.42 * height), layout="constrained")
    axes = figure.add_subplot()
    axes.set_xlim(-0.5, n_columns - 0.5)
    axes.set_ylim(height, 0)
    axes.set_xticks(range(len(markers)), [marker_display(marker) for marker in markers], rotation=90)
    axes.xaxis.tick_top()  # upright names never collide
    axes.set_yticks([centre for centre, _ in drug_rows], [row_label(line) for _, line in drug_rows])
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)

    for centre, line in zip(centres, lines):
        if isinstance(line, str):
            axes.add_patch(Rectangle((-0.5, centre - BAND_HEIGHT / 2), n_columns, BAND_HEIGHT, color="#E8E8E8",
                                     linewidth=0))
            axes.text(-0.45, centre, line, va="center", ha="left", fontsize=8, fontweight="bold", color="#333333")
            continue
        for x, marker in enumerate(markers):
            _draw_cell(axes, x, centre, line.cells.get(marker, {}))
    if not markers:
        axes.text((n_columns - 1) / 2, height / 2, "no markers reported with these flares",
                  ha="center", va="center", fontsize=9, color="#666666")

    figure.suptitle("Markers reported with flare, per drug", fontsize=13, fontweight="bold")
    if len(table.markers) > len(markers):
        left_out = len(table.markers) - len(markers)
        axes.set_title(f"the {len(markers)} markers reported most; {left_out} more are left out of the picture",
                       loc="left", fontsize=9, color="#444444")
    figure.legend(handles=_legend_handles(), loc="outside lower center", ncol=3, fontsize=8, frameon=False,
                  title="cell = number of flare reports; colour = direction they report", title_fontsize=8)
    return figure


def row_label(line: SignatureLine) -> str:
    """'tarlatamab (2 patients, 2 papers)': what a row rests on."""
    return f"{line.drug} ({plural(line.n_patients, 'patient')}, {plural(line.n_papers, 'paper')})"


def row_centres(lines: list) -> tuple[list[float], float]:
    """The y centre of each drawn line (a group band is BAND_HEIGHT high, a drug row 1) and the total height."""
    centres, top = [], 0.0
    for line in lines:
        size = BAND_HEIGHT if isinstance(line, str) else 1.0
        centres.append(top + size / 2)
        top += size
    return centres, top


def _layout(table: SignatureTable) -> list:
    lines: list = []
    for label, rows in table.groups:
        lines.append(label)
        lines.extend(rows)
    return lines


def cell_text(counts: dict[str, int]) -> str:
    """'2\u2191' for one direction, '1\u2191 1\u2193' when cases disagree; empty for no case."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(f"{n}{direction_style(direction).arrow}" for direction, n in ordered)


def cell_colour(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    if len(counts) > 1:
        return MIXED_COLOUR
    return direction_style(next(iter(counts))).colour


def _draw_cell(axes, x: int, y: float, counts: dict[str, int]) -> None:
    colour = cell_colour(counts)
    axes.add_patch(Rectangle((x - 0.48, y - 0.46), 0.96, 0.92, facecolor=colour or "#FAFAFA",
                             edgecolor="#E0E0E0", linewidth=0.5))
    if colour:
        text = cell_text(counts)
        axes.text(x, y, text, ha="center", va="center", fontsize=_fitting_size(text), fontweight="bold",
                  color=_text_colour(colour))


def _fitting_size(text: str) -> float:
    """A font size at which `text` stays inside its cell: bold digits are about 0.65 em wide."""
    return min(9.0, CELL_WIDTH_PT / (0.65 * len(text)))


def _text_colour(background: str) -> str:
    red, green, blue = to_rgb(background)
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.6 else "white"


def _legend_handles() -> list[Patch]:
    handles = [Patch(color=style.colour, label=f"{style.arrow} {style.label}") for style in DIRECTION_STYLES.values()]
    return [*handles, Patch(color=MIXED_COLOUR, label="mixed: cases disagree")]
