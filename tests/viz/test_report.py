import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

from extractor import __version__
from extractor.graph import store
from extractor.viz.report import report_html

FIXED = "2026-01-01 00:00 UTC"


class Page(HTMLParser):
    """What a reader can follow and see: section ids, link targets, embedded pictures, visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.links, self.images, self.text = [], [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "a":
            self.links.append(attributes.get("href"))
        if tag == "img":
            self.images.append(attributes["src"])

    def handle_data(self, data):
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    @property
    def running_text(self) -> str:
        """The words as a browser runs inline elements together ("<mark>sodium</mark>." reads "sodium.")."""
        return " ".join("".join(self.text).split())


def test_report_has_every_section_and_one_card_per_case(kb_dir: Path, tmp_path: Path, cases):
    page = Page(report_html(kb_dir, tmp_path / "corpora", generated=FIXED))
    assert {"summary", "signatures", "cases", "provenance"} <= set(page.ids)
    assert sorted(i for i in page.ids if i.startswith("case-")) == sorted(f"case-{c.id}" for c in cases.values())


def test_case_cards_follow_the_summary_order(kb_dir: Path, tmp_path: Path):
    page = Page(report_html(kb_dir, tmp_path / "corpora", generated=FIXED))
    cards = [i for i in page.ids if i.startswith("case-")]
    # tarlatamab (two flare cases) leads, then teclistamab, epcoritamab, and pembrolizumab last.
    assert cards == ["case-40827251", "case-PMC12983044", "case-39100001", "case-39100002", "case-39100003"]


def test_cases_link_to_pubmed_and_pmc(kb_dir: Path, tmp_path: Path):
    page = Page(report_html(kb_dir, tmp_path / "corpora", generated=FIXED))
    for pmid in ("40827251", "39100001", "39100002", "39100003"):
        assert f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" in page.links
    assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC12983044/" in page.links  # no PMID: its PMC page


def test_pictures_are_embedded_pngs(kb_dir: Path, tmp_path: Path, cases):
    page = Page(report_html(kb_dir, tmp_path / "corpora", generated=FIXED))
    assert len(page.images) == len(cases) + 1  # a timeline per case and the heatmap
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        picture = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert picture.width > 400 and picture.height > 200
    assert "<link" not in report_html(kb_dir, tmp_path / "corpora", generated=FIXED)  # nothing fetched


def test_evidence_sentences_and_summary_are_shown(kb_dir: Path, tmp_path: Path, cases):
    page = Page(report_html(kb_dir, tmp_path / "corpora", generated=FIXED))
    words = page.words
    for case in cases.values():
        for finding in case.markers:
            assert " ".join(finding.evidence.split()) in page.running_text
    assert "median day 7" not in words  # one dated tarlatamab case: its day, not a median
    assert ("tarlatamab 2 2 day 7, 1 of 2 cases dated IL-6 increased (1 patient, 1 paper), lymphocyte count "
            "decreased (1 patient, 1 paper)") in words
    assert "pembrolizumab 1 1 day 42 ctDNA decreased (1 patient, 1 paper)" in words


def test_evidence_is_escaped_not_injected(kb_dir: Path, tmp_path: Path, cases):
    case = cases["teclistamab"]  # its sentence holds "IL-6 < 5 pg/mL"
    html = report_html(kb_dir, tmp_path / "corpora", generated=FIXED)
    assert "&lt; 5 pg/mL" in html and "< 5 pg/mL" not in html  # escaped, entities marked or not
    case.flare.evidence = ["<script>alert(1)</script>"]
    store.save(kb_dir, [case])
    html = report_html(kb_dir, tmp_path / "corpora", generated=FIXED)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_evidence_sentences_mark_their_entities(kb_dir: Path, tmp_path: Path):
    html = report_html(kb_dir, tmp_path / "corpora", generated=FIXED)
    marked = set(re.findall(r'<mark class="entity (\w+)" title="\1"[^>]*>([^<]*)</mark>', html))
    assert {("TIME", "Day 7"), ("MARKER", "serum sodium"), ("MARKER", "interleukin-6"), ("MARKER", "LDH"),
            ("TIME", "day 8")} <= marked
    assert {label for label, _ in marked} <= {"DRUG", "MARKER", "DISEASE", "FLARE", "TIME"}


def test_provenance_says_which_papers_when_and_which_version(kb_dir: Path, tmp_path: Path):
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "_fetch_log.tsv").write_text(
        "pubmed\t40827251\t2026-02-01T10:00:00Z\n"
        "pubmed\t40827251\t2026-02-03T09:05:59Z\n"  # fetched again later: the latest time counts
        "pmc\tPMC12983044\t2026-02-02T11:30:00Z\n"
        "pubmed\t3910\n")  # a line cut short by a crash is skipped
    words = Page(report_html(kb_dir, corpora, generated=FIXED)).words
    assert "PMID 40827251 2026-02-03 09:05 UTC" in words
    assert "PMC12983044 2026-02-02 11:30 UTC" in words
    assert "PMID 39100001 not in the fetch log" in words
    assert "data current to the latest fetch from PubMed/PMC, 2026-02-03 09:05 UTC" in words
    assert str(kb_dir) not in words and str(tmp_path) not in words  # no path of this machine
    assert f"built with flarekb {__version__}" in words


def test_report_is_deterministic_apart_from_the_generated_line(kb_dir: Path, tmp_path: Path):
    first = report_html(kb_dir, tmp_path / "corpora", generated="2026-01-01 00:00 UTC")
    second = report_html(kb_dir, tmp_path / "corpora", generated="2026-03-04 05:06 UTC")
    assert first != second
    assert first == second.replace("2026-03-04 05:06 UTC", "2026-01-01 00:00 UTC")


def test_generated_line_honours_source_date_epoch(kb_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert re.search(r"Generated 2026-01-01 00:00 UTC by flarekb", report_html(kb_dir, tmp_path / "corpora"))


def test_empty_knowledge_base_gives_a_page_that_says_so(tmp_path: Path):
    page = Page(report_html(tmp_path / "kb", tmp_path / "corpora", generated=FIXED))
    assert {"summary", "signatures", "cases", "provenance"} <= set(page.ids)
    assert page.images == []
    assert "0 papers (0 patients) in the knowledge base" in page.words
    assert "No case in the knowledge base reports a flare yet" in page.words
    assert "knowledge base does not exist yet" in page.words and "built with" not in page.words


def test_a_case_without_flare_gets_a_card_but_no_summary_row(tmp_path: Path, cases):
    quiet = cases["epcoritamab"]
    quiet.flare.reported, quiet.flare.onset_day, quiet.flare.evidence = False, None, []
    store.save(tmp_path / "kb", [cases["nakano"], quiet])
    page = Page(report_html(tmp_path / "kb", tmp_path / "corpora", generated=FIXED))
    assert "case-39100002" in page.ids
    assert "flare no flare reported" in page.words
    assert "epcoritamab 1" not in page.words and "CD20 × CD3" not in page.words
