"""The spaCy side: a blank English pipeline with scispaCy's biomedical tokenizer (built once), and the
abbreviations a document defines, found with scispaCy's AbbreviationDetector algorithm (Schwartz & Hearst:
`filter_matches` + `find_abbreviation`). No trained model is needed (none can be installed here).

The detector component itself matches every "( ... )" token span with a wildcard Matcher and then searches
the whole document again for each short form; that costs four times the tokenizer. flarekb needs only the
(short, long) definitions, and finds later uses of a short form itself (mentions.short_form_mentions), so
the bracket spans come from one regular expression over the text and the same scispaCy functions judge them.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from functools import cache

import spacy
from scispacy.abbreviation import filter_matches, find_abbreviation
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc

_BRACKETED = re.compile(r"\(([^()]{1,80})\)")


@cache
def pipeline() -> Language:
    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own tokenizer regexes ("Possible set union")
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    return nlp


def abbreviation_pairs(doc: Doc) -> list[tuple[str, str]]:
    """(short form, long form) definitions in the document, each once, in text order."""
    brackets = []
    for match in _BRACKETED.finditer(doc.text):
        inside = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if inside is not None and inside.start > 0:
            brackets.append((-1, inside.start, inside.end))
    pairs = []
    for long_candidate, short_candidate in filter_matches(brackets, doc):
        short, long = find_abbreviation(long_candidate, short_candidate)
        if long is not None:
            pairs.append((short.text, long.text))
    return list(dict.fromkeys(pairs))


def parse_many(texts: Iterable[str], n_process: int = 1) -> Iterator[Doc]:
    yield from pipeline().pipe(texts, n_process=n_process, batch_size=64)
