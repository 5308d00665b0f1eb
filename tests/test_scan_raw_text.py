"""The scan's first test (prefilter.might_keep_text, on a record's raw text, before any Document is made) never
turns down a record whose Document the exact test (prefilter.might_keep) lets through: on sentences written
here, on every engager name and flare word of the lexicons written in the ways XML allows, on random markup,
entities, case, Greek letters, dashes and whitespace (hypothesis), and on any text the exact patterns match.
(The same check over every fixture, corpus and seed document and a mixed file: tests/test_scan_prefilter.py.)"""

from __future__ import annotations

import re
from html import escape

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from extractor import lexicons
from extractor.errors import BadInput
from extractor.models import Document
from extractor.nlp.unnamed import unnamed_engager_pattern
from extractor.scan.literals import necessary_literals, spaced
from extractor.scan.prefilter import _necessary, _pattern, might_keep, might_keep_text
from extractor.sources.bulk import PassedRecord, read_bulk
from extractor.sources.pubmed_xml import Unread, iter_pubmed_xml


def record(abstracts: list[str], title: str = "A case report", *, vernacular: str | None = None,
           other: list[str] = (), keywords: list[str] = (), pmid: str = "1") -> bytes:
    """One PubMed record, each part given as XML (markup and references as written)."""
    vernacular_xml = f"<VernacularTitle>{vernacular}</VernacularTitle>" if vernacular is not None else ""
    other_xml = "".join(f'<OtherAbstract Language="fre"><AbstractText>{text}</AbstractText></OtherAbstract>'
                        for text in other)
    keyword_xml = f'<KeywordList Owner="NOTNLM">{"".join(f"<Keyword>{k}</Keyword>" for k in keywords)}</KeywordList>' \
        if keywords else ""
    abstract_xml = "".join(f'<AbstractText Label="PART {n}">{text}</AbstractText>' for n, text in enumerate(abstracts))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet><PubmedArticle>'
            f'<MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            f'<Article PubModel="Print"><Journal><Title>Journal</Title></Journal><ArticleTitle>{title}</ArticleTitle>'
            f'<Abstract>{abstract_xml}</Abstract>{vernacular_xml}</Article>{other_xml}{keyword_xml}</MedlineCitation>'
            f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>'
            f'</PubmedArticle></PubmedArticleSet>\n').encode()


def title_after_abstract(data: bytes) -> bytes:
    """The record with its ArticleTitle written after its Abstract (the Document still starts with the title)."""
    start, end = data.index(b"<ArticleTitle>"), data.index(b"</ArticleTitle>") + len(b"</ArticleTitle>")
    title, rest = data[start:end], data[:start] + data[end:]
    return rest.replace(b"</Abstract>", b"</Abstract>" + title)


def document_and_raw_text(data: bytes) -> tuple[Document, str]:
    """The record's Document and the raw text the reader hands the first test."""
    raw_texts: list[str] = []
    documents = list(iter_pubmed_xml(data, "test.xml", wanted=lambda text: raw_texts.append(text) or True))
    assert len(documents) == len(raw_texts) == 1
    return documents[0], raw_texts[0]


def both_tests(data: bytes) -> tuple[bool, bool]:
    document, raw = document_and_raw_text(data)
    return might_keep(document), might_keep_text(raw)


# -- sentences written for the test -----------------------------------------------------------------------

PASSING = {
    "a name": record(["She received tarlatamab on day 1."]),
    "in capitals": record(["She received TARLATAMAB (Imdelltra)."]),
    "inside an inline tag": record(["She received <i>tarlatamab</i>."]),
    "a single letter in a tag": record(["She received t<i>arlatamab</i>."]),
    "a subscript inside the word": record(["She received tarlatama<sub>b</sub>."]),
    "a comment inside the word": record(["She received tarla<!-- typo? -->tamab."]),
    "a CDATA section": record(["She received <![CDATA[tarlatamab]]>."]),
    "a character reference": record(["She received &#116;arlatamab and &#x74;eclistamab."]),
    "a Greek letter folded to Latin": record(["She received tarlatama&#946;."]),
    "a line break in a two-word form": record(["Imaging showed pseudo-\n        progression on day 7."]),
    "a Unicode hyphen as a reference": record(["Imaging showed pseudo&#8208;progression."]),
    "a no-break space in a code name": record(["She received AMG&#160;757."]),
    "British spelling across a line break": record(["A tumour\n   flare reaction was seen."]),
    "a form across the title and the abstract": record(["flare followed on day 3."], title="Transient tumor"),
    "a form across two abstract sections": record(["The scan showed local", "CRS on day 2."]),
    "a form across the title and the abstract written before it": title_after_abstract(
        record(["flare followed."], title="Transient tumor")),
    "a keyword": record(["No drug is named here."], keywords=["Lung cancer", "Pseudoprogression"]),
    "a translated abstract": record(["No drug is named here."], other=["Une pseudoprogression sous tarlatamab."]),
    "a vernacular title when the title is empty": record(["No drug is named here."], title="",
                                                         vernacular="Pseudoprogression sous tarlatamab"),
    "an engager named by its targets": record(["She received a CD20&#215;CD3 bispecific antibody."]),
    "targets across a line break": record(["He was given a BCMA\n x CD3 T-cell\n engager."]),
    "a bispecific directed against a target": record(["A bispecific T-cell engager directed against DLL3 was given."]),
}


