"""Finding more reports like the seeds: a PubMed query built from term lists, and PubMed's related articles.

The terms come from the lexicons (`drug_terms()`, `flare_terms()`) or from the caller:

    query = discovery_query(drug_terms=["tarlatamab", "imdelltra", ...], flare_terms=["pseudoprogression", ...])
    -> ("tarlatamab" OR "imdelltra" ...) AND ("pseudoprogression" OR ...) AND ("case reports"[pt] OR "letter"[pt])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extractor import lexicons
from extractor.sources.eutils import MAX_BATCH, EutilsClient

# Case reports come as case reports or as letters to the editor; reviews and trials are not what we read.
REPORT_TYPES = '("case reports"[Publication Type] OR "letter"[Publication Type])'
SHORT_FORM_LETTERS = 3  # "psp", "tfr": match unrelated papers in PubMed, left out of the discovery query


def discovery_query(drug_terms: Iterable[str], flare_terms: Iterable[str]) -> str:
    """Any of the drugs AND any of the flare words, restricted to case reports and letters."""
    drugs, flares = _any_of(drug_terms), _any_of(flare_terms)
    if not drugs or not flares:
        raise ValueError("a discovery query needs at least one drug term and one flare term")
    return f"{drugs} AND {flares} AND {REPORT_TYPES}"


def related_articles(client: EutilsClient, pmids: Sequence[str], *, limit: int = 200) -> list[str]:
    """Up to `limit` PMIDs PubMed lists as related (elink pubmed_pubmed) to `pmids`, not `pmids` themselves."""
    known = set(pmids)
    related: dict[str, None] = {}
    for start in range(0, len(pmids), MAX_BATCH):
        for pmid in client.elink(pmids[start : start + MAX_BATCH], "pubmed_pubmed"):
            if pmid not in known:
                related[pmid] = None
        if len(related) >= limit:
            break
    return list(related)[:limit]


def flare_terms() -> list[str]:
    """The flare words in American and British spelling: a quoted PubMed phrase matches only as written."""
    terms = [term for term in lexicons.flare_terms() if not _ambiguous_short_form(term)]
    british = [term.replace(us, uk) for term in terms for us, uk in lexicons.spelling_pairs() if us in term]
    return list(dict.fromkeys([*terms, *british]))


def drug_terms() -> list[str]:
    """Every engager by canonical, brand and code name."""
    return list(dict.fromkeys(term for drug in lexicons.drug_lexicon() if drug.role == "engager"
                              for term in (drug.name, *drug.synonyms) if not _ambiguous_short_form(term)))


def _ambiguous_short_form(term: str) -> bool:
    """A bare short form ("psp", "tfr"): in PubMed it means other things too (progressive supranuclear palsy,
    transferrin receptor), so as a discovery term it pulls in unrelated papers."""
    return term.isalpha() and len(term) <= SHORT_FORM_LETTERS


def _any_of(terms: Iterable[str]) -> str:
    """'("a" OR "b c")': each term a quoted phrase, duplicates and lexicon gap markers ('...') left out."""
    unique: dict[str, None] = {}
    for term in terms:
        phrase = " ".join(term.replace('"', " ").split()).lower()
        if phrase and "..." not in phrase:
            unique[phrase] = None
    return "(" + " OR ".join(f'"{phrase}"' for phrase in unique) + ")" if unique else ""
