"""How findings look in pictures and in the report: one colour, arrow and word per marker direction.

Colours follow the usual clinical reading (up = warm red, down = blue) and stay apart for colour-blind
readers (Okabe-Ito palette). The same table drives the timeline, the signature heatmap and the report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DirectionStyle:
    colour: str
    arrow: str  # the one character drawn in cells and tables
    label: str  # legend wording


DIRECTION_STYLES = {
    "increased": DirectionStyle("#D55E00", "\u2191", "increased"),
    "decreased": DirectionStyle("#0072B2", "\u2193", "decreased"),
    "positive": DirectionStyle("#CC79A7", "+", "positive / present"),
    "negative": DirectionStyle("#009E73", "\u2212", "negative / absent"),
    "normal": DirectionStyle("#7F7F7F", "=", "normal"),
}
MIXED_COLOUR = "#E6C229"  # a cell whose cases disagree on the direction

FLARE_COLOUR = "#E69F00"  # the flare window and the flare seen on imaging
REGRESSION_COLOUR = "#009E73"
DOSE_COLOUR = "#333333"


def direction_style(direction: str) -> DirectionStyle:
    """The style of a direction; an unexpected word is drawn neutral rather than failing the whole picture."""
    return DIRECTION_STYLES.get(direction, DirectionStyle("#999999", "?", direction))
