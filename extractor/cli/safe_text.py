"""The one way flarekb prints to a terminal: text from papers and servers is shown, never obeyed.

Titles, sentences, ids and file names come from documents anyone can write. Printed through Rich as they are,
a `[/x]` in a title is a markup error and `[normal range, <5 mg/L]` vanishes as an unknown tag; printed to a
terminal as they are, ESC and C1 controls clear the screen or forge links. So every command prints through
`console()`: Rich markup, emoji codes and highlighting are off, and every plain string it renders has its
control characters replaced (`terminal_text`). Styling is flarekb's own and goes in as `rich.text.Text`.
`--json` output does not come here: it stays exact (JSON escapes controls itself).
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a reader sees.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACING = frozenset("\t\r")  # layout, not an escape: a space keeps the words apart
REPLACEMENT = "\ufffd"


def terminal_text(text: str) -> str:
    """`text` with every control character replaced (tab and CR by a space, the others by U+FFFD); line
    breaks are kept (a table cell may hold several lines)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda match: " " if match.group() in _SPACING else REPLACEMENT, text)


def one_line(text: str) -> str:
    """`terminal_text` on one line: for error and status messages that quote untrusted text."""
    return terminal_text(text).replace("\n", " ")


class SafeConsole(Console):
    """A Rich console that treats every string as plain text: no markup, no emoji codes, no highlighting,
    control characters replaced. (Table cells and titles given as strings are rendered here too.)"""

    def __init__(self, **options) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(self, text: str, **options) -> Text:
        options.update(markup=False, emoji=False, highlight=False)
        return super().render_str(terminal_text(text), **options)


def console(*, stderr: bool = False) -> Console:
    return SafeConsole(stderr=stderr)


def bold(text: str) -> Text:
    """flarekb's own emphasis around untrusted text."""
    return Text(terminal_text(text), style="bold")
