"""Hostile and broken input (issue 7 items 1, 2): XXE, entity expansion, deep nesting, huge input, and
property-based tests that only BadInput ever escapes a parser.

What is asserted is flarekb's own behaviour: BadInput with one line naming the input (exit 2 and no
traceback from the command), never libxml2's wording, which changes between releases. How fast and in how
much memory each input is refused is measured by `benchmarks/run.py` (figure "hostile"), not timed here.
"""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractor.errors import BadInput
from extractor.models import Document
from extractor.sources import parse_bytes, read_documents
from extractor.sources.html_page import parse_html
from extractor.sources.plain_text import decode_text, parse_text
from extractor.sources.pmc_jats import parse_jats
from extractor.sources.pubmed_xml import parse_pubmed_xml
from extractor.sources.xmlsafe import parse_xml
from tests.hostile import (
    billion_laughs,
    deep_html,
    deep_xml,
    fixture_files,
    huge_text_node,
    over_the_size_limit,
)

REPO = Path(__file__).resolve().parents[2]

SECRET = "TOP-SECRET-CONTENT-42"


def xxe_document(root: str, secret_file: Path) -> str:
    inner = "<MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation>"
    body = f"<PubmedArticle>{inner}</PubmedArticle>" if root == "PubmedArticleSet" else "<front>&xxe;</front>"
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n  <!ENTITY xxe SYSTEM "file://{secret_file}">\n]>\n'
        f"<{root}>{body}</{root}>"
    )