@pytest.mark.parametrize("name", sorted(PASSING))
def test_a_record_the_exact_test_lets_through_passes_the_first_test_too(name):
    exact, first = both_tests(PASSING[name])
    assert exact, f"{name}: not a case for this test: the exact test turns it down"
    assert first


@pytest.mark.parametrize("abstract", ["Nivolumab was given; IL-6 rose on day 3 and the tumor progressed.",
                                      "Bites of insects; an individual against whom charges were dropped.",
                                      "Pseudomonas grew; the disease progression was transient in size."])
def test_the_first_test_turns_down_records_that_name_no_engager_or_flare(abstract):
    assert both_tests(record([abstract])) == (False, False)


def test_every_engager_name_and_flare_word_written_as_xml_allows_passes_both_tests():
    """Generated from the lexicons: each form in capitals with its first letter as a character reference, in an
    inline tag, its words split by a line break: the exact test lets each through, and so does the first."""
    forms = [form for drug in lexicons.drug_lexicon() if drug.role == "engager" for form in (drug.name, *drug.synonyms)]
    forms += [term.replace("...", "marked") for term in lexicons.flare_terms()]
    assert len(forms) > 50
    for form in forms:
        upper = form.upper()
        written = f"&#{ord(upper[0])};{escape(upper[1:])}".replace(" ", "\n      ")
        exact, first = both_tests(record([f"The patient had <b>{written}</b> today."]))
        assert exact and first, form


# -- random markup, references, case, letters, dashes and whitespace ------------------------------------------

def _forms() -> list[str]:
    forms = [form for drug in lexicons.drug_lexicon() if drug.role == "engager" for form in (drug.name, *drug.synonyms)]
    forms += [term.replace("...", "marked") for term in lexicons.flare_terms()]
    forms += [f"{target}{joint}CD3 {engager}" for target in lexicons.engager_targets()
              for joint, engager in (("x", "bispecific"), (" and ", "T-cell engager"))]
    forms += [f"bispecific T-cell engager targeting {target}" for target in lexicons.engager_targets()]
    return forms


_GREEK = {"a": "α", "b": "β", "g": "γ", "d": "δ", "e": "ε", "k": "κ", "l": "λ", "m": "μ", "u": "µ"}
_SEPARATORS = [" ", "-", "\n      ", "\t", "\u00a0", "\u2010", "\u2013", "&#8208;", " -", "&#160;", "  "]
_TAGS = ["i", "b", "sup", "sub", "u"]


@st.composite
def written(draw, text: str) -> str:
    """`text` as XML may hold it: characters in either case, as Greek letters folded to Latin, or as references;
    separators as other whitespace and dashes; inline tags, comments and CDATA around or inside words."""
    pieces = []
    for ch in text:
        if ch in " -":
            pieces.append(draw(st.sampled_from(_SEPARATORS)))
            continue
        ch = ch.upper() if draw(st.booleans()) else ch.lower()
        way = draw(st.sampled_from(["as is"] * 6 + ["greek", "decimal", "hex"]))
        if way == "greek" and ch.lower() in _GREEK:
            ch = _GREEK[ch.lower()]
        if way in ("decimal", "hex"):
            pieces.append(f"&#{ord(ch)};" if way == "decimal" else f"&#x{ord(ch):x};")
        else:
            pieces.append(escape(ch, quote=False))
    cuts = sorted(draw(st.lists(st.integers(0, len(pieces)), max_size=4)))
    out, last, index = [], 0, 0
    while index < len(cuts):
        cut = cuts[index]
        out.append("".join(pieces[last:cut]))
        if index + 1 < len(cuts) and draw(st.booleans()):  # a tag around the characters up to the next cut
            tag, end = draw(st.sampled_from(_TAGS)), cuts[index + 1]
            out.append(f"<{tag}>{''.join(pieces[cut:end])}</{tag}>")
            last, index = end, index + 2
        else:
            out.append(draw(st.sampled_from(["<!-- x -->", "<i/>", "<![CDATA[]]>", "<sup></sup>"])))
            last, index = cut, index + 1
    out.append("".join(pieces[last:]))
    return "".join(out)


