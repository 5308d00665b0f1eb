"""PubMed XML -> Documents: efetch db=pubmed answers and baseline/update files, streamed record by record.

One Document per PubmedArticle or PubmedBookArticle; the PMIDs of a DeleteCitation are reported, not parsed
into documents. Identifiers come only from the record's own PubmedData/ArticleIdList (plus
MedlineCitation/PMID): the ArticleIdLists of its reference list belong to other papers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from extractor.errors import BadInput
from extractor.models import Document, Passage
from extractor.sources.identifiers import (
    Identifiers,
    document_id,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    valid_or_none,
)
from extractor.sources.xmlsafe import iterparse_xml, local_name
from extractor.sources.xmltext import inline_text

SOURCE = "pubmed-xml"
ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"})
_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_YEAR = re.compile(r"\b(1[89]|20)[0-9]{2}\b")


@dataclass(frozen=True)
class Deletion:
    """A PMID that an update file's DeleteCitation withdraws."""

    pmid: str


@dataclass
class PubmedRecords:
    documents: list[Document] = field(default_factory=list)
    deleted_pmids: list[str] = field(default_factory=list)


def parse_pubmed_xml(source: bytes | Path, name: str = "") -> PubmedRecords:
    """Every record of a PubMed XML file or byte string, with the PMIDs it deletes."""
    records = PubmedRecords()
    for item in iter_pubmed_xml(source, name):
        if isinstance(item, Deletion):
            records.deleted_pmids.append(item.pmid)
        else:
            records.documents.append(item)
    return records


def iter_pubmed_xml(source: bytes | Path, name: str = "") -> Iterator[Document | Deletion]:
    """Stream records in constant memory: each element is cleared once it has become a Document."""
    name = name or (str(source) if isinstance(source, Path) else "<bytes>")
    stream = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with stream:
        for element in iterparse_xml(stream, name, _RECORD_TAGS, ROOT_TAGS):
            tag = local_name(element)
            if tag == "DeleteCitation":
                for pmid in element.iter("PMID"):
                    yield Deletion(_checked_pmid(pmid.text, name))
            elif tag == "PubmedArticle":
                yield _article_document(element, name)
            else:
                yield _book_document(element, name)
            _release(element)


def _article_document(record: etree._Element, name: str) -> Document:
    citation = record.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise BadInput(f"{name}: a PubmedArticle without MedlineCitation/Article")
    ids = _own_ids(record.find("PubmedData/ArticleIdList"), citation.findtext("PMID"), name)
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    abstracts = article.findall("Abstract/AbstractText") + citation.findall("OtherAbstract/AbstractText")
    keywords = [_text(keyword) for keyword in citation.iterfind("KeywordList/Keyword")]
    year = _year(article.find("Journal/JournalIssue/PubDate")) or _year(article.find("ArticleDate"))
    return _document(ids, title, abstracts, keywords, name, journal=_text(article.find("Journal/Title")), year=year)


def _book_document(record: etree._Element, name: str) -> Document:
    book_document = record.find("BookDocument")
    if book_document is None:
        raise BadInput(f"{name}: a PubmedBookArticle without BookDocument")
    ids = _own_ids(record.find("PubmedBookData/ArticleIdList"), book_document.findtext("PMID"), name)
    book_title = _text(book_document.find("Book/BookTitle"))
    title = _text(book_document.find("ArticleTitle")) or book_title  # a whole book has only its BookTitle
    abstracts = book_document.findall("Abstract/AbstractText")
    keywords = [_text(keyword) for keyword in book_document.iterfind("KeywordList/Keyword")]
    year = _year(book_document.find("Book/PubDate")) or _year(book_document.find("Book/BeginningDate"))
    return _document(ids, title, abstracts, keywords, name, journal=book_title, year=year)


def _document(
    ids: Identifiers,
    title: str,
    abstracts: list[etree._Element],
    keywords: list[str],
    name: str,
    journal: str,
    year: str,
) -> Document:
    passages = [Passage("title", title)] if title else []
    for abstract in abstracts:
        text = _text(abstract)
        if text:
            passages.append(Passage("abstract", text, abstract.get("Label", "")))
    keywords = [keyword for keyword in keywords if keyword]
    if keywords:
        passages.append(Passage("section", "; ".join(keywords), "Keywords"))
    return Document(
        id=document_id(ids, name),
        source=SOURCE,
        title=title,
        passages=passages,
        pmid=ids.pmid,
        pmcid=ids.pmcid,
        doi=ids.doi,
        journal=journal,
        year=year,
        path=name,
    )


def _own_ids(id_list: etree._Element | None, citation_pmid: str | None, name: str) -> Identifiers:
    """The record's ids from its own ArticleIdList; a malformed DOI or PMCID is dropped, not fatal."""
    found: dict[str, str] = {}
    for article_id in id_list.iterfind("ArticleId") if id_list is not None else ():
        id_type, value = article_id.get("IdType", ""), (article_id.text or "").strip()
        if id_type in ("pubmed", "pmc", "doi") and value and id_type not in found:
            found[id_type] = value
    pmid = found.get("pubmed") or (citation_pmid or "").strip()
    return Identifiers(
        pmid=_checked_pmid(pmid, name) if pmid else None,
        pmcid=valid_or_none(normalise_pmcid, found.get("pmc")),
        doi=valid_or_none(normalise_doi, found.get("doi")),
    )


def _checked_pmid(value: str | None, name: str) -> str:
    try:
        return normalise_pmid(value or "")
    except BadInput as error:
        raise BadInput(f"{name}: {error}") from None


def _year(date: etree._Element | None) -> str:
    """'2025' from <Year>, or from a <MedlineDate> such as '2010 Oct-Dec'."""
    if date is None:
        return ""
    text = date.findtext("Year") or date.findtext("MedlineDate") or ""
    match = _YEAR.search(text)
    return match.group(0) if match else ""


def _text(element: etree._Element | None) -> str:
    return inline_text(element) if element is not None else ""


def _release(element: etree._Element) -> None:
    """Free a finished record and the already-processed siblings before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
