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
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from extractor import lexicons
from extractor.lexicons.folding import fold
from extractor.models import CaseFindings, Document
from extractor.nlp.mentions import forms_pattern
from extractor.nlp.unnamed import unnamed_engager_pattern


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
    # an engager named by its targets only ("a CD20xCD3 bispecific antibody") is kept too (nlp/unnamed.py)
    return _pattern().search(folded) is not None or unnamed_engager_pattern().search(folded) is not None


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
