"""One case on a time axis, in days after the first dose: the dose, imaging, and every marker in its own lane.

    lane 0   <drug> dose       first dose at day 0
    lane 1   imaging           flare seen (label above the point), regression (label below: they never collide)
    lane 2+  one per marker    a point with an arrow up/down (or +, -, =) at the day it was reported

The flare window (onset to regression) is shaded across all lanes. Findings whose day the text does not
give go to a narrow "day not stated" panel on the right, in the same lanes, instead of being dropped; a case
whose text states no day at all gets that panel alone, not an empty time axis. A day counted from weeks or
months ("1 month" = 30) is drawn hollow with a bar of its uncertainty and "≈", not as an exact day. Marker
lanes are named as clinicians write them (IL-6, pro-GRP).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from extractor.graph.display import marker_display
from extractor.graph.queries import CaseTimeline, TimelineEvent, case_timeline
from extractor.models import CaseFindings
from extractor.viz.figures import plain_text_labels
from extractor.viz.style import DOSE_COLOUR, FLARE_COLOUR, REGRESSION_COLOUR, direction_style

IMAGING_LANE = "imaging"
ARROW_LENGTH = 0.34  # in lanes: an arrow stays inside its own lane
# Directions without an up/down reading are drawn as a symbol above the point.
SYMBOL_MARKERS = {"positive": "$+$", "negative": "$\u2212$", "normal": "$=$"}
LEGEND_MARKERS = {"increased": "$\\uparrow$", "decreased": "$\\downarrow$", **SYMBOL_MARKERS}
APPROXIMATE_SPREAD = 0.25  # a day counted from weeks or months: drawn with a bar of a quarter of it either side


def case_label(case: CaseFindings | CaseTimeline) -> str:
    """How a case is named to people: its PMID, else its PMCID or DOI."""
    if case.pmid:
        return f"PMID {case.pmid}"
    if case.pmcid:
        return case.pmcid
    return f"doi:{case.doi}" if case.doi else case.id


@plain_text_labels
def plot_timeline(case: CaseFindings) -> Figure:
    timeline = case_timeline(case)
    drug = _anchor_drug(timeline)
    markers = marker_lanes(timeline)
    lane_names = [f"{drug} dose", IMAGING_LANE, *(marker_display(name) for name in markers)]
    flare = _first(timeline, "flare")
    resolution = _first(timeline, "resolution")
    undated = _undated_points(flare, markers)

    figure = Figure(figsize=(10, 2.4 + 0.42 * len(lane_names)), layout="constrained")
    if not has_stated_days(timeline):
        return _undated_only(figure, timeline, drug, lane_names, undated)
    if undated:
        grid = figure.add_gridspec(1, 2, width_ratios=[7, 1.3])
        axes = figure.add_subplot(grid[0])
        side = figure.add_subplot(grid[1], sharey=axes)
    else:
        axes, side = figure.add_subplot(), None

    _draw_lanes(axes, lane_names)
    axes.set_xlim(*_day_range(timeline))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"days after the first dose of {drug}")
    axes.axvline(0, color=DOSE_COLOUR, linewidth=0.8, linestyle=":")
    _draw_flare_window(axes, flare, resolution)
    _draw_dose(axes)
    _draw_imaging(axes, flare, resolution, lane=1)
    for lane, events in enumerate(markers.values(), start=2):
        for event in events:
            if event.day is not None:
                _draw_marker(axes, event.day, lane, event.direction, event.approximate)
    if side is not None:
        _draw_undated(side, undated)

    figure.suptitle(f"{drug} \u2014 {case_label(timeline)}", fontsize=13, fontweight="bold")
    axes.set_title(_subtitle(timeline), loc="left", fontsize=9, color="#444444")
    figure.legend(handles=_legend_handles(timeline, flare, resolution), loc="outside lower center", ncol=3,
                  fontsize=9, frameon=False)
    return figure


def has_stated_days(timeline: CaseTimeline) -> bool:
    """Whether the text dates anything beyond the first dose (day 0 by definition)."""
    return any(event.day is not None for event in timeline.events if event.kind != "dose")


def _undated_only(figure: Figure, timeline: CaseTimeline, drug: str, lane_names: list[str],
                  undated: list[tuple[int, str]]) -> Figure:
    """A case whose text gives no day: its findings in their lanes, without a time axis to leave empty."""
    panel = figure.add_subplot()
    _draw_lanes(panel, lane_names)
    _draw_undated(panel, [(0, "dose"), *undated], labels=True)
    panel.set_title("the paper states no day for these findings", fontsize=9, color="#444444")
    figure.suptitle(f"{drug} \u2014 {case_label(timeline)}", fontsize=13, fontweight="bold")
    figure.legend(handles=_legend_handles(timeline, None, None), loc="outside lower center", ncol=3, fontsize=9,
                  frameon=False)
    figure.text(0.01, 0.99, _subtitle(timeline), ha="left", va="top", fontsize=9, color="#444444")
    return figure


def marker_lanes(timeline: CaseTimeline) -> dict[str, list[TimelineEvent]]:
    """Marker events grouped by marker; lanes by first stated day (undated-only markers last), then name."""
    lanes: dict[str, list[TimelineEvent]] = {}
    for event in timeline.events:
        if event.kind == "marker":
            lanes.setdefault(event.what, []).append(event)

    def first_day(name: str) -> tuple[int, int, str]:
        days = [event.day for event in lanes[name] if event.day is not None]
        return (0, min(days), name) if days else (1, 0, name)

    return {name: lanes[name] for name in sorted(lanes, key=first_day)}


def _anchor_drug(timeline: CaseTimeline) -> str:
    """The drug whose first dose is day 0: the engagers when there are any, else the first therapy named."""
    dose = _first(timeline, "dose")
    if dose is not None:
        return dose.what
    return timeline.drugs[0] if timeline.drugs else "therapy"


def _first(timeline: CaseTimeline, kind: str) -> TimelineEvent | None:
    return next((event for event in timeline.events if event.kind == kind), None)


def _subtitle(timeline: CaseTimeline) -> str:
    parts = [timeline.disease or "disease not stated"]
    if not timeline.flare_reported:
        parts.append("no flare reported")
    return " \u00b7 ".join(parts)


def _day_range(timeline: CaseTimeline) -> tuple[float, float]:
    days = [0, *(event.day for event in timeline.events if event.day is not None)]
    low, high = min(days), max(days)
    high = max(high, low + 7)  # a week at least, so a day-0-only case is not a squeezed line
    pad = max(1.0, (high - low) * 0.06)
    return low - pad, high + pad


def _draw_lanes(axes, lane_names: Sequence[str]) -> None:
    axes.set_yticks(range(len(lane_names)), lane_names)
    axes.set_ylim(len(lane_names) - 0.5, -0.5)  # first lane on top
    for lane in range(len(lane_names) - 1):
        axes.axhline(lane + 0.5, color="#DDDDDD", linewidth=0.8)
    axes.axhline(1.5, color="#999999", linewidth=1.0)  # treatment and imaging above, markers below
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    axes.set_axisbelow(True)


def flare_window(flare: TimelineEvent | None, resolution: TimelineEvent | None) -> tuple[int, int | None] | None:
    """(onset, end) of the shaded window; end None when the text gives no regression after the onset."""
    if flare is None or flare.day is None:
        return None
    end = resolution.day if resolution is not None else None
    return flare.day, end if end is not None and end >= flare.day else None


def _draw_flare_window(axes, flare: TimelineEvent | None, resolution: TimelineEvent | None) -> None:
    window = flare_window(flare, resolution)
    if window is None:
        return
    onset, end = window
    if end is not None:
        axes.axvspan(onset, end, color=FLARE_COLOUR, alpha=0.18, linewidth=0)
    else:  # flare seen, end not stated: shade to the edge, hatched to say it is open-ended
        axes.axvspan(onset, axes.get_xlim()[1], facecolor=FLARE_COLOUR, alpha=0.12, hatch="//",
                     edgecolor=FLARE_COLOUR, linewidth=0)


def _draw_dose(axes) -> None:
    axes.plot([0], [0], marker="v", markersize=10, color=DOSE_COLOUR, linestyle="none")
    axes.annotate("first dose", (0, 0), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8)


def _draw_imaging(axes, flare: TimelineEvent | None, resolution: TimelineEvent | None, lane: int) -> None:
    if flare is not None and flare.day is not None:
        _approximate_bar(axes, flare, lane, FLARE_COLOUR)
        axes.plot([flare.day], [lane], marker="D", markersize=8, color=FLARE_COLOUR, linestyle="none",
                  markerfacecolor="white" if flare.approximate else FLARE_COLOUR)
        axes.annotate(f"flare \u2248 day {flare.day}" if flare.approximate else "flare", (flare.day, lane),
                      xytext=(0, 6), textcoords="offset points", ha="center", va="bottom", fontsize=8,
                      color="#8A5A00")
    if resolution is not None and resolution.day is not None:
        axes.plot([resolution.day], [lane], marker="o", markersize=8, color=REGRESSION_COLOUR, linestyle="none")
        axes.annotate("regression", (resolution.day, lane), xytext=(0, -6), textcoords="offset points",
                      ha="center", va="top", fontsize=8, color="#00603F")


def _approximate_bar(axes, event: TimelineEvent, lane: int, colour: str) -> None:
    """The spread of a day counted from weeks or months, drawn as a bar through its point."""
    if event.approximate and event.day is not None:
        spread = max(1.0, APPROXIMATE_SPREAD * event.day)
        axes.plot([event.day - spread, event.day + spread], [lane, lane], color=colour, linewidth=2.5, alpha=0.45,
                  solid_capstyle="butt", zorder=2)


def _draw_marker(axes, x: float, lane: int, direction: str, approximate: bool = False) -> None:
    style = direction_style(direction)
    if approximate:
        _approximate_bar(axes, TimelineEvent(int(x), "marker", "", direction, approximate=True), lane, style.colour)
    axes.plot([x], [lane], marker="o", markersize=6 if approximate else 5, color=style.colour, linestyle="none",
              zorder=3, markerfacecolor="white" if approximate else style.colour)
    if direction in ("increased", "decreased"):
        tip = lane - ARROW_LENGTH if direction == "increased" else lane + ARROW_LENGTH
        axes.annotate("", xy=(x, tip), xytext=(x, lane), zorder=3,
                      arrowprops={"arrowstyle": "-|>", "color": style.colour, "linewidth": 1.6,
                                  "shrinkA": 0, "shrinkB": 0, "mutation_scale": 12})
    else:
        axes.plot([x], [lane - 0.25], marker=SYMBOL_MARKERS.get(direction, "$?$"), markersize=8,
                  color=style.colour, linestyle="none", zorder=3)


def _undated_points(flare: TimelineEvent | None,
                    markers: dict[str, list[TimelineEvent]]) -> list[tuple[int, str]]:
    """(lane, what) for every finding without a day: 'flare' in the imaging lane, else a marker direction."""
    points = []
    if flare is not None and flare.day is None:
        points.append((1, "flare"))
    for lane, events in enumerate(markers.values(), start=2):
        points.extend((lane, event.direction) for event in events if event.day is None)
    return points


def _draw_undated(side, points: list[tuple[int, str]], labels: bool = False) -> None:
    side.set_facecolor("#F4F4F4")
    side.set_xlim(0, 1)
    side.set_xticks([])
    side.tick_params(axis="y", labelleft=labels, length=0)
    side.set_title("day not stated", fontsize=9, color="#444444")
    for lane in range(int(side.get_ylim()[0] + 0.5) - 1):
        side.axhline(lane + 0.5, color="#DDDDDD", linewidth=0.8)
    per_lane: dict[int, list[str]] = {}
    for lane, what in points:
        per_lane.setdefault(lane, []).append(what)
    for lane, items in per_lane.items():
        for index, what in enumerate(items):
            x = (index + 1) / (len(items) + 1)  # spread several undated findings of one lane
            if what == "dose":
                side.plot([x], [lane], marker="v", markersize=10, color=DOSE_COLOUR, linestyle="none")
            elif what == "flare":
                side.plot([x], [lane], marker="D", markersize=8, color=FLARE_COLOUR, linestyle="none")
                side.annotate("flare", (x, lane), xytext=(0, 6), textcoords="offset points", ha="center",
                              va="bottom", fontsize=8, color="#8A5A00")
            else:
                _draw_marker(side, x, lane, what)


def _legend_handles(timeline: CaseTimeline, flare: TimelineEvent | None,
                    resolution: TimelineEvent | None) -> list:
    handles: list = [Line2D([], [], marker="v", color=DOSE_COLOUR, linestyle="none", label="first dose (day 0)")]
    if flare is not None:
        seen = flare.what.replace("; ", ", ") or "flare"
        handles.append(Line2D([], [], marker="D", color=FLARE_COLOUR, linestyle="none",
                              label=textwrap.fill(f"flare on imaging: {seen}", 40)))
        window = flare_window(flare, resolution)
        if window is not None:
            onset, end = window
            text = f"day {onset}\u2013{end}" if end is not None else f"from day {onset}, end not stated"
            handles.append(Patch(facecolor=FLARE_COLOUR, alpha=0.25, label=f"flare window ({text})"))
    if resolution is not None:
        handles.append(Line2D([], [], marker="o", color=REGRESSION_COLOUR, linestyle="none",
                              label="regression on imaging"))
    if any(event.approximate for event in timeline.events):
        handles.append(Line2D([], [], marker="o", color="#555555", markerfacecolor="white", linewidth=2.5,
                              alpha=0.7, label="\u2248 day counted from weeks or months"))
    directions = dict.fromkeys(event.direction for event in timeline.events if event.kind == "marker")
    for direction in directions:
        style = direction_style(direction)
        handles.append(Line2D([], [], marker=LEGEND_MARKERS.get(direction, "o"), markersize=9,
                              color=style.colour, linestyle="none", label=style.label))
    return handles
