"""Plain text and Markdown: the two seed reports, generic text, encodings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import parse_bytes, read_documents

NAKANO = "pubmed_40827251_nakano_2025.txt"
IKEUCHI = "pmc12983044_ikeuchi_2026.md"


def only(documents: list) -> object:
    assert len(documents) == 1
    return documents[0]


def gold_evidence(shared_dir: Path, gold_id: str) -> list[str]:
    for line in (shared_dir / "corpus" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == gold_id:
            return [marker["evidence"] for marker in record["markers"]]
    raise AssertionError(f"{gold_id} missing from gold.jsonl")


def test_pubmed_page_seed_identifiers_and_title(seeds_dir: Path) -> None:
    document = only(read_documents(seeds_dir / NAKANO))
    assert (document.id, document.pmid, document.pmcid, document.doi) == (
        "40827251", "40827251", None, "10.1002/rcr2.70319"
    )
    assert document.title == "Early Pseudoprogression After Tarlatamab in Small-Cell Lung Cancer: A Case Report"
    assert document.source == "text"
    assert (document.year, document.journal) == ("2025", "Respirol Case Rep")


def test_pubmed_page_seed_keeps_abstract_keywords_and_figure_legends_drops_the_site(seeds_dir: Path) -> None:
    document = only(read_documents(seeds_dir / NAKANO))
    kinds = [(passage.kind, passage.label) for passage in document.passages]
    assert kinds[:3] == [("title", ""), ("abstract", "Abstract"), ("section", "Keywords")]
    captions = [passage for passage in document.passages if passage.kind == "caption"]
    assert [caption.label for caption in captions] == ["FIGURE 1", "FIGURE 2", "FIGURE 3"]
    assert "(c) Day 12 after the first dose: The primary lesion is smaller than at baseline" in captions[0].text
    for boilerplate in ("Skip to main page content", "official website", "Chen M. Y.", "LinkOut", "Disclaimer"):
        assert boilerplate not in document.text
    assert "T‐cell engager" in document.text  # Unicode hyphens are kept as they are


def test_markdown_seed_identifiers_sections_and_noise(seeds_dir: Path) -> None:
    document = only(read_documents(seeds_dir / IKEUCHI))
    assert (document.id, document.pmid, document.pmcid, document.doi) == (
        "PMC12983044", None, "PMC12983044", "10.7759/cureus.103393"
    )
    assert document.title.startswith("Pseudoprogression Associated With T-cell Infiltration During Tarlatamab")
    assert document.year == "2026"
    labels = [passage.label for passage in document.passages]
    assert "Abstract" in labels
    for machine_written in ("TL;DR", "Contribution", "Key findings", "Linked entities", "Full-text entities"):
        assert machine_written not in labels
    assert "MONDO:0008433" not in document.text and "taxon 9606" not in document.text
    assert "**Authors:**" not in document.text
    abstract = next(passage for passage in document.passages if passage.label == "Abstract")
    assert abstract.kind == "abstract" and abstract.text.startswith("Tarlatamab is a bispecific T-cell engager")


@pytest.mark.parametrize(("name", "gold_id"), [(NAKANO, "40827251"), (IKEUCHI, "PMC12983044")])
def test_gold_evidence_is_a_substring_of_the_parsed_text(shared_dir: Path, name: str, gold_id: str) -> None:
    document = only(read_documents(shared_dir / "seeds" / name))
    for evidence in gold_evidence(shared_dir, gold_id):
        assert evidence in document.text


def test_plain_paragraphs_first_short_line_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "Tumour flare after epcoritamab\n\nA 70-year-old man received epcoritamab.\nDay 3: swelling.\n\n\n"
        "It resolved (doi:10.1000/xyz123).\n\nReferences\n1. Someone, doi 10.9999/other.\n",
        encoding="utf-8",
    )
    document = only(read_documents(path))
    assert document.title == "Tumour flare after epcoritamab"
    assert document.id == "10.1000/xyz123"
    assert [passage.text for passage in document.passages[1:]] == [
        "A 70-year-old man received epcoritamab.\nDay 3: swelling.",
        "It resolved (doi:10.1000/xyz123).",
    ]


def test_without_identifiers_the_file_stem_is_the_id(tmp_path: Path) -> None:
    path = tmp_path / "my case.md"
    path.write_text("# A title\n\n## Case\n\nText.\n", encoding="utf-8")
    document = only(read_documents(path))
    assert (document.id, document.pmid, document.pmcid, document.doi) == ("my case", None, None, None)


def test_utf16_with_bom_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Title – dash\r\n\r\nBody text.\r\n".encode("utf-16"))
    document = only(read_documents(path))
    assert document.title == "Title – dash"
    assert document.passages[1].text == "Body text."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        ("Caf\xe9 au lait\n".encode("latin-1"), "not UTF-8 text"),
        (b"text\x00with\x00nul", "binary data"),
        (b"\x1f\x8b\x08\x00junk", "gzip"),
        (b'{"esearchresult": {"count": "0"}}', "JSON"),
    ],
)
def test_unusable_text_is_bad_input_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=rf"^notes/x\.txt: .*{message}"):
        parse_bytes(data, "notes/x.txt")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        read_documents(tmp_path / "absent.txt")
    with pytest.raises(BadInput, match="is a directory"):
        read_documents(tmp_path)


def test_text_file_opening_with_an_angle_bracket_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("<!-- exported -->\n# Flare case\n\n## Case\n\nIL-6 <5 pg/mL at baseline.\n", encoding="utf-8")
    document = only(read_documents(path))
    assert document.title == "Flare case"
    assert "IL-6 <5 pg/mL at baseline." in document.text
    with pytest.raises(BadInput, match="truncated XML"):
        parse_bytes(b"<!-- exported -->", "note.xml")
