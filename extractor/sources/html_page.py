"""An HTML article page saved from a browser -> one Document (BeautifulSoup over lxml's HTML parser).

A PubMed article page (pubmed.ncbi.nlm.nih.gov/<PMID>/) is read by its known structure: `h1.heading-title`,
`#abstract` (structured labels in `strong.sub-title`, the "Keywords:" paragraph), `#figures` captions.
Any other article page (publisher, PMC) is read generically: headings label the paragraphs after them,
figures and tables become their own passages. Navigation, banners, scripts, reference lists and
"similar articles" are dropped first. A page without an article title or text (an error page, a search
page) is BadInput.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from extractor.errors import BadInput
from extractor.models import Document, Passage
from extractor.sources.identifiers import (
    Identifiers,
    document_id,
    find_identifiers,
    identifiers_from_filename,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    valid_or_none,
)
from extractor.sources.xmltext import normalise_space

SOURCE = "html"
MAX_DEPTH = 512  # deeper than any real page; bounds the work on hostile input

_JUNK_TAGS = ["script", "style", "noscript", "nav", "aside", "form", "button", "svg", "iframe", "template",
              "select", "dialog"]
# ids / classes of page parts that are not the article: site chrome, reference lists, related papers.
_JUNK_NAMES = re.compile(
    r"^(?:references?|ref-list|reference-list|similar|similar-articles|citedby|cited-by|linkout|"
    r"usa-banner|page-header|page-footer|actions|share|social|cookie.*|breadcrumbs?|mesh-terms|"
    r"substances|publication-types|related-information|conflict-of-interest|disclaimer)$",
    re.IGNORECASE,
)
_BLOCK_TAGS = ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "figcaption",
               "section", "blockquote", "dd", "dt", "pre"]
_HEADINGS = ["h2", "h3", "h4"]
_FIGURE_LABEL = re.compile(r"^\s*((?:FIGURE|Figure|Fig\.?)\s*\d+[A-Za-z]?)[.:]?\s*")


def parse_html(data: bytes, name: str) -> Document:
    soup = BeautifulSoup(data, "lxml")
    _check_depth(soup, name)
    meta = _meta_tags(soup)
    for tag in soup.find_all(_JUNK_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_junk_container):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):  # block boundaries are word boundaries in the text
        tag.insert_before(" ")
        tag.insert_after(" ")

    if soup.select_one("h1.heading-title") is not None and soup.select_one("#abstract") is not None:
        title, passages = _pubmed_page(soup)
    else:
        title, passages = _generic_page(soup, meta)
    title = meta.get("citation_title") or title
    if not title:
        raise BadInput(f"{name}: HTML page without an article title (an error or search page?)")
    if not passages:
        raise BadInput(f"{name}: HTML page without article text (an error or search page?)")

    ids = Identifiers(
        pmid=valid_or_none(normalise_pmid, meta.get("citation_pmid")),
        pmcid=valid_or_none(normalise_pmcid, meta.get("citation_pmcid")),
        doi=valid_or_none(normalise_doi, meta.get("citation_doi")),
    )
    ids = ids.or_else(find_identifiers(_text(soup))).or_else(identifiers_from_filename(name))
    year = re.search(r"(?:19|20)\d\d", meta.get("citation_publication_date") or meta.get("citation_date") or "")
    return Document(
        id=document_id(ids, name),
        source=SOURCE,
        title=title,
        passages=[Passage("title", title)] + passages,
        pmid=ids.pmid,
        pmcid=ids.pmcid,
        doi=ids.doi,
        journal=meta.get("citation_journal_title", ""),
        year=year.group(0) if year else "",
        path=name,
    )


def _pubmed_page(soup: BeautifulSoup) -> tuple[str, list[Passage]]:
    title = _text(soup.select_one("h1.heading-title"))
    passages: list[Passage] = []
    abstract = soup.select_one("#eng-abstract") or soup.select_one("#abstract .abstract-content") or soup.select_one(
        "#abstract"
    )
    for paragraph in abstract.find_all("p"):
        label_tag = paragraph.find("strong", class_="sub-title")
        label = _text(label_tag).rstrip(":") if label_tag else "Abstract"
        if label_tag:
            label_tag.decompose()
        text = _text(paragraph)
        if text and label.casefold() != "keywords":
            passages.append(Passage("abstract", text, label))
    for paragraph in soup.select("#abstract p"):
        if _text(paragraph).startswith("Keywords:"):
            passages.append(Passage("section", _text(paragraph), "Keywords"))
    for figure in soup.select("#figures figure"):
        passages.append(_caption_passage(figure))
    return title, [passage for passage in passages if passage.text]


def _generic_page(soup: BeautifulSoup, meta: dict[str, str]) -> tuple[str, list[Passage]]:
    main = soup.find("article") or soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    heading = main.find("h1") or soup.find("h1")
    title = _text(heading) if heading else meta.get("og:title", "")
    if heading:
        heading.decompose()
    floats = [_caption_passage(figure) for figure in main.find_all("figure")]
    floats += [_table_passage(table) for table in main.find_all("table")]
    for tag in main.find_all(["figure", "table"]):
        tag.decompose()

    passages: list[Passage] = []
    label, paragraphs = "", []
    for tag in main.find_all(_HEADINGS + ["p", "li", "blockquote"]):
        if tag.name in _HEADINGS:
            passages.append(_section(label, paragraphs))
            label, paragraphs = _text(tag), []
        elif tag.find_parent(["p", "li", "blockquote"]) is None:  # nested blocks are inside their parent's text
            paragraphs.append(_text(tag))
    passages.append(_section(label, paragraphs))
    return title, [passage for passage in passages + floats if passage.text]


def _section(label: str, paragraphs: list[str]) -> Passage:
    kind = "abstract" if label.casefold() == "abstract" else "section"
    return Passage(kind, "\n".join(text for text in paragraphs if text), label)


def _caption_passage(figure: Tag) -> Passage:
    caption = figure.select_one(".figure-caption-contents") or figure.find("figcaption") or figure
    label_tag = figure.find(class_=re.compile(r"label"))
    labelled = figure if figure.get("data-label") else figure.find(attrs={"data-label": True})
    label = labelled.get("data-label") if labelled else (_text(label_tag) if label_tag else "")
    if label_tag and label_tag in caption.descendants:
        label_tag.decompose()
    text = _text(caption)
    match = _FIGURE_LABEL.match(text)
    if match and not label:
        label, text = match.group(1), text[match.end() :]
    return Passage("caption", text, str(label))


def _table_passage(table: Tag) -> Passage:
    caption = table.find("caption")
    lines = [_text(caption)] if caption else []
    for row in table.find_all("tr"):
        lines.append(" | ".join(_text(cell) for cell in row.find_all(["td", "th"])))
    return Passage("table", "\n".join(line for line in lines if line.strip(" |")))


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    """<meta name="citation_*"> (Highwire tags, used by PubMed, PMC and most publishers) and og:title."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or "").strip().lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip() and key not in found:
            found[key] = normalise_space(content)
    return found


def _is_junk_container(tag: Tag) -> bool:
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search"):
        return True
    if tag.name in ("header", "footer") and tag.find("h1") is None:  # site chrome; PubMed's article heading has the h1
        return True
    names = [tag.get("id") or ""] + list(tag.get("class") or [])
    return any(_JUNK_NAMES.match(str(name)) for name in names)


def _check_depth(soup: BeautifulSoup, name: str) -> None:
    """Refuse absurd nesting before anything walks the tree (computed without recursion)."""
    depth: dict[int, int] = {id(soup): 0}
    for tag in soup.find_all(True):
        level = depth.get(id(tag.parent), 0) + 1
        if level > MAX_DEPTH:
            raise BadInput(f"{name}: HTML nested deeper than {MAX_DEPTH} levels; refused")
        depth[id(tag)] = level


def _text(tag: Tag | None) -> str:
    return normalise_space(tag.get_text()) if tag is not None else ""
