"""PubMed XML -> Documents: efetch db=pubmed answers and baseline/update files, streamed record by record.

One Document per PubmedArticle or PubmedBookArticle; the PMIDs of a DeleteCitation are reported, not parsed
into documents. Identifiers come only from the record's own PubmedData/ArticleIdList (plus
MedlineCitation/PMID): the ArticleIdLists of its reference list belong to other papers.

A caller that wants only some records (the scan) passes `wanted`, a test on a record's raw text: the
Document's passages laid out alike, each element's text its text nodes joined with nothing between them
(_element_raw_text) instead of the Document's text (_text, xmltext.inline_text: the same text nodes, with
whitespace put between some and runs of whitespace collapsed), and passages and keywords joined with the
Document's separators (whitespace, "; ") or, where one XPath reads the text nodes of a record whose parts
come in the Document's order, with nothing. So the two texts differ only in whitespace and in the semicolons
between keywords: a run of the Document's text without whitespace or ';' is in the raw text, and without
whitespace the two are the same but for those semicolons. A record it turns down comes out as Unread (its
PMID), and no Document is made.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from extractor.errors import BadInput
from extractor.models import PASSAGE_SEPARATOR, Document, Passage
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


@dataclass(frozen=True)
class Unread:
    """A record passed over without a Document: the caller's `wanted` turned its raw text down."""

    pmid: str | None


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


def iter_pubmed_xml(
    source: bytes | Path | BinaryIO, name: str = "", wanted: Callable[[str], bool] | None = None
) -> Iterator[Document | Deletion | Unread]:
    """Stream records in constant memory: each element is cleared once it has become a Document. `source`
    may be an open binary stream (a decompressing one: bulk.py), which the caller closes. With `wanted`, a
    record whose raw text it turns down comes out as Unread (see the module's docstring)."""
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
            else:
                shape = _ARTICLE if tag == "PubmedArticle" else _BOOK
                if wanted is None or wanted(_raw_text(element, shape, name)):
                    yield shape.document(_record_parts(element, shape.parts, shape, name), name)
                else:  # its PMID, read and checked as its Document's would be
                    parts = _record_parts(element, shape.ids, shape, name)
                    yield Unread(_own_pmid(_first_ids(parts["ArticleId"]), _first(parts, "PMID"), name))
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
_ARTICLE_IDS = etree.XPath(
    "MedlineCitation[1]/PMID[1] | MedlineCitation[1]/Article[1] | (PubmedData/ArticleIdList)[1]/ArticleId"
)
_BOOK_IDS = etree.XPath("BookDocument[1] | BookDocument[1]/PMID[1] | (PubmedBookData/ArticleIdList)[1]/ArticleId")
# A PubmedArticle's raw text in one XPath: the text nodes of its title, abstract sections and keywords, when
# the Document lays these out in document order (no VernacularTitle that could stand for the title or sit
# between two of them, no OtherAbstract, ArticleTitle before the Abstract, keywords after the Article);
# any other record's raw text is laid out as its Document is (_passages).
_ARTICLE_TEXT_NODES = etree.XPath(
    """
    (MedlineCitation[1]/Article[1]/ArticleTitle[1]
     | MedlineCitation[1]/Article[1]/Abstract/AbstractText
     | MedlineCitation[1]/KeywordList/Keyword)//text()
    """,
    smart_strings=False,
)
_ARTICLE_TEXT_IN_ORDER = etree.XPath(
    """
    not(MedlineCitation[1]/Article[1]/VernacularTitle
        | MedlineCitation[1]/OtherAbstract
        | MedlineCitation[1]/Article[1]/ArticleTitle[1]/preceding-sibling::Abstract
        | MedlineCitation[1]/Article[1]/preceding-sibling::KeywordList)
    """
)
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)

Parts = dict[str, list[etree._Element]]


@dataclass(frozen=True)
class _Shape:
    """How one kind of record (PubmedArticle, PubmedBookArticle) is read."""

    parts: etree.XPath  # everything its Document is made of
    ids: etree.XPath  # its identifiers and the element it must hold
    required: str  # that element
    missing: str  # what a record without it is said to lack
    titles: Callable[[Parts], list[etree._Element | None]]  # the title is the first of these with text
    abstracts: Callable[[Parts], list[etree._Element]]  # its abstract sections, in the Document's order
    document: Callable[[Parts, str], Document]
    text_nodes: etree.XPath | None = None  # its raw text's nodes in one XPath, where
    text_in_order: etree.XPath | None = None  # this holds


def _record_parts(record: etree._Element, xpath: etree.XPath, shape: _Shape, name: str) -> Parts:
    """The elements `xpath` finds in `record`, by tag, each list in document order."""
    parts: Parts = defaultdict(list)
    for element in xpath(record):
        parts[element.tag].append(element)
    if shape.required not in parts:
        raise BadInput(f"{name}: {shape.missing}")
    return parts


def _first(parts: Parts, tag: str) -> etree._Element | None:
    """What find() would give: the first such element."""
    found = parts.get(tag)
    return found[0] if found else None


def _article_document(parts: Parts, name: str) -> Document:
    year = _year(_first(parts, "PubDate")) or _year(_first(parts, "ArticleDate"))
    return _document(parts, _ARTICLE, name, journal=_text(_first(parts, "Title")), year=year)


