"""PubMed XML parser on every efetch fixture: ids, titles, labelled abstracts, books, deletions, streaming."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import parse_bytes, read_documents
from extractor.sources.pubmed_xml import Deletion, iter_pubmed_xml, parse_pubmed_xml


def efetch(shared_dir: Path, name: str) -> Path:
    return shared_dir / "fixtures" / "ncbi" / "pubmed_efetch" / name


def pmids_in(path: Path, record_tag: str) -> list[str]:
    """The records' own PMIDs, read with a plain regex as an independent check of the parser."""
    text = path.read_text(encoding="utf-8")
    records = re.findall(rf"<{record_tag}>.*?</{record_tag}>", text, re.DOTALL)
    return [re.search(r"<PMID[^>]*>(\d+)</PMID>", record).group(1) for record in records]


def test_every_efetch_fixture_parses_one_document_per_record(shared_dir: Path) -> None:
    files = sorted((shared_dir / "fixtures" / "ncbi" / "pubmed_efetch").glob("*.xml"))
    assert len(files) >= 13
    for path in files:
        documents = read_documents(path)
        expected = pmids_in(path, "PubmedArticle") + pmids_in(path, "PubmedBookArticle")
        assert sorted(document.pmid for document in documents) == sorted(expected), path.name
        for document in documents:
            assert document.source == "pubmed-xml"
            assert document.id == document.pmid
            assert document.title, f"{path.name} {document.pmid} has no title"
            assert document.passages[0].kind == "title"
            assert document.path == str(path)
            assert all(document.text[p.offset : p.offset + len(p.text)] == p.text for p in document.passages)


def test_inline_markup_neither_glues_nor_drops_words(shared_dir: Path) -> None:
    spaced = read_documents(efetch(shared_dir, "biopython_pubmed4.xml"))[0]
    unspaced = read_documents(efetch(shared_dir, "biopython_title_with_html_tags.xml"))[0]
    for document in (spaced, unspaced):
        assert "genetic variants at the TERT gene region" in document.title
        assert "Three SNPs at TERT (linkage disequilibrium r2<0.25)" in document.text
        assert "ptrend=0.048" in document.text
        assert "theTERT" not in document.text and "TERTgene" not in document.text
    assert spaced.title == unspaced.title


def test_italic_run_crossing_an_escaped_quote(shared_dir: Path) -> None:
    document = read_documents(efetch(shared_dir, "biopython_pubmed6.xml"))[0]
    assert document.title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate')
    assert (document.pmid, document.pmcid, document.doi) == ("30108519", "PMC6079548", "10.3389/fphys.2018.01034")


def test_mathml_text_is_kept(shared_dir: Path) -> None:
    document = read_documents(efetch(shared_dir, "biopython_pubmed7.xml"))[0]
    raw = efetch(shared_dir, "biopython_pubmed7.xml").read_text(encoding="utf-8")
    abstract = re.search(r"<AbstractText>(.*?)</AbstractText>", raw, re.DOTALL).group(1)
    last_words = re.sub(r"<[^>]+>", " ", abstract).split()[-3:]
    assert " ".join(last_words) in document.text  # nothing after the MathML was truncated


def test_structured_abstract_keeps_its_labels(shared_dir: Path) -> None:
    document = read_documents(efetch(shared_dir, "metapub_38534005.xml"))[0]
    labels = [passage.label for passage in document.passages if passage.kind == "abstract"]
    assert len(labels) == 7
    assert labels[:2] == ["BACKGROUND", "RECOMMENDATIONS"]
    assert not document.passages[1].text.startswith("BACKGROUND")  # the label is not glued into the text


def test_ids_come_only_from_the_records_own_article_id_list(shared_dir: Path) -> None:
    path = efetch(shared_dir, "biopython_pubmed4.xml")
    assert path.read_text(encoding="utf-8").count('IdType="doi"') > 1  # references carry other papers' DOIs
    document = read_documents(path)[0]
    assert (document.pmid, document.pmcid, document.doi) == ("27797938", "PMC5442267", "10.1136/gutjnl-2016-312510")


def test_medline_date_gives_the_year(shared_dir: Path) -> None:
    documents = {d.pmid: d for d in read_documents(efetch(shared_dir, "bmcs_test_citations.xml"))}
    assert documents["21179314"].year == "2010"
    assert documents["21179314"].journal == "Scientia pharmaceutica"


def test_season_date_and_record_without_abstract(shared_dir: Path) -> None:
    first = read_documents(efetch(shared_dir, "biopython_pubmed1.xml"))[0]
    assert first.year == "1990"
    assert [passage.kind for passage in first.passages if passage.kind == "abstract"] == []
    german = read_documents(efetch(shared_dir, "metapub_38048813.xml"))[0]
    assert german.title.startswith("[A Broader Scope")
    assert [passage.kind for passage in german.passages] == ["title"]