def only_bad_input(parse, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Parsing either succeeds with Documents or raises BadInput with one line naming the input."""
    try:
        result = parse(data)
    except BadInput as error:
        message = str(error)
        assert message.startswith("fuzzed: ") and "\n" not in message and "Traceback" not in message
        return
    documents = result.documents if hasattr(result, "documents") else result
    documents = documents if isinstance(documents, list) else [documents]
    assert all(isinstance(document, Document) for document in documents)


# --- XXE and entity expansion ---------------------------------------------------------------------------


@pytest.mark.parametrize("root", ["PubmedArticleSet", "article"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xxe_is_refused_and_the_file_never_read(tmp_path: Path, root: str, encoding: str) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    path = tmp_path / "attack.xml"
    # UTF-16 hides the declaration from the raw-byte check: the parsed DTD is checked as well.
    document = xxe_document(root, secret_file).replace('"1.0"?', f'"1.0" encoding="{encoding}"?')
    path.write_bytes(document.encode(encoding))
    with pytest.raises(BadInput, match=r"declares entities.*refused") as caught:
        read_documents(path)
    assert str(caught.value).startswith(str(path))
    assert SECRET not in str(caught.value)


def test_entities_in_an_external_dtd_are_not_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY title "{SECRET}">', encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "file://{dtd}"><PubmedArticleSet><PubmedArticle>'
        "<MedlineCitation><PMID>7</PMID><Article><ArticleTitle>A &title; B</ArticleTitle></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode()
    try:
        documents = parse_bytes(data, "external-dtd.xml")
    except BadInput as error:
        assert SECRET not in str(error)
    else:
        assert SECRET not in documents[0].text


def assert_one_line_naming(error: BadInput, name: str) -> None:
    message = str(error)
    assert message.startswith(f"{name}: ") and "\n" not in message and "Traceback" not in message, message


@pytest.mark.parametrize("root", ["PubmedArticleSet", "article"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_with_one_line(root: str, encoding: str) -> None:
    """Refused by flarekb's own check of the prolog, before libxml2 expands (or refuses, in its own words)
    anything: the 10**9 "lol"s are never built."""
    with pytest.raises(BadInput, match=r"declares entities.*refused") as caught:
        parse_bytes(billion_laughs(root, encoding), "laughs.xml")
    assert_one_line_naming(caught.value, "laughs.xml")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-32"])
def test_entity_declarations_are_refused_in_wide_encodings_without_a_byte_order_mark_too(encoding: str) -> None:
    """E-utilities answers reach parse_xml without the file sniffer (which calls these binary)."""
    with pytest.raises(BadInput, match=r"declares entities.*refused") as caught:
        parse_xml(billion_laughs("eSearchResult", encoding), "answer")
    assert_one_line_naming(caught.value, "answer")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_extract_refuses_a_billion_laughs_file_with_exit_2_and_one_line(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "laughs.xml"
    path.write_bytes(billion_laughs("PubmedArticleSet", encoding))
    result = subprocess.run([sys.executable, "-m", "extractor", "extract", str(path)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and result.stdout == ""
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"flarekb: error: {path}: ") and "Traceback" not in result.stderr


# --- bounds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (deep_xml("PubmedArticleSet", "x"), "deep.xml"),
        (deep_xml("article", "sec"), "deep.nxml"),
    ],
)
def test_deep_xml_nesting_is_refused(data: bytes, name: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_bytes(data, name)
    assert_one_line_naming(caught.value, name)


def test_deep_html_nesting_is_refused() -> None:
    with pytest.raises(BadInput, match=r"nested deeper than") as caught:  # flarekb's own check, not libxml2's
        parse_bytes(deep_html(), "deep.html")
    assert_one_line_naming(caught.value, "deep.html")


def test_input_over_the_size_limit_is_refused_before_parsing() -> None:
    with pytest.raises(BadInput, match=r"^big\.nxml: .* bytes is larger than the"):
        parse_bytes(over_the_size_limit(), "big.nxml")


def test_a_huge_single_text_node_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        parse_bytes(huge_text_node(), "huge.xml")
    assert_one_line_naming(caught.value, "huge.xml")


# --- every broken variant of the real fixtures ---------------------------------------------------------


def test_non_document_fixtures_are_bad_input_with_one_line(shared_dir: Path) -> None:
    root = shared_dir / "fixtures" / "ncbi"
    for kind in ("errors", "esearch", "elink", "bioc"):
        for path in sorted((root / kind).iterdir()):
            with pytest.raises(BadInput) as caught:
                read_documents(path)
            message = str(caught.value)
            assert message.startswith(f"{path}: ") and "\n" not in message, message


def test_every_truncation_point_of_a_small_record(shared_dir: Path) -> None:
    data = (shared_dir / "fixtures" / "ncbi" / "pubmed_efetch" / "metapub_38048813.xml").read_bytes()
    for cut in range(0, len(data) - 1, 7):
        only_bad_input(lambda chunk: parse_bytes(chunk, "fuzzed"), data[:cut])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_truncated_real_fixtures_only_raise_bad_input(shared_dir: Path, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(fixture_files(shared_dir)))
    raw = path.read_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    only_bad_input(lambda chunk: parse_bytes(chunk, "fuzzed"), raw[:cut])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_fixtures_only_raise_bad_input(shared_dir: Path, data: st.DataObject) -> None:
    raw = bytearray(data.draw(st.sampled_from(fixture_files(shared_dir))).read_bytes())
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[position] = data.draw(st.integers(min_value=0, max_value=255))
    only_bad_input(lambda chunk: parse_bytes(chunk, "fuzzed"), bytes(raw))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_real_fixtures_in_wrong_encodings_only_raise_bad_input(shared_dir: Path, data: st.DataObject) -> None:
    seed = shared_dir / "seeds" / "pmc12983044_ikeuchi_2026.md"
    text = data.draw(st.sampled_from([*fixture_files(shared_dir), seed]))
    encoding = data.draw(st.sampled_from(["latin-1", "cp1252", "utf-16-le", "utf-16-be", "utf-32", "cp500"]))
    encoded = text.read_text(encoding="utf-8").encode(encoding, errors="replace")
    only_bad_input(lambda chunk: parse_bytes(chunk, "fuzzed"), encoded)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
@example(b"\xff\xfe")
@example(codecs.BOM_UTF8 + b"<")
@example(b"<?xml version='1.0'?>")
@example(b"<!DOCTYPE html>")
@example(b"<html><h1>x")
@example(b"[1, 2")
@example(b"<article><front><article-meta/></front></article>")
def test_arbitrary_bytes_only_raise_bad_input(data: bytes) -> None:
    only_bad_input(lambda chunk: parse_bytes(chunk, "fuzzed"), data)


_MARKUP = st.lists(
    st.sampled_from(
        ["<PubmedArticleSet>", "</PubmedArticleSet>", "<PubmedArticle>", "</PubmedArticle>", "<MedlineCitation>",
         "</MedlineCitation>", "<Article>", "</Article>", "<ArticleTitle>", "</ArticleTitle>", "<PMID>", "</PMID>",
         "<DeleteCitation>", "</DeleteCitation>", "<i>", "</i>", "<article>", "</article>", "<front>", "</front>",
         "<article-meta>", "</article-meta>", "<body>", "</body>", "<sec>", "</sec>", "<fig>", "</fig>", "<p>", "</p>",
         "<html>", "<h1>", "</h1>", "<div id='abstract'>", "</div>", "&amp;", "&bogus;", "<![CDATA[x]]>", "<!-- c -->",
         "12", "PMC9", "text ", "\u00e9", "\x00", "\n"]
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_MARKUP)
def test_markup_soup_only_raises_bad_input_from_every_parser(pieces: list[str]) -> None:
    data = "".join(pieces).encode("utf-8")
    for parse in (
        lambda chunk: parse_bytes(chunk, "fuzzed"),
        lambda chunk: parse_pubmed_xml(chunk, "fuzzed"),
        lambda chunk: parse_jats(chunk, "fuzzed"),
        lambda chunk: parse_html(chunk, "fuzzed"),
        lambda chunk: parse_text(decode_text(chunk, "fuzzed"), "fuzzed"),
    ):
        only_bad_input(parse, data)


def test_xml_declared_utf8_but_latin1_is_refused() -> None:
    data = "<?xml version='1.0' encoding='utf-8'?>\n<PubmedArticleSet>Café</PubmedArticleSet>".encode("latin-1")
    with pytest.raises(BadInput) as caught:
        parse_bytes(data, "latin1.xml")
    assert_one_line_naming(caught.value, "latin1.xml")