def _book_document(parts: Parts, name: str) -> Document:
    year = _year(_first(parts, "PubDate")) or _year(_first(parts, "BeginningDate"))
    return _document(parts, _BOOK, name, journal=_text(_first(parts, "BookTitle")), year=year)


_ARTICLE = _Shape(
    _ARTICLE_PARTS, _ARTICLE_IDS, "Article", "a PubmedArticle without MedlineCitation/Article",
    titles=lambda parts: [_first(parts, "ArticleTitle"), _first(parts, "VernacularTitle")],
    # The Abstract's sections, then those of any OtherAbstract (a translation), whatever their order in the XML.
    abstracts=lambda parts: sorted(parts["AbstractText"], key=lambda text: text.getparent().tag == "OtherAbstract"),
    document=_article_document,
    text_nodes=_ARTICLE_TEXT_NODES,
    text_in_order=_ARTICLE_TEXT_IN_ORDER,
)
_BOOK = _Shape(
    _BOOK_PARTS, _BOOK_IDS, "BookDocument", "a PubmedBookArticle without BookDocument",
    titles=lambda parts: [_first(parts, "ArticleTitle"), _first(parts, "BookTitle")],  # a whole book: its BookTitle
    abstracts=lambda parts: parts["AbstractText"],
    document=_book_document,
)


def _raw_text(record: etree._Element, shape: _Shape, name: str) -> str:
    """The record's raw text (see the module's docstring)."""
    if shape.text_nodes is not None and shape.text_in_order(record):
        return "".join(shape.text_nodes(record))
    parts = _record_parts(record, shape.parts, shape, name)
    return PASSAGE_SEPARATOR.join(passage.text for passage in _passages(parts, shape, _element_raw_text))


def _element_raw_text(element: etree._Element | None) -> str:
    """The element's text nodes joined with nothing between them."""
    if element is None:
        return ""
    return element.text or "" if len(element) == 0 else "".join(_TEXT_NODES(element))


def _passages(parts: Parts, shape: _Shape, text: Callable[[etree._Element | None], str]) -> list[Passage]:
    """The Document's passages, each element's text read by `text`: the Document's (_text) or the raw one
    (_element_raw_text) of the scan's first test, which must be laid out alike."""
    title = next((title for title in map(text, shape.titles(parts)) if title.strip()), "")
    passages = [Passage("title", title)] if title else []
    for abstract in shape.abstracts(parts):
        abstract_text = text(abstract)
        if abstract_text.strip():
            passages.append(Passage("abstract", abstract_text, abstract.get("Label", "")))
    keyword_texts = [keyword_text for keyword_text in map(text, parts["Keyword"]) if keyword_text.strip()]
    if keyword_texts:
        passages.append(Passage("section", "; ".join(keyword_texts), "Keywords"))
    return passages


def _document(parts: Parts, shape: _Shape, name: str, journal: str, year: str) -> Document:
    ids = _own_ids(parts["ArticleId"], _first(parts, "PMID"), name)
    passages = _passages(parts, shape, _text)
    return Document(
        id=document_id(ids, name),
        source=SOURCE,
        title=passages[0].text if passages and passages[0].kind == "title" else "",
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
    found = _first_ids(article_ids)
    return Identifiers(
        pmid=_own_pmid(found, citation_pmid, name),
        pmcid=valid_or_none(normalise_pmcid, found.get("pmc")),
        doi=valid_or_none(normalise_doi, found.get("doi")),
    )


def _first_ids(article_ids: list[etree._Element]) -> dict[str, str]:
    """The first non-empty id of each type the reader uses."""
    found: dict[str, str] = {}
    for article_id in article_ids:
        id_type, value = article_id.get("IdType", ""), (article_id.text or "").strip()
        if id_type in ("pubmed", "pmc", "doi") and value and id_type not in found:
            found[id_type] = value
    return found


def _own_pmid(found: dict[str, str], citation_pmid: etree._Element | None, name: str) -> str | None:
    pmid = found.get("pubmed") or (citation_pmid.text or "" if citation_pmid is not None else "").strip()
    return _checked_pmid(pmid, name) if pmid else None


def _checked_pmid(value: str | None, name: str) -> str:
    try:
        return normalise_pmid(value or "")
    except BadInput as error:
        raise BadInput(f"{name}: {error}") from None


def _year(date: etree._Element | None) -> str:
    """'2025' from <Year>, or from a <MedlineDate> such as '2010 Oct-Dec'."""
    if date is None:
        return ""
    text = _child_text(date, "Year") or _child_text(date, "MedlineDate")
    match = _YEAR.search(text)
    return match.group(0) if match else ""


def _child_text(element: etree._Element, tag: str) -> str:
    """element.findtext(tag) or "": the text of its first `tag` child (lxml's find() goes through ElementPath in
    Python; iterchildren(tag) stays in C)."""
    child = next(element.iterchildren(tag), None)
    return (child.text or "") if child is not None else ""


def _text(element: etree._Element | None) -> str:
    return inline_text(element) if element is not None else ""


def _release(element: etree._Element) -> None:
    """Free a finished record and the already-processed siblings before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
