"""Plain text and Markdown -> one Document.

Three layouts are recognised, tried in this order:
- a PubMed article page copied from a browser (seed 000): site banner, citation line, title, "Abstract",
  "Keywords:", figure legends; everything from "References" / "Similar articles" on is dropped;
- Markdown (seed 001): `# title`, `## section` headings become passage labels; a summary site's machine-written
  sections (TL;DR, Key findings, entity lists) and a trailing `---` footer are dropped;
- anything else: the first short line is the title, blank-line separated paragraphs are passages.
Kept text is never rewritten beyond stripping line ends, so evidence sentences stay substrings of it.
Identifiers come from the text first, then from the file name (`pubmed_<PMID>_...`, `pmc<digits>_...`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from extractor.errors import BadInput
from extractor.models import Document, Passage
from extractor.sources.identifiers import (
    document_id,
    find_identifiers,
    identifiers_from_filename,
)

SOURCE = "text"

# Lines of the PubMed site around an article (banner, navigation); dropped wherever they occur.
_PUBMED_BOILERPLATE = frozenset(
    {
        "Skip to main page content",
        "U.S. flag",
        "An official website of the United States government",
        "Dot gov",
        "The .gov means it’s official.",
        "The .gov means it's official.",
        "Federal government websites often end in .gov or .mil. Before sharing sensitive information, "
        "make sure you’re on a federal government site.",
        "Federal government websites often end in .gov or .mil. Before sharing sensitive information, "
        "make sure you're on a federal government site.",
        "Https",
        "The site is secure.",
        "The https:// ensures that you are connecting to the official website and that any information "
        "you provide is encrypted and transmitted securely.",
        "Access keys NCBI Homepage MyNCBI Homepage Main Content Main Navigation",
        "Affiliations",
        "PubMed Disclaimer",
        "Full text links",
        "Cite",
        "Item in Clipboard",
    }
)
# PubMed page headings after which nothing belongs to the article itself.
_PUBMED_TAIL_HEADINGS = frozenset(
    {
        "Similar articles",
        "Cited by",
        "References",
        "Publication types",
        "MeSH terms",
        "Substances",
        "Related information",
        "Grants and funding",
        "LinkOut - more resources",
    }
)
_PUBMED_SECTION_HEADINGS = frozenset(
    {"Conflict of interest statement", "Figures", "Comment in", "Erratum in", "Supplementary info"}
)
_FIGURE_LABEL = re.compile(r"(?:FIGURE|Figure|Fig\.?)\s*\d+[A-Za-z]?")
_AUTHORS_AND_JOURNAL = re.compile(r"\bet al\.\s+(?P<journal>.+?)\.\s*\.?$")
_YEAR = re.compile(r"(?<![\d./])(?:19|20)\d\d(?![\d/])")

_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MARKDOWN_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_MARKDOWN_METADATA = re.compile(r"^\s*\*\*[^*]{1,40}:\*\*|\bDOI:|\bPMID:", re.IGNORECASE)
# Machine-written additions of paper-summary sites: entity lists, and summaries that paraphrase the paper.
# Evidence must be the paper's own sentences, so these never reach the extraction.
_NOISE_SECTIONS = frozenset({"linked entities", "full-text entities", "tl;dr", "contribution", "key findings"})
_REFERENCE_HEADINGS = frozenset({"references", "bibliography", "literature cited", "reference list"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass
class _Layout:
    """What a layout reader finds: the title, the passages, and the header text holding metadata."""

    title: str = ""
    passages: list[Passage] = field(default_factory=list)
    metadata: str = ""
    journal: str = ""


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is BadInput, never a guess."""
    encoding = "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding = bom_encoding
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise BadInput(
            f"{name}: not {error.encoding.upper()} text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8"
        ) from None
    control = _BINARY_CONTROLS.search(text)
    if control is not None:
        raise BadInput(f"{name}: binary data, not text (control character {control.group()!r} at {control.start()})")
    return text


