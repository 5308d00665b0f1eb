"""Which records a scan keeps, and the cheap test that spares the full extraction for all the others.

`keeps(findings)`: a record is kept (its raw XML goes to corpora/, its case to kb/) when its full extraction
names an engager or reports a flare: the cases flarekb is about. A record that only names, say, a marker or a
checkpoint inhibitor without a flare adds nothing any query of kb/ reads about engager flares.

`might_keep(document)`: True for every document whose extraction could be kept. The extraction names an
engager only from a mention of one of its lexicon forms (name, brand or code name) and reports a flare only
from a mention of a flare word (events.tsv); a short form the paper defines for either stands for a long form
that is itself in the text. So a document in whose text no such form occurs, searched as the extraction's own
matcher searches it (the same folding, the same patterns: mentions.forms_pattern), and that names no engager by
its targets (the extraction's own pattern: unnamed.unnamed_engager_pattern), cannot be kept. The forms
come from the lexicons when a process first asks, so the prefilter follows every lexicon change.

`might_keep_text(text)`: the cheap test that comes first, on a PubMed record's raw text before any Document
is made (pubmed_xml.iter_pubmed_xml): False only where might_keep would be False too. The raw text is the
Document's text before its whitespace is put in order: the same text nodes laid out alike, without the
whitespace the Document's text puts between some of them (or between passages) and without the collapsing
of runs of whitespace, the semicolons between keywords left out. So (folded alike: fold works character by
character) every run of the Document's text without whitespace or ';' is in the raw text, and the two are
the same string without whitespace and hyphens. Both patterns are read for the literals they cannot match
without (literals.necessary_literals, with hyphens gone and runs of whitespace one space, no ';' in them),
and a raw text is looked for them as Necessary.might_match says; one without any of them belongs to a
Document where neither pattern can match. Hence no exception for a record with an inline tag inside a word
(<i>tar</i>latamab: the same text nodes), a comment or CDATA section, an entity or a character reference
(&#946;: decoded by the parser for both), a line break or a hyphen inside a multi-word form, a form across
two passages, Greek letters, odd dashes or case (folded alike in both).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

from extractor import lexicons
from extractor.lexicons.folding import fold
from extractor.models import CaseFindings, Document
from extractor.nlp.mentions import forms_pattern
from extractor.nlp.unnamed import unnamed_engager_pattern
from extractor.scan.literals import Necessary, necessary_literals


def keeps(findings: CaseFindings) -> bool:
    return bool(findings.engagers) or findings.flare.reported


def prefilter_terms() -> list[lexicons.Term]:
    """The lexicon forms whose absence rules a record out: engagers (with brand and code names), flare words."""
    engagers = [term for term in lexicons.terms("drug") if term.detail == "engager"]
    return [*engagers, *lexicons.terms("event")]


@cache
def _pattern() -> re.Pattern[str]:
    return forms_pattern(prefilter_terms())


def might_keep(document: Document) -> bool:
    folded = " " + fold(document.text)
    # an engager named by its targets only ("a CD20xCD3 bispecific antibody") is kept too (nlp/unnamed.py);
    # that pattern starts with no literal, so it is searched only where the literals it needs are there
    return _pattern().search(folded) is not None or (
        _necessary().unnamed.might_match(folded) and unnamed_engager_pattern().search(folded) is not None)


def might_keep_text(text: str) -> bool:
    """False only for a record whose Document might_keep would turn down (`text`: see the module's docstring)."""
    return _necessary().either.might_match(fold(text))


def prepare() -> None:
    """Read the patterns' literals now rather than at the first record (a fifth of a second, once a process)."""
    might_keep_text("")


class _Needs(NamedTuple):
    """What each pattern's matches need (literals.necessary_literals)."""

    forms: Necessary  # the lexicon forms' pattern
    unnamed: Necessary  # the unnamed engagers' pattern
    either: Necessary  # a match of one or the other


@cache
def _necessary() -> _Needs:
    """The patterns' literals, with no semicolon in them: a raw text lacks those between keywords."""
    forms = necessary_literals(_pattern(), cut_at=";")
    unnamed = necessary_literals(unnamed_engager_pattern(), cut_at=";")
    return _Needs(forms, unnamed, forms | unnamed)


# What decides which records a file keeps: the readers, the extraction rules and lexicons, the scan itself.
_DECIDING_PACKAGES = ("sources", "lexicons", "nlp", "scan")


@cache
def extraction_fingerprint() -> str:
    """A digest of the code and lexicons that decide what a scan keeps: a file scanned before any of them
    changed is scanned again (its state names the fingerprint it was scanned with)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for name in _DECIDING_PACKAGES for p in (package / name).rglob("*")
                       if p.suffix in (".py", ".tsv")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
