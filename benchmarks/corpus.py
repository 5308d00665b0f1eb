"""Benchmark inputs made at run time from the development corpus: thousands of real-length abstracts in
PubMed efetch XML, and synthetic findings for the knowledge-base scale figure.

Nothing generated here is committed: the texts are real published sentences (../shared/corpus and the
seed reports), recombined, and the files go to benchmarks/.cache/ (gitignored).

How an abstract is made: the real texts are split into sentences; abstract number i draws, with a random
generator seeded by i, a target length from the lengths of the real abstracts and real sentences until it
reaches that length; half of them are structured (BACKGROUND / CASE PRESENTATION / CONCLUSIONS), like many
case-report abstracts. Each gets a distinct PMID and DOI and is wrapped in the element structure of a real
2025 efetch record (../shared/fixtures/ncbi/pubmed_efetch/metapub_38534005.xml): its authors,
affiliations, MeSH headings and history stay, so records have the size and shape a parser meets in PubMed.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks.common import CACHE_DIR, REPO

GENERATOR_VERSION = 1  # bump when the generator changes; changes to its inputs are noticed by `digest`
FIRST_PMID = 90_000_001  # far above today's PMIDs (~41 million): no generated record shadows a real one
TEMPLATE_FIXTURE = Path("fixtures/ncbi/pubmed_efetch/metapub_38534005.xml")
SECTION_LABELS = (("BACKGROUND", "BACKGROUND"), ("CASE PRESENTATION", "UNASSIGNED"), ("CONCLUSIONS", "CONCLUSIONS"))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


class SharedDirMissing(SystemExit):
    """The development corpus is not where the benchmark looks: say where it looked and how to point it."""


def shared_dir() -> Path:
    """../shared beside the checkout (as in CI), or $FLAREKB_SHARED."""
    path = Path(os.environ.get("FLAREKB_SHARED") or REPO.parent / "shared")
    if not (path / "corpus" / "docs").is_dir() or not (path / TEMPLATE_FIXTURE).is_file():
        raise SharedDirMissing(
            f"benchmarks: the development corpus is not at {path} (need corpus/docs/ and {TEMPLATE_FIXTURE}).\n"
            "The benchmark inputs are generated from it at run time; put ../shared beside the checkout or set "
            "FLAREKB_SHARED=/path/to/shared."
        )
    return path


# -- the real material ------------------------------------------------------------------------------


@dataclass
class Material:
    sentences: list[str]  # every sentence of every real abstract
    titles: list[str]
    lengths: list[int]  # character length of each real abstract: the distribution to imitate


def real_material(shared: Path) -> Material:
    texts, titles = [], []
    for path in sorted((shared / "corpus" / "docs").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        texts.append(document["text"])
        if document.get("title"):  # some corpus excerpts have no title
            titles.append(document["title"])
    for path in sorted((REPO / "corpora" / "seeds").glob("*")):
        abstract = _seed_abstract(path.read_text(encoding="utf-8"))
        if abstract:
            texts.append(abstract)
    sentences = [sentence.strip() for text in texts for sentence in _SENTENCE_END.split(text) if sentence.strip()]
    return Material(sentences, titles, [len(text) for text in texts])


def _seed_abstract(text: str) -> str:
    """The paragraph under an 'Abstract' heading of a saved page (the rest is navigation and metadata)."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.strip().lstrip("#").strip().lower() == "abstract":
            paragraph = []
            for following in lines[number + 1 :]:
                if not following.strip():
                    if paragraph:
                        break
                    continue
                paragraph.append(following.strip())
            return " ".join(paragraph)
    return ""


# -- synthetic abstracts ------------------------------------------------------------------------------


@dataclass
class Abstract:
    pmid: str
    title: str
    sections: list[tuple[str, str, str]]  # (label, NLM category, text); one unlabelled section if unstructured

    @property
    def doi(self) -> str:
        return f"10.5555/flarekb-bench.{self.pmid}"  # 10.5555 is the DOI test prefix


def synthetic_abstracts(material: Material, count: int) -> Iterator[Abstract]:
    for index in range(count):
        yield synthetic_abstract(material, index)


def synthetic_abstract(material: Material, index: int) -> Abstract:
    """Abstract number `index` (PMID FIRST_PMID + index): always the same text for the same index."""
    rng = random.Random(index)
    target = rng.choice(material.lengths)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < target:
        sentences.append(rng.choice(material.sentences))
    return Abstract(str(FIRST_PMID + index), rng.choice(material.titles), _sections(sentences, rng))


