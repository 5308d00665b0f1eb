"""A PubMed file that breaks part-way (issue 13): every record complete before the fault comes out of the
streaming reader, then one BadInput naming the file, wherever the fault falls among the reader's chunks.

lxml 6.2's iterparse drops the records already parsed in the chunk that fails, 6.1's does not; the reader
must give the same records on both (run this file under each, e.g. in a second venv made with
`pip install -e '.[test]' lxml==6.1.3`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.errors import BadInput
from extractor.models import Document
from extractor.sources.pubmed_xml import iter_pubmed_xml
from extractor.sources.xmlsafe import CHUNK_BYTES

PROLOG = b"<?xml version='1.0' encoding='utf-8'?>\n<PubmedArticleSet>\n"
# Faults libxml2 finds inside a record: a wrong closing tag, a byte that is not UTF-8, a second root.
FAULTS = {
    "mismatched-tag": b"<PubmedArticle><MedlineCitation><PMID>999</PMID><Article><ArticleTitle>x</Title>",
    "invalid-utf8": b"<PubmedArticle><MedlineCitation><PMID>999</PMID><Article><ArticleTitle>\xff\xfe</ArticleTitle>",
    "junk-after-the-root": b"</PubmedArticleSet>\n<PubmedArticleSet>",
}


def record(pmid: int, filler: int = 600) -> bytes:
    """One record of about `filler` bytes more than its markup, so a chunk holds a few hundred of them."""
    abstract = ("Pseudoprogression after tarlatamab. " * (filler // 36 + 1))[:filler]
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Case {pmid}</ArticleTitle>"
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract></Article></MedlineCitation>"
        f"</PubmedArticle>\n"
    ).encode()


def records_up_to(offset: int) -> tuple[bytes, list[str]]:
    """The prolog and as many whole records as end before `offset`, with their PMIDs."""
    data, pmids = PROLOG, []
    while len(data) + len(record(len(pmids) + 1)) <= offset:
        pmids.append(str(len(pmids) + 1))
        data += record(len(pmids))
    return data, pmids


def stream(path: Path) -> tuple[list[str], BadInput | None]:
    """The PMIDs the reader yields, and the error it ends with."""
    pmids = []
    try:
        for item in iter_pubmed_xml(path):
            assert isinstance(item, Document)
            pmids.append(item.pmid)
    except BadInput as error:
        return pmids, error
    return pmids, None


# Where the faulty record starts: half-way through the first chunk, across the first chunk boundary, just
# after it, and half-way through the third chunk (two whole chunks of good records already handed out).
FAULT_OFFSETS = {
    "first-chunk": CHUNK_BYTES // 2,
    "across-a-boundary": CHUNK_BYTES - 20,
    "just-after-a-boundary": CHUNK_BYTES + 10,
    "third-chunk": 2 * CHUNK_BYTES + CHUNK_BYTES // 2,
}


@pytest.mark.parametrize("where", sorted(FAULT_OFFSETS))
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_record_before_a_fault_is_yielded_then_one_error(tmp_path: Path, fault: str, where: str) -> None:
    good, pmids = records_up_to(FAULT_OFFSETS[where])
    path = tmp_path / "baseline.xml"
    path.write_bytes(good + FAULTS[fault] + b"\n" + record(5000) + b"</PubmedArticleSet>\n")
    yielded, error = stream(path)
    assert yielded == pmids
    assert error is not None
    message = str(error)
    assert message.startswith(f"{path}: ") and "\n" not in message


def test_a_fault_in_the_last_record_costs_no_earlier_record(tmp_path: Path) -> None:
    """The case users hit: an update file whose last record is cut short, the records before it all in the
    same chunk as the fault."""
    good = PROLOG + record(1) + record(2) + record(3)
    path = tmp_path / "update.xml"
    path.write_bytes(good + FAULTS["mismatched-tag"] + b"\n</PubmedArticleSet>\n")
    yielded, error = stream(path)
    assert yielded == ["1", "2", "3"]
    assert error is not None and str(error).startswith(f"{path}: not well-formed XML")


def complete_pmids(data: bytes) -> list[str]:
    """The PMIDs of the records whose closing tag is in `data`, read with a regex: an independent check."""
    return re.findall(rb"<PMID>(\d+)</PMID>.*?</PubmedArticle>", data, re.DOTALL)


# Records of random sizes, over up to about three chunks.
_FILE = st.lists(st.integers(min_value=0, max_value=6000), min_size=1, max_size=300).map(
    lambda fillers: PROLOG + b"".join(record(n, filler) for n, filler in enumerate(fillers, start=1))
    + b"</PubmedArticleSet>\n"
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_FILE, cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_file_cut_anywhere_yields_exactly_its_complete_records(tmp_path: Path, data: bytes, cut: float) -> None:
    truncated = data[: int(len(data) * cut)]
    path = tmp_path / "cut.xml"
    path.write_bytes(truncated)
    yielded, error = stream(path)
    assert yielded == [pmid.decode() for pmid in complete_pmids(truncated)]
    if truncated.rstrip().endswith(b"</PubmedArticleSet>"):  # only the final newline was cut
        assert error is None
    else:
        assert error is not None and str(error).startswith(f"{path}: ") and "\n" not in str(error)


def test_every_cut_of_a_small_file_yields_exactly_its_complete_records(tmp_path: Path) -> None:
    data = PROLOG + record(1, 40) + record(2, 0) + record(3, 80) + b"</PubmedArticleSet>\n"
    path = tmp_path / "cut.xml"
    for cut in range(len(data.rstrip()) - 1):
        path.write_bytes(data[:cut])
        yielded, error = stream(path)
        assert yielded == [pmid.decode() for pmid in complete_pmids(data[:cut])], cut
        assert error is not None and str(error).startswith(f"{path}: "), cut
