"""What every picture shares: matplotlib without a display, deterministic files, a message for empty input.

Figures are built with `matplotlib.figure.Figure` directly, never pyplot, so no interactive backend and no
global figure state is involved: the Agg canvas renders them headless.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

from extractor.atomicfile import write_output
from extractor.errors import BadInput, KnowledgeBaseError

if TYPE_CHECKING:  # the CLI imports this module for its checks; matplotlib loads with the plot modules
    from matplotlib.figure import Figure

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DPI = 150
# No creation date or software version in the file: the same findings give the same bytes.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
             "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}


# Labels hold ids, file names and titles from papers and users: a `$...$` in them is text, never mathtext (a
# lone `$x^$` is a mathtext syntax error that would stop the whole picture). Set while a figure is built, as
# each label reads it when it is made, and while it is saved, as tick labels are made when drawn.
PLAIN_TEXT = {"text.parse_math": False}
P = ParamSpec("P")


def plain_text_labels(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Build the figure with every label drawn as plain text (PLAIN_TEXT)."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> Figure:
        from matplotlib import rc_context

        with rc_context(PLAIN_TEXT):
            return draw(*args, **kwargs)

    return drawn


class NothingToPlot(KnowledgeBaseError):
    """The knowledge base holds nothing this picture could show."""


def output_format(path: Path) -> str:
    """The file format the suffix of `path` asks for; BadInput for one matplotlib should not guess."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BadInput(f"{path}: the picture must end in {', '.join(FORMATS)}")
    return FORMATS[suffix]


def save_figure(figure: Figure, path: Path) -> Path:
    """Write the picture whole or not at all, like every file flarekb writes."""
    path = Path(path)
    file_format = output_format(path)
    if not path.parent.is_dir():
        raise BadInput(f"{path}: directory {path.parent} does not exist")
    from matplotlib import rc_context  # here, not at the top: `flarekb --help` need not load matplotlib

    buffer = io.BytesIO()
    # A fixed salt keeps the SVG element ids (random by default) the same from run to run.
    with rc_context({"svg.hashsalt": "flarekb", **PLAIN_TEXT}):
        figure.savefig(buffer, format=file_format, dpi=DPI, metadata=_METADATA[file_format])
    try:
        write_output(path, buffer.getvalue())  # a FIFO or device named by -o is written into, not replaced
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot write the picture ({error.strerror or error})") from error
    return path


def png_bytes(figure: Figure, dpi: int = DPI) -> bytes:
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context(PLAIN_TEXT):
        figure.savefig(buffer, format="png", dpi=dpi, metadata=_METADATA["png"])
    return buffer.getvalue()