@st.composite
def records_naming_a_form(draw) -> bytes:
    form = draw(st.sampled_from(_forms()))
    before = draw(st.sampled_from(["She received ", "Imaging showed ", "(", "", "after the "]))
    after = draw(st.sampled_from([" on day 3.", ".", ")", "", " was seen"]))
    text = draw(written(form))
    place = draw(st.sampled_from(["abstract", "title", "second section", "keyword", "other", "vernacular", "split"]))
    if place == "split" and " " in form:  # the form's words across the title and the abstract
        first, rest = form.split(" ", 1)
        return record([draw(written(rest)) + after], title=before + draw(written(first)))
    sentence = before + text + after
    if place == "title":
        return record(["Nothing else."], title=sentence)
    if place == "second section":
        return record(["Background.", sentence])
    if place == "keyword":
        return record(["Nothing else."], keywords=["Cancer", sentence])
    if place == "other":
        return record(["Nothing else."], other=[sentence])
    if place == "vernacular":
        return record(["Nothing else."], title=draw(st.sampled_from(["", " ", "A title"])), vernacular=sentence)
    return record([sentence])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records_naming_a_form())
def test_the_first_test_never_turns_down_what_the_exact_test_lets_through(data):
    exact, first = both_tests(data)
    assert first or not exact


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_every_text_a_prefilter_pattern_matches_holds_its_necessary_literals(data):
    """The literals read from the patterns' parse trees: any text the pattern matches (made by hypothesis from
    the pattern itself) holds them, with its separators as whitespace or hyphens of any kind."""
    forms, unnamed, _ = _necessary()
    for pattern, necessary in ((_pattern(), forms), (unnamed_engager_pattern(), unnamed)):
        text = data.draw(st.from_regex(pattern))
        assume(pattern.search(text) is not None)
        assert necessary.might_match(text)
        # as the literals module states it, before any automaton: one alternative's every clause is in the
        # text's spaced form
        form = spaced(text)
        assert any(all(any(s in form for s in clause) for clause in conjunction)
                   for conjunction in necessary.alternatives)


# -- the literals themselves ---------------------------------------------------------------------------------

def test_literals_of_a_small_pattern_are_read_from_it():
    necessary = necessary_literals(re.compile(r"(?<![a-z])(?:amg[\s\-]{0,2}757|local[\s\-]{0,2}crs)(?![a-z])"))
    for text in ("amg 757", "amg-757", "amg757", "local crs", "local-crs", "a local\n crs"):
        assert necessary.might_match(text), text
    for text in ("amg", "757 amg", "local", "crs local"):
        assert not necessary.might_match(text), text


def test_a_pattern_that_needs_no_literal_is_refused():
    with pytest.raises(ValueError, match="no literal"):
        necessary_literals(re.compile(r"[a-z]+\d*"))


# -- what a record turned down becomes ---------------------------------------------------------------------

def test_a_record_turned_down_comes_out_with_the_pmid_its_document_would_have(tmp_path):
    data = record(["Nothing here."], pmid="12345")
    assert [item.pmid for item in iter_pubmed_xml(data, "x", wanted=lambda text: False)] == ["12345"]
    assert isinstance(next(iter_pubmed_xml(data, "x", wanted=lambda text: False)), Unread)
    path = tmp_path / "pubmed25n0001.xml"
    path.write_bytes(data)
    assert list(read_bulk(path, wanted=lambda text: False).items) == [PassedRecord("pubmed", "12345")]


def test_a_broken_record_is_named_whether_or_not_it_is_wanted():
    data = record(["x"]).replace(b"<Article ", b"<Paper ").replace(b"</Article>", b"</Paper>")
    for wanted in (None, lambda text: False):
        with pytest.raises(BadInput, match="without MedlineCitation/Article"):
            list(iter_pubmed_xml(data, "x", wanted=wanted))
