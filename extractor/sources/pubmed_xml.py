"""PubMed XML -> Documents: efetch db=pubmed answers and baseline/update files, streamed record by record.

One Document per PubmedArticle or PubmedBookArticle; the PMIDs of a DeleteCitation are reported, not parsed
into documents. Identifiers come only from the record's own PubmedData/ArticleIdList (plus
MedlineCitation/PMID): the ArticleIdLists of its reference list belong to other papers.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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


def iter_pubmed_xml(source: bytes | Path | BinaryIO, name: str = "") -> Iterator[Document | Deletion]:
    """Stream records in constant memory: each element is cleared once it has become a Document. `source`
    may be an open binary stream (a decompressing one: bulk.py), which the caller closes."""
    name = name or (str(source) if isinstance(source, Path) else "<bytes>")
    if isinstance(source, Path):
        opened = source.open("rb")
    elif isinstance(source, bytes):
        opened = io.BytesIO(source)
    else:
        opened = nullcontext(source)
    with opened as stream:
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


# What a record's Document is made of, found by one XPath per record: libxml2 walks the record in C and
# hands back only these elements, in document order, so the authors, MeSH headings and references that a
# record is mostly made of cost no Python work. `[1]` keeps ElementTree's find() semantics: the first
# MedlineCitation, its first Article, the first ArticleIdList of the record's own PubmedData.
_ARTICLE_PARTS = etree.XPath(
    """
    MedlineCitation[1]/PMID[1]
    | MedlineCitation[1]/Article[1]
    | MedlineCitation[1]/Article[1]/ArticleTitle[1]
    | MedlineCitation[1]/Article[1]/VernacularTitle[1]
    | MedlineCitation[1]/Article[1]/Journal/Title
    | MedlineCitation[1]/Article[1]/Journal/JournalIssue/PubDate
    | MedlineCitation[1]/Article[1]/ArticleDate
    | MedlineCitation[1]/Article[1]/Abstract/AbstractText
    | MedlineCitation[1]/OtherAbstract/AbstractText
    | MedlineCitation[1]/KeywordList/Keyword
    | (PubmedData/ArticleIdList)[1]/ArticleId
    """
)
_BOOK_PARTS = etree.XPath(
    """
    BookDocument[1]
    | BookDocument[1]/PMID[1]
    | BookDocument[1]/ArticleTitle[1]
    | BookDocument[1]/Book/BookTitle
    | BookDocument[1]/Book/PubDate
    | BookDocument[1]/Book/BeginningDate
    | BookDocument[1]/Abstract/AbstractText
    | BookDocument[1]/KeywordList/Keyword
    | (PubmedBookData/ArticleIdList)[1]/ArticleId
    """
)


def _record_parts(record: etree._Element, xpath: etree.XPath) -> dict[str, list[etree._Element]]:
    """The elements `xpath` finds in `record`, by tag, each list in document order."""
    parts: dict[str, list[etree._Element]] = defaultdict(list)
    for element in xpath(record):
        parts[element.tag].append(element)
    return parts


def _first(parts: dict[str, list[etree._Element]], tag: str) -> etree._Element | None:
    """What find() would give: the first such element."""
    found = parts.get(tag)
    return found[0] if found else None


def _article_document(record: etree._Element, name: str) -> Document:
    parts = _record_parts(record, _ARTICLE_PARTS)
    if "Article" not in parts:
        raise BadInput(f"{name}: a PubmedArticle without MedlineCitation/Article")
    ids = _own_ids(parts["ArticleId"], _first(parts, "PMID"), name)
    title = _text(_first(parts, "ArticleTitle")) or _text(_first(parts, "VernacularTitle"))
    # The Abstract's sections, then those of any OtherAbstract (a translation), whatever their order in the XML.
    abstracts = sorted(parts["AbstractText"], key=lambda text: text.getparent().tag == "OtherAbstract")
    year = _year(_first(parts, "PubDate")) or _year(_first(parts, "ArticleDate"))
    journal = _text(_first(parts, "Title"))
    return _document(ids, title, abstracts, parts["Keyword"], name, journal=journal, year=year)


def _book_document(record: etree._Element, name: str) -> Document:
    parts = _record_parts(record, _BOOK_PARTS)
    if "BookDocument" not in parts:
        raise BadInput(f"{name}: a PubmedBookArticle without BookDocument")
    ids = _own_ids(parts["ArticleId"], _first(parts, "PMID"), name)
    book_title = _text(_first(parts, "BookTitle"))
    title = _text(_first(parts, "ArticleTitle")) or book_title  # a whole book has only its BookTitle
    year = _year(_first(parts, "PubDate")) or _year(_first(parts, "BeginningDate"))
    return _document(ids, title, parts["AbstractText"], parts["Keyword"], name, journal=book_title, year=year)


def _document(
    ids: Identifiers,
    title: str,
    abstracts: list[etree._Element],
    keywords: list[etree._Element],
    name: str,
    journal: str,
    year: str,
) -> Document:
    passages = [Passage("title", title)] if title else []
    for abstract in abstracts:
        text = _text(abstract)
        if text:
            passages.append(Passage("abstract", text, abstract.get("Label", "")))
    keyword_texts = [text for text in map(_text, keywords) if text]
    if keyword_texts:
        passages.append(Passage("section", "; ".join(keyword_texts), "Keywords"))
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


def _own_ids(article_ids: list[etree._Element], citation_pmid: etree._Element | None, name: str) -> Identifiers:
    """The record's ids from its own ArticleIdList (the first id of each type), else the citation's PMID; a
    malformed DOI or PMCID is dropped, not fatal."""
    found: dict[str, str] = {}
    for article_id in article_ids:
        id_type, value = article_id.get("IdType", ""), (article_id.text or "").strip()
        if id_type in ("pubmed", "pmc", "doi") and value and id_type not in found:
            found[id_type] = value
    pmid = found.get("pubmed") or (citation_pmid.text or "" if citation_pmid is not None else "").strip()
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
