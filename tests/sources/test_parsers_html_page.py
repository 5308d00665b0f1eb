"""HTML article pages: a PubMed article page (built here from seed 000's text, in PubMed's page structure),
a generic publisher page, and pages that are not articles."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import parse_bytes, read_documents

SEED = "pubmed_40827251_nakano_2025.txt"


def seed_parts(seeds_dir: Path) -> dict[str, object]:
    text = (seeds_dir / SEED).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    abstract = lines[lines.index("Abstract") + 2]
    keywords = next(line for line in lines if line.startswith("Keywords:"))
    legends = [line for line in lines if line.startswith(("Serial chest", "Chest computed", "Timeline of"))]
    title = next(line for line in reversed(lines[: lines.index("Affiliations")]) if line)
    return {"title": title, "abstract": abstract, "keywords": keywords,
            "legends": legends}


def pubmed_page(parts: dict[str, object]) -> bytes:
    """The skeleton of a pubmed.ncbi.nlm.nih.gov article page: banner, heading, abstract, figures, references."""
    esc = html.escape
    figures = "".join(
        f'<figure class="figure-item"><a class="figure-link" data-label="FIGURE {n}"><img class="figure-thumb"></a>'
        f'<figcaption itemprop="description"><div class="figure-caption-contents"><p>{esc(legend)}</p></div>'
        f"</figcaption></figure>"
        for n, legend in enumerate(parts["legends"], start=1)
    )
    keywords = esc(str(parts["keywords"])).replace("Keywords:", '<strong class="sub-title">Keywords:</strong>')
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{esc(str(parts["title"]))} - PubMed</title>
<meta name="citation_title" content="{esc(str(parts["title"]))}">
<meta name="citation_pmid" content="40827251"><meta name="citation_doi" content="10.1002/rcr2.70319">
<meta name="citation_journal_title" content="Respirology case reports"><meta name="citation_date" content="2025 Aug">
<script>var tracking = "Skip to main page content";</script></head><body>
<section class="usa-banner"><p>An official website of the United States government</p></section>
<header class="ncbi-header" role="banner"><a>NCBI Homepage</a><a>MyNCBI Homepage</a></header>
<main id="article-details"><header class="heading" id="heading">
<div class="article-citation">. 2025 Aug 17;13(8):e70319.</div>
<h1 class="heading-title">{esc(str(parts["title"]))}</h1>
<ul id="full-view-identifiers"><li><span class="identifier pubmed"><strong class="id-label">PMID:</strong>
<strong class="current-id">40827251</strong></span></li></ul></header>
<div class="abstract" id="abstract"><h2 class="title">Abstract</h2>
<div class="abstract-content selected" id="eng-abstract"><p>{esc(str(parts["abstract"]))}</p></div>
<p>{keywords}</p></div>
<div class="conflict-of-interest" id="conflict-of-interest"><p>The authors declare no conflicts of interest.</p></div>
<div class="figures" id="figures"><h2 class="title">Figures</h2><div class="figures-list">{figures}</div></div>
<div class="similar-articles" id="similar"><h2>Similar articles</h2><p>PMID: 11111111 Some other paper</p></div>
<div class="references" id="references"><h2>References</h2><ol><li>A reference 10.9999/other - PubMed</li></ol></div>
</main><footer class="ncbi-footer"><p>Follow NCBI</p></footer></body></html>""".encode()


def test_pubmed_article_page(tmp_path: Path, seeds_dir: Path) -> None:
    parts = seed_parts(seeds_dir)
    path = tmp_path / "40827251.html"
    path.write_bytes(pubmed_page(parts))
    [document] = read_documents(path)
    assert (document.id, document.pmid, document.doi, document.source) == (
        "40827251", "40827251", "10.1002/rcr2.70319", "html"
    )
    assert document.title == parts["title"]
    assert (document.journal, document.year) == ("Respirology case reports", "2025")
    shape = [(passage.kind, passage.label) for passage in document.passages]
    assert shape == [("title", ""), ("abstract", "Abstract"), ("section", "Keywords")] + [
        ("caption", f"FIGURE {n}") for n in (1, 2, 3)
    ]
    assert document.passages[1].text == parts["abstract"]
    assert document.passages[3].text == parts["legends"][0]
    assert "Day 12 after the first dose" in document.text
    for junk in ("official website", "NCBI Homepage", "Similar articles", "11111111", "A reference", "Follow NCBI",
                 "tracking", "conflicts of interest"):
        assert junk not in document.text


def test_generic_article_page_sections_figures_tables(tmp_path: Path) -> None:
    page = b"""<html><head><meta name="citation_doi" content="10.9999/abc.1"></head><body>
    <nav><a>Home</a><a>Journals</a></nav>
    <article><h1>Tumour flare with <i>drug-y</i></h1>
    <section><h2>Abstract</h2><p>Short abstract.</p></section>
    <section><h2>Case presentation</h2><p>On day 5 the node grew.</p><ul><li>IL-6 rose.</li></ul>
    <figure><figcaption>Figure 1. CT on day 5.</figcaption></figure>
    <table><caption>Table 1 Labs</caption><tr><th>Marker</th><th>Day 5</th></tr><tr><td>CRP</td><td>80</td></tr></table>
    </section>
    <section class="ref-list"><h2>References</h2><p>1. Other paper. PMID: 22222222</p></section>
    </article><footer>Copyright</footer></body></html>"""
    [document] = parse_bytes(page, "saved/page.html")
    assert document.title == "Tumour flare with drug-y"
    assert document.doi == "10.9999/abc.1" and document.pmid is None
    shape = [(passage.kind, passage.label, passage.text) for passage in document.passages[1:]]
    assert shape == [
        ("abstract", "Abstract", "Short abstract."),
        ("section", "Case presentation", "On day 5 the node grew.\nIL-6 rose."),
        ("caption", "Figure 1", "CT on day 5."),
        ("table", "", "Table 1 Labs\nMarker | Day 5\nCRP | 80"),
    ]
    assert "Other paper" not in document.text and "Home" not in document.text


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Page not found</title></head><body><p>Sorry.</p></body></html>",
        b"<html><body><h1>Search results</h1></body></html>",
        b"<!DOCTYPE html><html><head></head><body></body></html>",
    ],
)
def test_pages_that_are_not_articles_are_bad_input(page: bytes) -> None:
    with pytest.raises(BadInput, match=r"^x\.html: HTML page without"):
        parse_bytes(page, "x.html")


def test_ncbi_error_fixtures_are_bad_input(shared_dir: Path) -> None:
    for path in sorted((shared_dir / "fixtures" / "ncbi" / "errors").iterdir()):
        with pytest.raises(BadInput, match=rf"^{re.escape(str(path))}: ") as caught:
            read_documents(path)
        assert "\n" not in str(caught.value)
    with pytest.raises(BadInput, match="NCBI error: Invalid db name specified: fleegle"):
        read_documents(shared_dir / "fixtures" / "ncbi" / "errors" / "klortho_esearch.baderror.xml")


def test_html_where_xml_was_expected(shared_dir: Path) -> None:
    data = (shared_dir / "fixtures" / "ncbi" / "errors" / "biopython_pubmed3_html_not_xml.html").read_bytes()
    with pytest.raises(BadInput, match="HTML page where XML was expected"):
        parse_bytes(data, "efetch.xml")
    with pytest.raises(BadInput, match="expected pubmed-xml but the content is html"):
        parse_bytes(data, "efetch 19304878", expect="pubmed-xml")
