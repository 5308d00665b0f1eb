"""PMC JATS full text (efetch db=pmc `<pmc-articleset>`, or an OA-bundle `.nxml` `<article>`) -> Documents.

Passages: title, abstract (one per abstract section, labelled), body sections labelled with their titles
(nested sections are passages of their own), then figure captions and tables, each its own passage.
Back matter (references, acknowledgements, footnotes) is skipped. An article without `<body>` (publishers
that forbid XML full text) is abstract-only.
"""

from __future__ import annotations

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
from extractor.sources.xmlsafe import check_root, local_name, parse_xml
from extractor.sources.xmltext import inline_text

SOURCE = "pmc-jats"
ROOT_TAGS = frozenset({"article", "pmc-articleset"})
# Floats get passages of their own; inside a paragraph they would interrupt its sentences.
_FLOATS = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group"})
_NOT_PARAGRAPHS = _FLOATS | {"title", "label", "sec", "sec-meta", "ref-list"}
_SKIPPED_ABSTRACT_TYPES = frozenset({"graphical", "toc"})


def parse_jats(data: bytes, name: str) -> list[Document]:
    root = parse_xml(data, name)
    check_root(root, name, ROOT_TAGS)
    articles = [root] if local_name(root) == "article" else [child for child in root if local_name(child) == "article"]
    return [_article_document(article, name) for article in articles]


def _article_document(article: etree._Element, name: str) -> Document:
    meta = article.find("front/article-meta")
    if meta is None:
        raise BadInput(f"{name}: a JATS <article> without front/article-meta")
    ids = _ids(meta)
    title = _text(meta.find("title-group/article-title"))
    passages = [Passage("title", title)] if title else []
    passages += _abstract_passages(meta)
    body = article.find("body")
    if body is not None:
        passages += _section_passages(body, label="")
        floats = [body] + article.findall("floats-group")
        passages += [_caption_passage(fig) for container in floats for fig in container.iter("fig")]
        passages += [_table_passage(table) for container in floats for table in container.iter("table-wrap")]
    journal_meta = article.find("front/journal-meta")
    journal = ""
    if journal_meta is not None:
        journal = _text(journal_meta.find("journal-title-group/journal-title"))
        journal = journal or _text(journal_meta.find("journal-title"))  # older JATS has no title group
    return Document(
        id=document_id(ids, name),
        source=SOURCE,
        title=title,
        passages=[passage for passage in passages if passage.text],
        pmid=ids.pmid,
        pmcid=ids.pmcid,
        doi=ids.doi,
        journal=journal,
        year=(meta.findtext("pub-date/year") or "").strip(),
        path=name,
    )


def _ids(meta: etree._Element) -> Identifiers:
    found: dict[str, str] = {}
    for article_id in meta.iterfind("article-id"):
        id_type = {"pmcid": "pmc"}.get(article_id.get("pub-id-type", ""), article_id.get("pub-id-type", ""))
        value = (article_id.text or "").strip()
        if value and id_type not in found:
            found[id_type] = value
    return Identifiers(
        pmid=valid_or_none(normalise_pmid, found.get("pmid")),
        pmcid=valid_or_none(normalise_pmcid, found.get("pmc")),
        doi=valid_or_none(normalise_doi, found.get("doi")),
    )


def _abstract_passages(meta: etree._Element) -> list[Passage]:
    passages = []
    for abstract in meta.iterfind("abstract"):
        abstract_type = abstract.get("abstract-type", "")
        if abstract_type in _SKIPPED_ABSTRACT_TYPES:
            continue
        label = _text(abstract.find("title")) or abstract_type
        sections = abstract.findall("sec")
        if sections:
            passages += [Passage("abstract", _paragraphs(sec), _text(sec.find("title"))) for sec in sections]
        else:
            passages.append(Passage("abstract", _paragraphs(abstract), label))
    return passages


def _section_passages(container: etree._Element, label: str) -> list[Passage]:
    """The container's own paragraphs, then each nested <sec> in document order, labelled by its title."""
    passages = [Passage("section", _paragraphs(container), label)]
    for sec in container.iterfind("sec"):
        passages += _section_passages(sec, _text(sec.find("title")))
    return passages


def _paragraphs(container: etree._Element) -> str:
    """Block children (p, list, disp-quote...) of `container`, one per line, floats and subsections left out."""
    texts = (_text(child) for child in container if local_name(child) and local_name(child) not in _NOT_PARAGRAPHS)
    return "\n".join(text for text in texts if text)


def _caption_passage(fig: etree._Element) -> Passage:
    return Passage("caption", _text(fig.find("caption")), _text(fig.find("label")))


def _table_passage(table_wrap: etree._Element) -> Passage:
    """Caption, then one line per row with cells separated by ' | ', then the table's footnotes."""
    lines = [_text(table_wrap.find("caption"))]
    for row in table_wrap.iter("tr"):
        lines.append(" | ".join(_text(cell) for cell in row if local_name(cell) in ("td", "th")))
    lines += [_text(foot) for foot in table_wrap.iterfind("table-wrap-foot")]
    return Passage("table", "\n".join(line for line in lines if line.strip(" |")), _text(table_wrap.find("label")))


def _text(element: etree._Element | None) -> str:
    return inline_text(element, skip=_FLOATS) if element is not None else ""
