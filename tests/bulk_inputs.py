"""Bulk files for the scan tests, made from real records: PubMed baseline/update files (gzipped or not) and a
PMC package.

Background records are the real PubmedArticles of ../shared/fixtures/ncbi/pubmed_efetch (genetics, ecology,
guidelines...: none names an engager or a flare), their PMIDs rewritten so that a file can hold many. Case
records are the development corpus (../shared/corpus/docs) and the seed reports, each wrapped in a real
efetch record (benchmarks/corpus.py's template) under its own PMID, or a made-up one above every real PMID.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from benchmarks.corpus import Abstract, RecordTemplate
from extractor.sources import read_documents
from extractor.sources.xmlsafe import safe_parser

FIRST_BACKGROUND_PMID = 70_000_001
FIRST_CASE_PMID = 80_000_001


@dataclass
class Records:
    prolog: str  # the XML declaration and DOCTYPE of a real efetch answer
    background: list[str]  # one real PubmedArticle, PMID rewritten to a placeholder
    cases: list[tuple[str, str]]  # (PMID, a PubmedArticle holding a corpus or seed text)


def load_records(shared: Path, seeds: Path) -> Records:
    template = RecordTemplate(shared)
    background = []
    for path in sorted((shared / "fixtures" / "ncbi" / "pubmed_efetch").glob("*.xml")):
        root = etree.fromstring(path.read_bytes(), safe_parser())
        for record in root.iter("PubmedArticle"):
            background.append(etree.tostring(record, encoding="unicode"))
    cases = []
    texts = []
    for path in sorted((shared / "corpus" / "docs").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        texts.append((document.get("pmid"), document.get("title") or "", document["text"]))
    for path in sorted(seeds.iterdir()):
        for document in read_documents(path):
            body = "\n".join(p.text for p in document.passages if p.kind != "title")
            texts.append((document.pmid, document.title, body))
    for number, (pmid, title, text) in enumerate(texts):
        pmid = pmid or str(FIRST_CASE_PMID + number)
        cases.append((pmid, template.render(Abstract(pmid, title, [("", "", text)]))))
    return Records(template.prolog, background, cases)


def background_record(records: Records, number: int) -> str:
    """Background record `number`: a real record under PMID FIRST_BACKGROUND_PMID + number."""
    text = records.background[number % len(records.background)]
    element = etree.fromstring(text.encode(), safe_parser())
    pmid = str(FIRST_BACKGROUND_PMID + number)
    element.find("MedlineCitation/PMID").text = pmid
    for article_id in element.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if article_id.get("IdType") == "pubmed":
            article_id.text = pmid
    return etree.tostring(element, encoding="unicode")


def pubmed_file(records: Records, path: Path, articles: list[str], deleted: list[str] = ()) -> Path:
    """A PubMed baseline/update file: `articles` in order, then a DeleteCitation of `deleted`; gzipped when
    the name ends in .gz."""
    deletion = ("<DeleteCitation>" + "".join(f'<PMID Version="1">{p}</PMID>' for p in deleted)
                + "</DeleteCitation>\n") if deleted else ""
    text = f"{records.prolog}<PubmedArticleSet>\n" + "\n".join(articles) + "\n" + deletion + "</PubmedArticleSet>\n"
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def pmc_package(path: Path, articles: dict[str, bytes]) -> Path:
    """A PMC Open Access package: a .tar.gz of JATS files named as NCBI names them."""
    with tarfile.open(path, "w:gz") as package:
        for name, data in articles.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            package.addfile(info, io.BytesIO(data))
    return path
