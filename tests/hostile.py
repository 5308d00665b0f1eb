"""Hostile inputs, built in one place for the tests that check they are refused with one line
(tests/sources/test_hostile_inputs.py) and for the benchmark that measures how fast and in how much memory
(benchmarks/hostile.py). Plain functions: no pytest here, the benchmark runs without the test extras."""

from __future__ import annotations

from pathlib import Path

from extractor.sources.xmlsafe import MAX_DOCUMENT_BYTES

FIXTURE_KINDS = ("pubmed_efetch", "pmc_jats", "errors", "esearch", "elink", "bioc")

# Ten entities, each ten of the one before: 10**9 "lol"s if anything expanded them.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
    + "]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
    "<ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
)


def billion_laughs(root: str, encoding: str) -> bytes:
    """The attack with `root` as its root element (and DOCTYPE name), declared and encoded in `encoding`."""
    document = BILLION_LAUGHS if root == "PubmedArticleSet" else BILLION_LAUGHS.replace("PubmedArticleSet", root)
    return document.replace('"1.0"?', f'"1.0" encoding="{encoding}"?').encode(encoding)


def deep_xml(root: str, child: str, depth: int = 5000) -> bytes:
    return f"<{root}>".encode() + f"<{child}>".encode() * depth + f"</{child}>".encode() * depth + f"</{root}>".encode()


def deep_html(depth: int = 20000) -> bytes:
    return b"<html><body><h1>T</h1>" + b"<div>" * depth + b"<p>x</p>" + b"</div>" * depth + b"</body></html>"


def huge_text_node(megabytes: int = 11) -> bytes:
    """One text node above libxml2's 10 MB limit for a single node."""
    return b"<PubmedArticleSet><PubmedArticle>" + b"a" * (megabytes * 1024 * 1024) + b"</PubmedArticle></PubmedArticleSet>"


def over_the_size_limit() -> bytes:
    """A JATS document one tag longer than flarekb parses in memory."""
    return b"<article>" + b"a" * MAX_DOCUMENT_BYTES


def fixture_files(shared_dir: Path) -> list[Path]:
    """The real NCBI answers in ../shared that broken variants are made from (cut, mutated, re-encoded)."""
    root = shared_dir / "fixtures" / "ncbi"
    return sorted(path for kind in FIXTURE_KINDS for path in (root / kind).iterdir())
