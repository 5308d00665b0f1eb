"""How texts and lexicon forms are compared: case, dash variants, odd spaces and Greek letters folded away,
character offsets kept (a folded text has the length of the original, so a match found in the folded text
slices the original at the same place).
"""

from __future__ import annotations

# Dash variants (the seeds use U+2010), minus signs and odd spaces become their ASCII form; Greek letters
# become the Latin letter their names start with (TNF-α -> tnf-a, IFN-γ -> ifn-g, κ -> k).
_MARKS = str.maketrans(
    {
        **{dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad"},
        **{space: " " for space in "\u00a0\u2002\u2003\u2009\u202f\u200a"},
        **dict(zip("αβγδεκλμ", "abgdeklm")),
        **dict(zip("ΑΒΓΔΕΚΛΜ", "ABGDEKLM")),
        "\u2019": "'",
        "\u2018": "'",
        "\u00b5": "u",
    }
)


_ASCII = bytes(range(128))


def fold_marks(text: str) -> str:
    """Dashes, spaces and Greek letters to ASCII, case kept (text.translate(_MARKS)). Same length as `text`."""
    if text.isascii():
        return text
    # Only the few distinct non-ASCII characters are looked up (the text's UTF-8 without its ASCII bytes holds
    # each of them), then one str.replace per character to fold: on the benchmark's PubMed abstracts a regex
    # search for them took 2.4x the time, and str.translate, which looks every character up in the table, 29x.
    for mark in set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")):
        folded = _MARKS.get(ord(mark))
        if folded is not None:
            text = text.replace(mark, folded)
    return text


def fold(text: str) -> str:
    """fold_marks() and lowercase. Same length as `text` (characters whose lowercase is longer are kept)."""
    return fold_case(fold_marks(text))


def fold_case(folded: str) -> str:
    """Lowercase, the same length (characters whose lowercase is longer are kept): fold(text) is
    fold_case(fold_marks(text)), for a caller that needs both."""
    lowered = folded.lower()
    if folded.isascii():
        return lowered
    if len(lowered) == len(folded):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
