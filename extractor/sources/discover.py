"""Finding more reports like the seeds: a PubMed query built from term lists, and PubMed's related articles.

sources/ sits before nlp/ in the flow, so the terms come in as arguments (the CLI passes the lexicons):

    query = discovery_query(drug_terms=["tarlatamab", "imdelltra", ...], flare_terms=["pseudoprogression", ...])
    -> ("tarlatamab" OR "imdelltra" ...) AND ("pseudoprogression" OR ...) AND ("case reports"[pt] OR "letter"[pt])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extractor.sources.eutils import MAX_BATCH, EutilsClient

# Case reports come as case reports or as letters to the editor; reviews and trials are not what we read.
REPORT_TYPES = '("case reports"[Publication Type] OR "letter"[Publication Type])'


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


def _any_of(terms: Iterable[str]) -> str:
    """'("a" OR "b c")': each term a quoted phrase, duplicates and lexicon gap markers ('...') left out."""
    unique: dict[str, None] = {}
    for term in terms:
        phrase = " ".join(term.replace('"', " ").split()).lower()
        if phrase and "..." not in phrase:
            unique[phrase] = None
    return "(" + " OR ".join(f'"{phrase}"' for phrase in unique) + ")" if unique else ""
