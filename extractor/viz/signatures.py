"""The signature heatmap: drugs (rows) against markers (columns), each cell the number of flare cases.

Rows are engagers grouped by target class (DLL3 x CD3, BCMA x CD3, ...), with the neighbouring therapies
(checkpoint inhibitors, CAR-T, ...) in a last group below, so a reader compares like with like. A cell is
coloured by the direction its cases report; cases that disagree make a "mixed" cell that shows both counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from extractor.graph.index import ENGAGER, KnowledgeIndex
from extractor.graph.queries import drugs_with_flare, marker_signatures
from extractor.viz.figures import NothingToPlot, plain_text_labels
from extractor.viz.style import DIRECTION_STYLES, MIXED_COLOUR, direction_style

NEIGHBOURS = "neighbouring therapies"
COLUMN_INCHES = 0.62
CELL_WIDTH_PT = 0.9 * COLUMN_INCHES * 72  # room for a cell's text, a little inside its coloured box
MAX_MARKERS = 30  # columns in the picture; the report's table lists every marker


@dataclass
class SignatureLine:
    """One drawn row: a drug and, per marker, how many of its flare cases report each direction."""

    drug: str
    role: str
    n_cases: int  # cases with a flare attributed to this drug
    cells: dict[str, dict[str, int]] = field(default_factory=dict)  # marker -> direction -> cases


@dataclass
class SignatureTable:
    groups: list[tuple[str, list[SignatureLine]]]  # (group label, its rows), engager classes first
    markers: list[str]  # columns, most reported first

    @property
    def rows(self) -> list[SignatureLine]:
        return [row for _, rows in self.groups for row in rows]


def signature_table(index: KnowledgeIndex) -> SignatureTable:
    """The heatmap's content: drugs with a flare report, grouped, against the markers seen with their flares."""
    lines = {row.drug: SignatureLine(row.drug, row.role, row.n_cases) for row in drugs_with_flare(index)}
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
    markers = table.markers[:MAX_MARKERS]
    n_columns = max(len(markers), 1)

    figure = Figure(figsize=(3.2 + COLUMN_INCHES * n_columns, 2.6 + 0.42 * len(lines)), layout="constrained")
    axes = figure.add_subplot()
    axes.set_xlim(-0.5, n_columns - 0.5)
    axes.set_ylim(len(lines) - 0.5, -0.5)
    axes.set_xticks(range(len(markers)), markers, rotation=90)  # upright names never collide
    axes.xaxis.tick_top()
    labels = ["" if isinstance(line, str) else f"{line.drug} ({_cases(line.n_cases)})" for line in lines]
    axes.set_yticks(range(len(lines)), labels)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)

    for y, line in enumerate(lines):
        if isinstance(line, str):
            axes.add_patch(Rectangle((-0.5, y - 0.5), n_columns, 1, color="#E8E8E8", linewidth=0))
            axes.text(-0.45, y, line, va="center", ha="left", fontsize=9, fontweight="bold", color="#333333")
            continue
        for x, marker in enumerate(markers):
            _draw_cell(axes, x, y, line.cells.get(marker, {}))
    if not markers:
        axes.text((n_columns - 1) / 2, len(lines) / 2, "no markers reported with these flares",
                  ha="center", va="center", fontsize=9, color="#666666")

    figure.suptitle("Markers reported with flare, per drug", fontsize=13, fontweight="bold")
    if len(table.markers) > len(markers):
        left_out = len(table.markers) - len(markers)
        axes.set_title(f"the {len(markers)} markers reported most; {left_out} more are left out of the picture",
                       loc="left", fontsize=9, color="#444444")
    figure.legend(handles=_legend_handles(), loc="outside lower center", ncol=3, fontsize=8, frameon=False,
                  title="cell = number of cases; colour = direction they report", title_fontsize=8)
    return figure


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


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


def _draw_cell(axes, x: int, y: int, counts: dict[str, int]) -> None:
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
