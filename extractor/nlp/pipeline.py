"""The spaCy pipeline, built once: a blank English model with scispaCy's biomedical tokenizer and
AbbreviationDetector. No trained model is needed (none can be installed here); sentences and mentions come
from the rule-based code in this package."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from functools import cache

import spacy
from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers "abbreviation_detector")
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc


@cache
def pipeline() -> Language:
    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own tokenizer regexes ("Possible set union")
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("abbreviation_detector")
    return nlp


def abbreviation_pairs(doc: Doc) -> list[tuple[str, str]]:
    """(short form, long form) pairs the AbbreviationDetector found, each once, in text order."""
    pairs = ((span.text, span._.long_form.text) for span in doc._.abbreviations)
    return list(dict.fromkeys(pairs))


def parse_many(texts: Iterable[str], n_process: int = 1) -> Iterator[Doc]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # W036: the detector's global matcher starts empty
        yield from pipeline().pipe(texts, n_process=n_process, batch_size=32)
