"""iter_documents: what is wrong with a file is raised by the call, its documents come one at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import iter_documents, read_documents
from extractor.sources.xmlsafe import MAX_DOCUMENT_BYTES

RECORD = ("<PubmedArticle><MedlineCitation><PMID>{}</PMID><Article><ArticleTitle>Case {}</ArticleTitle></Article>"
          "</MedlineCitation></PubmedArticle>\n")


def pubmed_file(path: Path, pmids: range, tail: str = "</PubmedArticleSet>\n") -> Path:
    path.write_text("<PubmedArticleSet>\n" + "".join(RECORD.format(n, n) for n in pmids) + tail, encoding="utf-8")
    return path


def test_file_level_faults_are_raised_by_the_call_before_any_document(tmp_path: Path) -> None:
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    with (tmp_path / "big.md").open("wb") as stream:
        stream.write(b"Day 7: IL-6 rose.\n" * 8192)  # more than the sniffed head
        stream.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: text in the sniffed head, too large as a whole
    cases = {"missing.xml": "no such file", ".": "is a directory", "paper.pdf": "a PDF file",
             "empty.txt": "empty file", "big.md": "larger than"}
    for name, what in cases.items():
        path = tmp_path / name if name != "." else tmp_path
        with pytest.raises(BadInput, match=what) as caught:
            iter_documents(path)  # not iterated: the call itself raises
        assert str(caught.value).startswith(f"{path}: ")


def test_pubmed_records_come_one_at_a_time_before_a_fault_is_reached(tmp_path: Path) -> None:
    path = pubmed_file(tmp_path / "baseline.xml", range(1, 4), tail="<PubmedArticle><MedlineCitation>")
    documents = iter_documents(path)
    assert [next(documents).pmid for _ in range(3)] == ["1", "2", "3"]
    with pytest.raises(BadInput, match=r"baseline\.xml: truncated XML"):
        next(documents)
    with pytest.raises(BadInput, match="truncated XML"):
        read_documents(path)


def test_read_documents_is_the_list_of_iter_documents_without_deletions(tmp_path: Path) -> None:
    path = pubmed_file(tmp_path / "update.xml", range(1, 3),
                       tail="<DeleteCitation><PMID>5</PMID></DeleteCitation>\n" + RECORD.format(3, 3)
                       + "</PubmedArticleSet>\n")
    assert [d.pmid for d in iter_documents(path)] == ["1", "2", "3"]
    assert read_documents(path) == list(iter_documents(path))