def parse_text(text: str, name: str) -> Document:
    """One Document from the text of a `.txt` / `.md` file called `name`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    article_text = _before_references(text)
    if _is_pubmed_page(text):
        layout = _read_pubmed_page(article_text)
    elif any(_MARKDOWN_HEADING.match(line) for line in text.split("\n")):
        layout = _read_markdown(article_text)
    else:
        layout = _read_paragraphs(article_text)
    if not layout.passages:
        raise BadInput(f"{name}: no text found")
    ids = find_identifiers(article_text).or_else(identifiers_from_filename(name))
    year = _YEAR.search(_without_dois(layout.metadata))
    return Document(
        id=document_id(ids, name),
        source=SOURCE,
        title=layout.title,
        passages=layout.passages,
        pmid=ids.pmid,
        pmcid=ids.pmcid,
        doi=ids.doi,
        journal=layout.journal,
        year=year.group(0) if year else "",
        path=name,
    )


def _is_pubmed_page(text: str) -> bool:
    head = text[:3000]
    return ("Skip to main page content" in head or "PubMed Disclaimer" in text) and "\nAbstract\n" in text


def _before_references(text: str) -> str:
    """Cut at the first line that opens a reference list (or the PubMed page's tail)."""
    offset = 0
    for line in text.split("\n"):
        heading = line.strip().lstrip("#").strip().rstrip(":")
        if heading.casefold() in _REFERENCE_HEADINGS or heading in _PUBMED_TAIL_HEADINGS:
            return text[:offset]
        offset += len(line) + 1
    return text


def _read_pubmed_page(text: str) -> _Layout:
    lines = [line.strip() for line in text.split("\n")]
    abstract_at = lines.index("Abstract")
    header = [line for line in lines[:abstract_at] if line and line not in _PUBMED_BOILERPLATE]
    layout = _Layout(title=_pubmed_page_title(lines[:abstract_at], header), metadata="\n".join(header))
    for line in header:
        match = _AUTHORS_AND_JOURNAL.search(line)
        if match:
            layout.journal = match.group("journal")
            break
    if layout.title:
        layout.passages.append(Passage("title", layout.title))

    kind, label, paragraphs = "abstract", "Abstract", []

    def close() -> None:
        if paragraphs:
            layout.passages.append(Passage(kind, "\n".join(paragraphs), label))
        paragraphs.clear()

    for line in lines[abstract_at + 1 :]:
        if not line or line in _PUBMED_BOILERPLATE:
            continue
        if line.startswith("Keywords:"):
            close()
            layout.passages.append(Passage("section", line, "Keywords"))
            kind, label = "section", ""
        elif line in _PUBMED_SECTION_HEADINGS:
            close()
            kind, label = ("caption", "") if line == "Figures" else ("section", line)
        elif kind == "caption" and _FIGURE_LABEL.fullmatch(line):
            if line != label:  # the page prints each figure label twice
                close()
                label = line
        else:
            paragraphs.append(line)
    close()
    return layout


def _pubmed_page_title(lines: list[str], header: list[str]) -> str:
    """The line before "Affiliations" (the page's title block); else the first line that is not the citation."""
    if "Affiliations" in lines:
        before = [line for line in lines[: lines.index("Affiliations")] if line]
        if before:
            return before[-1]
    for line in header:
        if not line.startswith((".", "doi:")) and not _AUTHORS_AND_JOURNAL.search(line):
            return line
    return ""


def _read_markdown(text: str) -> _Layout:
    lines = text.split("\n")
    lines = _without_footer(lines)
    layout = _Layout()
    label, body, metadata = "", [], []
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        heading = _MARKDOWN_HEADING.match(line)
        if heading and len(heading.group(1)) == 1 and not layout.title:
            layout.title = heading.group(2)
        elif heading:
            sections.append((label, body))
            label, body = heading.group(2), []
        elif not sections and _MARKDOWN_METADATA.search(line):
            metadata.append(line)  # "**Authors:** ..." / "PMC · DOI: ... · 2026-02-10" under the title
        else:
            body.append(line)
    sections.append((label, body))
    layout.metadata = "\n".join(metadata)
    if layout.title:
        layout.passages.append(Passage("title", layout.title))
    for section_label, section_lines in sections:
        section_text = _joined(section_lines)
        if section_text and section_label.casefold() not in _NOISE_SECTIONS:
            kind = "abstract" if section_label.casefold() == "abstract" else ("section" if section_label else "text")
            layout.passages.append(Passage(kind, section_text, section_label))
    return layout


def _without_footer(lines: list[str]) -> list[str]:
    """Drop a short footer after the last horizontal rule ('---' then 'Source: <url>')."""
    rules = [index for index, line in enumerate(lines) if _MARKDOWN_RULE.match(line)]
    if rules and len([line for line in lines[rules[-1] + 1 :] if line.strip()]) <= 3:
        return lines[: rules[-1]]
    return [line for line in lines if not _MARKDOWN_RULE.match(line)]


def _read_paragraphs(text: str) -> _Layout:
    blocks = [block for block in (_joined(part.split("\n")) for part in re.split(r"\n\s*\n", text)) if block]
    layout = _Layout()
    if blocks and "\n" not in blocks[0] and len(blocks[0]) <= 300:
        layout.title = blocks.pop(0)
        layout.metadata = layout.title
        layout.passages.append(Passage("title", layout.title))
    layout.passages.extend(Passage("text", block) for block in blocks)
    return layout


def _joined(lines: list[str]) -> str:
    """Lines with their ends stripped and runs of blank lines folded to one; nothing else changes."""
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _without_dois(text: str) -> str:
    return re.sub(r"10\.\d{4,9}/\S+", " ", text)
