"""CSV cells that a spreadsheet shows, never runs.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before looking) is a formula to Excel, LibreOffice and Google Sheets: an abstract starting
`=HYPERLINK("http://evil.example","x")` would be a live link in the exported edges. OWASP's rule for CSV
injection: prefix such a text cell with a single quote, which spreadsheets show as text and do not display.
Numbers stay numbers (a day of -3 is an int, not text).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """A CSV cell's value: text that a spreadsheet would read as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
