"""Reading a drawn matplotlib figure back: the texts a reader sees and where they land on the canvas."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


def drawn_texts(figure: Figure) -> list[tuple[str, Bbox]]:
    """Every non-empty visible text after drawing, with its box in pixels."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden = {label for axes in figure.axes for label in _tick_labels_out_of_view(axes)}
    boxes = []
    for text in figure.findobj(Text):
        if text.get_visible() and text.get_text().strip() and text not in hidden:
            boxes.append((text.get_text(), text.get_window_extent(renderer)))
    return boxes


def overlapping_texts(figure: Figure, tolerance: float = 1.0) -> list[tuple[str, str]]:
    boxes = drawn_texts(figure)
    clashes = []
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1:]:
            if (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance):
                clashes.append((first, second))
    return clashes


def texts_outside(figure: Figure) -> list[str]:
    width, height = figure.bbox.width, figure.bbox.height
    return [text for text, box in drawn_texts(figure)
            if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1]


def _tick_labels_out_of_view(axes) -> list[Text]:
    """Tick labels the locator made beyond the axis limits: matplotlib never draws them."""
    hidden = []
    for axis, limits in ((axes.xaxis, axes.get_xlim()), (axes.yaxis, axes.get_ylim())):
        low, high = sorted(limits)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                hidden += [tick.label1, tick.label2]
    return hidden
