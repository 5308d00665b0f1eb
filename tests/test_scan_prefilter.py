"""The scan's prefilter never drops a record the full extraction keeps, over every real document at hand and
over a bulk file mixed from them; and the bulk reader hands out each record's own bytes."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from extractor import lexicons
from extractor.errors import BadInput
from extractor.models import Document, Passage
from extractor.nlp import extract_many
from extractor.scan.prefilter import keeps, might_keep, might_keep_text
from extractor.scan.task import scan_file
from extractor.sources import parse_bytes, read_documents
from extractor.sources.bulk import bulk_files, read_bulk
from extractor.sources.pubmed_xml import Deletion, iter_pubmed_xml
from tests.bulk_inputs import background_record, load_records, pmc_package, pubmed_file


def every_real_document(shared: Path, seeds: Path) -> list[Document]:
    fixtures = shared / "fixtures" / "ncbi"
    paths = [*sorted((fixtures / "pubmed_efetch").glob("*.xml")), *sorted((fixtures / "pmc_jats").iterdir()),
             *sorted(seeds.iterdir())]
    documents = [document for path in paths for document in read_documents(path)]
    for path in sorted((shared / "corpus" / "docs").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        passages = [Passage("title", record.get("title") or ""), Passage("abstract", record["text"])]
        documents.append(Document(path.stem, "text", record.get("title") or "", passages, pmid=record.get("pmid")))
    return documents


def documents_and_raw_texts(data: bytes) -> list[tuple[Document, str]]:
    """Each record's Document with the raw text the reader hands the scan's first test (might_keep_text)."""
    raw_texts: list[str] = []
    documents = list(iter_pubmed_xml(data, "mixed.xml", wanted=lambda text: raw_texts.append(text) or True))
    assert len(documents) == len(raw_texts)
    return list(zip(documents, raw_texts))


def test_the_prefilter_lets_through_every_document_the_extraction_keeps(shared_dir: Path, seeds_dir: Path):
    documents = every_real_document(shared_dir, seeds_dir)
    kept = [document.id for document, findings in zip(documents, extract_many(documents)) if keeps(findings)]
    passed = {document.id for document in documents if might_keep(document)}
    assert len(kept) >= 30  # the corpus and the seeds: enough cases for the check to mean something
    assert [document_id for document_id in kept if document_id not in passed] == []
    # and it is a filter: the real records about other subjects (the fixtures) do not pass
    background = [document for document in documents if document.source in ("pubmed-xml", "pmc-jats")]
    assert len(background) >= 20 and not any(might_keep(document) for document in background)


def test_the_first_test_lets_through_every_record_the_exact_test_lets_through(shared_dir: Path, seeds_dir: Path):
    """The first test runs on PubMed records (a PMC article always gets its Document): every fixture record,
    and every corpus text and seed report wrapped in a real record, as bulk files hold them."""
    records = load_records(shared_dir, seeds_dir)
    articles = [case for _, case in records.cases]
    articles += [background_record(records, n) for n in range(len(records.background))]
    data = f"{records.prolog}<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>".encode()
    pairs = documents_and_raw_texts(data)
    passed = [document.pmid for document, _ in pairs if might_keep(document)]
    assert len(passed) >= 30
    assert [document.pmid for document, raw in pairs if might_keep(document) and not might_keep_text(raw)] == []
    # and it is a filter: the background records do not pass it
    background = pairs[len(records.cases):]
    assert len(background) >= 15 and not any(might_keep_text(raw) for _, raw in background)


def test_every_engager_name_and_flare_word_of_the_lexicons_passes_alone():
    """Generated from the lexicons: every brand and code name, every flare word, in a sentence of its own."""
    forms = [form for drug in lexicons.drug_lexicon() if drug.role == "engager" for form in (drug.name, *drug.synonyms)]
    forms += [term.replace("...", "marked") for term in lexicons.flare_terms()]
    assert len(forms) > 50
    missed = [form for form in forms
              if not might_keep(Document("1", "text", "", [Passage("text", f"The patient had {form.upper()} today.")]))]
    assert missed == []
    assert not might_keep(Document("1", "text", "", [Passage("text", "Nivolumab was given; IL-6 rose on day 3.")]))


@pytest.mark.parametrize("sentence", ["She received a CD20xCD3 bispecific antibody.",
                                      "He was given a T-cell engager directed against DLL3."])
def test_an_engager_named_by_its_targets_passes_as_the_extraction_keeps_it(sentence):
    document = Document("1", "text", "", [Passage("text", f"A 61-year-old woman with lymphoma. {sentence}")])
    assert keeps(next(extract_many([document]))) and might_keep(document)


def test_a_mixed_bulk_file_keeps_exactly_what_the_full_extraction_keeps(shared_dir: Path, seeds_dir: Path,
                                                                        tmp_path: Path):
    records = load_records(shared_dir, seeds_dir)
    articles = [background_record(records, number) for number in range(60)]
    for index, (_, case) in enumerate(records.cases):  # the cases spread among the background
        articles.insert(index * 2, case)
    path = pubmed_file(records, tmp_path / "pubmed25n0001.xml.gz", articles)
    documents = list(iter_pubmed_xml(gzip.decompress(path.read_bytes())))
    expected = sorted(d.pmid for d, findings in zip(documents, extract_many(documents)) if keeps(findings))

    result = scan_file(str(path))
    assert result.error is None and result.records == len(articles)
    assert sorted(kept.record_id for kept in result.kept) == expected and len(expected) >= 30
    assert result.candidates < result.records  # the background did not reach the full extraction
    # the first test on the raw text sent on every record the exact test lets through, and no other reached it
    pairs = documents_and_raw_texts(gzip.decompress(path.read_bytes()))
    assert [d.pmid for d, raw in pairs if might_keep(d) and not might_keep_text(raw)] == []
    assert result.candidates == sum(might_keep(document) for document, _ in pairs)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_record_comes_with_its_own_bytes_as_refresh_caches_them(shared_dir: Path, seeds_dir: Path,
                                                                     tmp_path: Path):
    records = load_records(shared_dir, seeds_dir)
    articles = [background_record(records, number) for number in range(5)] + [records.cases[0][1]]
    plain = pubmed_file(records, tmp_path / "update.xml", articles, deleted=["70000002", "123"])
    zipped = pubmed_file(records, tmp_path / "update.xml.gz", articles, deleted=["70000002", "123"])
    for path in (plain, zipped):
        items = list(read_bulk(path).items)
        assert [item.pmid for item in items if isinstance(item, Deletion)] == ["70000002", "123"]
        bulk = [item for item in items if not isinstance(item, Deletion)]
        assert [record.document.text for record in bulk] == [d.text for d in read_documents(plain)]
        for record in bulk:
            raw = record.raw()
            assert raw.startswith(b"<?xml") and raw.count(b"<PubmedArticle>") == 1
            assert parse_bytes(raw, "cached", expect="pubmed-xml")[0].text == record.document.text


def test_a_pmc_package_is_read_article_by_article(shared_dir: Path, tmp_path: Path):
    jats = shared_dir / "fixtures" / "ncbi" / "pmc_jats"
    members = {f"PMC000xxxxxx/{path.name}": path.read_bytes() for path in sorted(jats.glob("*.nxml"))}
    members["PMC000xxxxxx/figure.jpg"] = b"\xff\xd8 not an article"
    package = pmc_package(tmp_path / "oa_comm_xml.PMC000xxxxxx.baseline.tar.gz", members)
    records = list(read_bulk(package).items)
    assert [record.db for record in records] == ["pmc"] * 2
    assert [record.raw() for record in records] == [data for name, data in members.items() if name.endswith(".nxml")]
    assert all(record.record_id.startswith("PMC") for record in records)


def test_bad_bulk_inputs_are_named(tmp_path: Path, shared_dir: Path, seeds_dir: Path):
    with pytest.raises(BadInput, match="no such file"):
        bulk_files([tmp_path / "missing.xml.gz"])
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(BadInput, match="notes.txt: not a PubMed"):
        bulk_files([tmp_path / "notes.txt"])
    records = load_records(shared_dir, seeds_dir)
    whole = pubmed_file(records, tmp_path / "whole.xml.gz", [background_record(records, n) for n in range(20)])
    truncated = tmp_path / "truncated.xml.gz"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    result = scan_file(str(truncated))
    assert result.error is not None and result.error.startswith(f"{truncated}: ")