def _sections(sentences: list[str], rng: random.Random) -> list[tuple[str, str, str]]:
    if len(sentences) < 3 or rng.random() < 0.5:
        return [("", "", " ".join(sentences))]
    first, second = sorted(rng.sample(range(1, len(sentences)), 2))
    parts = (sentences[:first], sentences[first:second], sentences[second:])
    return [(label, category, " ".join(part)) for (label, category), part in zip(SECTION_LABELS, parts)]


# -- PubMed efetch XML ------------------------------------------------------------------------------------

_PLACEHOLDERS = ("FLAREKB-PMID", "FLAREKB-TITLE", "FLAREKB-ABSTRACT", "FLAREKB-DOI")


class RecordTemplate:
    """A real efetch record with its PMID, title, abstract and DOI cut out, to be filled per abstract."""

    def __init__(self, shared: Path) -> None:
        from lxml import etree

        data = (shared / TEMPLATE_FIXTURE).read_bytes()
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        self.prolog = data[: data.index(b"<PubmedArticleSet")].decode("utf-8")
        record = copy.deepcopy(root.find("PubmedArticle"))
        citation = record.find("MedlineCitation")
        citation.find("PMID").text = _PLACEHOLDERS[0]
        article = citation.find("Article")
        article.find("ArticleTitle").text = _PLACEHOLDERS[1]
        abstract = article.find("Abstract")
        for child in list(abstract):
            abstract.remove(child)
        abstract.text = _PLACEHOLDERS[2]
        for element in [*article.iterfind("ELocationID"), *record.iterfind("PubmedData/ArticleIdList/ArticleId")]:
            kind = element.get("EIdType") or element.get("IdType")
            if kind == "doi":
                element.text = _PLACEHOLDERS[3]
            elif kind == "pubmed":
                element.text = _PLACEHOLDERS[0]
            elif kind == "pii":
                element.getparent().remove(element)
        text = etree.tostring(record, encoding="unicode")
        self.pieces = re.split("(" + "|".join(_PLACEHOLDERS) + ")", text)

    def render(self, abstract: Abstract) -> str:
        values = {
            _PLACEHOLDERS[0]: abstract.pmid,
            _PLACEHOLDERS[1]: escape(abstract.title),
            _PLACEHOLDERS[2]: "".join(_abstract_text(label, category, text) for label, category, text in abstract.sections),
            _PLACEHOLDERS[3]: escape(abstract.doi),
        }
        return "".join(values.get(piece, piece) for piece in self.pieces)


def _abstract_text(label: str, category: str, text: str) -> str:
    attributes = f' Label="{escape(label)}" NlmCategory="{category}"' if label else ""
    return f"<AbstractText{attributes}>{escape(text)}</AbstractText>"


def pubmed_set(template: RecordTemplate, abstracts: list[Abstract]) -> bytes:
    """One efetch answer (a PubmedArticleSet) holding these abstracts."""
    records = "\n".join(template.render(abstract) for abstract in abstracts)
    return f"{template.prolog}<PubmedArticleSet>\n{records}\n</PubmedArticleSet>\n".encode("utf-8")


def pubmed_xml_file(count: int) -> Path:
    """A PubmedArticleSet of `count` synthetic abstracts in benchmarks/.cache/, generated once."""
    shared = shared_dir()
    sources = [*sorted((shared / "corpus" / "docs").glob("*.json")), shared / TEMPLATE_FIXTURE,
               *sorted((REPO / "corpora" / "seeds").glob("*"))]
    path = CACHE_DIR / f"pubmed_{count}_v{GENERATOR_VERSION}_{digest(sources)}.xml"
    if path.is_file():
        return path
    material, template = real_material(shared), RecordTemplate(shared)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for stale in CACHE_DIR.glob(f"pubmed_{count}_v*.xml"):  # made from older inputs: never read again
        stale.unlink()
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(f"{template.prolog}<PubmedArticleSet>\n")
        for abstract in synthetic_abstracts(material, count):
            out.write(template.render(abstract))
            out.write("\n")
        out.write("</PubmedArticleSet>\n")
    temporary.replace(path)
    return path


def digest(paths: list[Path]) -> str:
    """A short fingerprint of the files an input is made from: a cached input is reused only while they
    are unchanged (a lexicon or corpus edit makes a new one)."""
    fingerprint = hashlib.sha256(f"{GENERATOR_VERSION}".encode())
    for path in paths:
        fingerprint.update(path.name.encode())
        fingerprint.update(path.read_bytes())
    return fingerprint.hexdigest()[:10]


# -- synthetic findings (knowledge-base scale) ---------------------------------------------------------------


def lexicon_rows(name: str) -> list[dict[str, str]]:
    """Rows of one of flarekb's lexicon files (comment lines start with '#', then a header row)."""
    path = REPO / "extractor" / "lexicons" / name
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))
