"""Plain questions -> the queries of `queries.py`.

Only questions whose intent and subject can be recognised are answered; anything else gets a message that
says what can be asked, never a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from extractor.errors import BadInput
from extractor.models import CaseFindings
from extractor.nlp.lexicons import drug_lexicon, resolve_drug

EXAMPLES = ('"which markers accompany flare with tarlatamab"',)


@dataclass
class Question:
    intent: str  # "markers"
    drugs: set[str] | None  # canonical drug names; None for all drugs


def parse_question(question: str) -> Question:
    words = question.lower()
    if re.search(r"\bmarkers?\b|\bbiomarkers?\b", words):
        return Question("markers", drugs_named_in(question))
    raise BadInput(f"cannot map the question {question!r}; ask for example {', '.join(EXAMPLES)}")


def drugs_named_in(question: str) -> set[str]:
    """Canonical drug names mentioned in the question (brand and code names resolve)."""
    found = set()
    for candidate in _candidate_phrases(question):
        entry = resolve_drug(candidate)
        if entry is not None:
            found.add(entry.name)
    if not found:
        subject = _subject_after_with(question)
        known = sorted({name for entry in drug_lexicon() for name in (entry.name, *entry.synonyms)})
        close = difflib.get_close_matches(subject, known, n=3, cutoff=0.6) if subject else []
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise BadInput(f"no known drug named in {question!r}{hint}")
    return found


def _candidate_phrases(question: str) -> list[str]:
    """Every run of one to three words, so multi-word code names ("AMG 757") resolve too."""
    words = re.findall(r"[\w\-\u2010-\u2015]+", question)
    return [" ".join(words[start:start + size]) for size in (3, 2, 1) for start in range(len(words) - size + 1)]


def _subject_after_with(question: str) -> str:
    match = re.search(r"\b(?:with|after|for|on)\s+([\w\-]+)", question.lower())
    return match.group(1) if match else ""


def case_drugs(findings: list[CaseFindings]) -> set[str]:
    return {drug.name for case in findings for drug in case.drugs}