def test_book_articles(shared_dir: Path) -> None:
    chapter = read_documents(efetch(shared_dir, "metapub_sample_article_20301577_book.xml"))[0]
    assert chapter.title == "CACNA1C-Related Disorders"
    assert chapter.journal == "GeneReviews®"
    labels = [passage.label for passage in chapter.passages if passage.kind == "abstract"]
    assert labels[:2] == ["CLINICAL CHARACTERISTICS", "DIAGNOSIS/TESTING"]
    whole_book = read_documents(efetch(shared_dir, "klortho_efetch.pubmedbook.xml"))[0]
    assert whole_book.pmid == "20301295"
    assert whole_book.title == "GeneReviews™"  # no ArticleTitle: the BookTitle stands in


def test_empty_result_set_is_no_documents_not_an_error(shared_dir: Path) -> None:
    assert read_documents(efetch(shared_dir, "metapub_37909814_empty.xml")) == []


def test_delete_citation_pmids_are_reported_not_parsed(shared_dir: Path) -> None:
    path = efetch(shared_dir, "ncbiutils_pubmed22n1115_excerpt.xml")
    records = parse_pubmed_xml(path)
    assert len(records.documents) == 3
    assert len(records.deleted_pmids) == 34
    assert not set(records.deleted_pmids) & {document.pmid for document in records.documents}
    streamed = list(iter_pubmed_xml(path.read_bytes(), "update file"))
    assert [item.pmid for item in streamed if isinstance(item, Deletion)] == records.deleted_pmids


def test_parse_bytes_names_the_source_in_errors(shared_dir: Path) -> None:
    data = efetch(shared_dir, "biopython_pubmed4.xml").read_bytes()
    assert parse_bytes(data, "pmid 27797938")[0].path == "pmid 27797938"
    with pytest.raises(BadInput, match=r"^pmid 27797938: truncated XML"):
        parse_bytes(data[: len(data) // 2], "pmid 27797938")


def test_streaming_many_records_keeps_the_tree_small(tmp_path: Path, shared_dir: Path) -> None:
    """A large set is parsed record by record: the already-parsed records are freed from the tree."""
    record = re.search(
        rb"<PubmedArticle>.*?</PubmedArticle>", efetch(shared_dir, "metapub_38534005.xml").read_bytes(), re.DOTALL
    ).group(0)
    big = tmp_path / "baseline.xml"
    count = 3000
    prolog = b"<?xml version='1.0' encoding='utf-8'?>\n"
    big.write_bytes(prolog + b"<PubmedArticleSet>" + record * count + b"</PubmedArticleSet>")
    seen = 0
    for item in iter_pubmed_xml(big):
        seen += 1
        assert not isinstance(item, Deletion)
    assert seen == count
    assert len(read_documents(big)) == count


def test_wrong_root_inside_pubmed_stream_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(b"<eSearchResult><Count>0</Count></eSearchResult>")
    with pytest.raises(BadInput, match=r"root element <eSearchResult>"):
        parse_pubmed_xml(path)


def test_fallbacks_and_section_order_of_a_sparse_record() -> None:
    """No ArticleTitle text: the VernacularTitle; no journal issue date: the ArticleDate; the Abstract's sections
    before an OtherAbstract's (a translation), whatever their order in the file; ids from the record's own
    first ArticleIdList only, its reference list's ids ignored."""
    record = b"""<PubmedArticleSet><PubmedArticle><MedlineCitation>
      <PMID>111</PMID>
      <OtherAbstract Language="fre"><AbstractText>Resume en francais.</AbstractText></OtherAbstract>
      <Article>
        <Journal><Title>J Test</Title><JournalIssue><PubDate><Season>Spring</Season></PubDate></JournalIssue></Journal>
        <ArticleTitle></ArticleTitle><VernacularTitle>Titre  original</VernacularTitle>
        <Abstract><AbstractText Label="CASE">Tumour flare on day 8.</AbstractText></Abstract>
        <ArticleDate><Year>2023</Year></ArticleDate>
      </Article>
      <KeywordList><Keyword>flare</Keyword><Keyword/></KeywordList><KeywordList><Keyword>CRS</Keyword></KeywordList>
    </MedlineCitation><PubmedData>
      <ArticleIdList><ArticleId IdType="pubmed">222</ArticleId><ArticleId IdType="pmc">PMC333</ArticleId></ArticleIdList>
      <ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.1000/other</ArticleId></ArticleIdList>
      </Reference></ReferenceList>
    </PubmedData></PubmedArticle></PubmedArticleSet>"""
    [document] = parse_pubmed_xml(record).documents
    assert (document.pmid, document.pmcid, document.doi) == ("222", "PMC333", None)
    assert (document.title, document.journal, document.year) == ("Titre original", "J Test", "2023")
    assert [(p.kind, p.text, p.label) for p in document.passages] == [
        ("title", "Titre original", ""),
        ("abstract", "Tumour flare on day 8.", "CASE"),
        ("abstract", "Resume en francais.", ""),
        ("section", "flare; CRS", "Keywords"),
    ]
