"""PMID, PMCID and DOI: validate, normalise, and find them in text or file names.

Identifiers become file names in corpora/ and parts of E-utilities URLs, so nothing unvalidated gets past
`normalise_pmid` / `normalise_pmcid` (issue 7 item 6). The `is_*` checks never raise; `normalise_*` raise
BadInput with a one-line message; `find_*` return None when the text holds no such identifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extractor.errors import BadInput

# PubMed ids are positive integers; today they have 8 digits, the 9th leaves room for growth.
_PMID = re.compile(r"[1-9][0-9]{0,8}")
_PMID_LABEL = re.compile(r"^PMID:?\s*", re.IGNORECASE)
_PMCID = re.compile(r"PMC([1-9][0-9]{0,9})(?:\.[0-9]+)?", re.IGNORECASE)  # ".1" is a version suffix
# Crossref's recommended pattern: prefix 10.NNNN, then any suffix without spaces, quotes, angle brackets or
# control characters (a DOI goes into GraphML, file names and URLs: a control there breaks every reader).
_DOI = re.compile(r"10\.[0-9]{4,9}/[^\s\"<>\x00-\x1f\x7f-\x9f]+")
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)

_PMID_IN_TEXT = re.compile(r"\bPMID:?\s*([1-9][0-9]{0,8})\b", re.IGNORECASE)
_PMCID_IN_TEXT = re.compile(r"\bPMC[1-9][0-9]{0,9}\b", re.IGNORECASE)
_PMID_IN_NAME = re.compile(r"(?:^|[_.\-])(?:pubmed|pmid)[_\-]?([1-9][0-9]{0,8})(?=$|[_.\-])", re.IGNORECASE)
_PMCID_IN_NAME = re.compile(r"(?:^|[_.\-])pmc([1-9][0-9]{0,9})(?=$|[_.\-])", re.IGNORECASE)
_BARE_PMID_NAME = re.compile(r"[1-9][0-9]{0,8}")


@dataclass(frozen=True)
class Identifiers:
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None

    def or_else(self, other: Identifiers) -> Identifiers:
        """Fill the identifiers this one lacks from `other`."""
        return Identifiers(self.pmid or other.pmid, self.pmcid or other.pmcid, self.doi or other.doi)


def is_pmid(value: str) -> bool:
    return isinstance(value, str) and _PMID.fullmatch(value) is not None


def normalise_pmid(value: str) -> str:
    """'40827251', ' PMID: 40827251 ' -> '40827251'; anything else is BadInput."""
    text = _PMID_LABEL.sub("", str(value).strip())
    if not is_pmid(text):
        raise BadInput(f"not a PubMed id: {_shown(value)} (expected a positive integer of up to 9 digits)")
    return text


def is_pmcid(value: str) -> bool:
    """True for the canonical form only: 'PMC' and digits, no version."""
    return isinstance(value, str) and re.fullmatch(r"PMC[1-9][0-9]{0,9}", value) is not None


def normalise_pmcid(value: str) -> str:
    """'PMC123', 'pmc123', '123', 'PMC123.1' -> 'PMC123'; anything else is BadInput."""
    text = str(value).strip()
    if text.isdigit():
        text = "PMC" + text
    match = _PMCID.fullmatch(text)
    if match is None:
        raise BadInput(f"not a PMC id: {_shown(value)} (expected PMC followed by digits)")
    return "PMC" + match.group(1)


def is_doi(value: str) -> bool:
    return isinstance(value, str) and _DOI.fullmatch(value) is not None and _strip_doi_end(value) == value


def normalise_doi(value: str) -> str:
    """'doi:10.1002/RCR2.70319.', 'https://doi.org/10.1002/rcr2.70319' -> '10.1002/rcr2.70319'.

    DOIs are case-insensitive, so the canonical form is lowercase: the same paper matches across sources.
    """
    text = _DOI_PREFIXES.sub("", str(value).strip())
    text = _strip_doi_end(text)
    if _DOI.fullmatch(text) is None:
        raise BadInput(f"not a DOI: {_shown(value)} (expected 10.NNNN/suffix)")
    return text.lower()


def valid_or_none(normalise: Callable[[str], str], value: str | None) -> str | None:
    """`normalise(value)`, or None when the value is missing or malformed (for ids inside fetched records)."""
    if not value:
        return None
    try:
        return normalise(value)
    except BadInput:
        return None


def find_pmid(text: str) -> str | None:
    """The first PMID labelled as such ('PMID: 123'); bare numbers are too ambiguous to count."""
    match = _PMID_IN_TEXT.search(text)
    return match.group(1) if match else None


def find_pmcid(text: str) -> str | None:
    match = _PMCID_IN_TEXT.search(text)
    return normalise_pmcid(match.group(0)) if match else None


def find_doi(text: str) -> str | None:
    match = _DOI.search(text)
    if match is None:
        return None
    doi = _strip_doi_end(match.group(0))
    return doi.lower() if _DOI.fullmatch(doi) else None


def find_identifiers(text: str) -> Identifiers:
    """The first PMID, PMCID and DOI in `text` (call it on the article's own part, before its references)."""
    return Identifiers(find_pmid(text), find_pmcid(text), find_doi(text))


def identifiers_from_filename(name: str) -> Identifiers:
    """Ids encoded in a file name: 'pubmed_40827251_nakano.txt', 'pmc12983044_x.md', 'PMC123.xml', '40827251.xml'."""
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
    pmid_match = _PMID_IN_NAME.search(stem)
    pmcid_match = _PMCID_IN_NAME.search(stem)
    pmid = pmid_match.group(1) if pmid_match else None
    if pmid is None and _BARE_PMID_NAME.fullmatch(stem):
        pmid = stem
    pmcid = "PMC" + pmcid_match.group(1) if pmcid_match else None
    return Identifiers(pmid=pmid, pmcid=pmcid)


def _strip_doi_end(doi: str) -> str:
    """Drop sentence punctuation after a DOI; keep a closing bracket the DOI itself opened: '...(20)30183-5'."""
    while doi and doi[-1] in ".,;:'])}":
        closing = doi[-1]
        opening = {")": "(", "]": "[", "}": "{"}.get(closing)
        if opening and doi.count(opening) >= doi.count(closing):
            break
        doi = doi[:-1]
    return doi


def _shown(value: object) -> str:
    """The offending value for an error message, short and on one line."""
    text = repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


def document_id(ids: Identifiers, name: str) -> str:
    """Document.id: the PMID if any, else the PMCID, else the DOI, else the file's stem."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
    return ids.pmid or ids.pmcid or ids.doi or stem or name
