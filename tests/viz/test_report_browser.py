"""The report opened in a real headless Chromium (Debian's, driven by Playwright over the DevTools protocol):
it renders, its sections, links and pictures are there, and the browser reports no error.

Set FLAREKB_SCREENSHOTS=DIR to keep the screenshots for a human look."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from extractor.viz.report import report_html

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

# Without the background-networking flags Chromium tries to reach Google services and logs refused
# connections on a closed network; none of them change how the page renders.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECTIONS = ["summary", "signatures", "cases", "provenance"]


@dataclass
class Visit:
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, failed loads
    headings: list[str] = field(default_factory=list)
    visible_sections: list[str] = field(default_factory=list)
    case_links: list[str] = field(default_factory=list)  # the first link of each case card
    broken_images: int = 0
    images: int = 0
    title: str = ""


@pytest.fixture
def browser(chromium: str, tmp_path: Path):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile", executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 900})
        yield context
        context.close()


def visit(context, path: Path, screenshot: Path) -> Visit:
    seen = Visit()
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            seen.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("requestfailed", lambda request: seen.errors.append(f"failed to load {request.url[:80]}"))
    page.goto(path.as_uri(), wait_until="load")
    seen.title = page.title()
    seen.headings = page.locator("h2").all_inner_texts()
    seen.visible_sections = [name for name in SECTIONS if page.locator(f"section#{name}").is_visible()]
    seen.case_links = page.eval_on_selector_all("article.case", "cards => cards.map(c => c.querySelector('a')?.href)")
    seen.images = page.locator("img").count()
    seen.broken_images = page.eval_on_selector_all("img", "images => images.filter(i => !i.complete || "
                                                          "i.naturalWidth === 0).length")
    page.screenshot(path=screenshot, full_page=True)
    page.close()
    if os.environ.get("FLAREKB_SCREENSHOTS"):
        shutil.copy(screenshot, Path(os.environ["FLAREKB_SCREENSHOTS"]) / screenshot.name)
    return seen


def test_report_renders_with_its_sections_links_and_pictures(browser, kb_dir: Path, tmp_path: Path, cases):
    report = tmp_path / "report.html"
    report.write_text(report_html(kb_dir, tmp_path / "corpora"), encoding="utf-8")
    seen = visit(browser, report, tmp_path / "report-screenshot.png")

    assert seen.errors == []
    assert "flarekb report" in seen.title
    assert seen.visible_sections == SECTIONS
    assert seen.headings == ["Summary per drug", "Signatures: markers reported with flare", "Cases",
                             "How this knowledge base was built"]
    expected_links = {f"https://pubmed.ncbi.nlm.nih.gov/{case.pmid}/" if case.pmid
                      else f"https://pmc.ncbi.nlm.nih.gov/articles/{case.pmcid}/" for case in cases.values()}
    assert set(seen.case_links) == expected_links
    assert seen.images == len(cases) + 1 and seen.broken_images == 0
    with Image.open(tmp_path / "report-screenshot.png") as shot:
        assert shot.height > 2000  # the whole page, five case cards long
        assert len(shot.convert("L").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50  # not a blank page


def test_empty_report_renders_without_errors(browser, tmp_path: Path):
    report = tmp_path / "empty.html"
    report.write_text(report_html(tmp_path / "no-kb", tmp_path / "corpora"), encoding="utf-8")
    seen = visit(browser, report, tmp_path / "empty-screenshot.png")
    assert seen.errors == [] and seen.visible_sections == SECTIONS and seen.images == 0


def test_the_check_catches_a_broken_page(browser, tmp_path: Path):
    """The same visit on a page with a script error and a missing picture must report both."""
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><title>broken</title><img src="missing.png">'
                      "<script>undefinedFunction()</script>", encoding="utf-8")
    seen = visit(browser, broken, tmp_path / "broken-screenshot.png")
    assert any("undefinedFunction" in error for error in seen.errors)
    assert seen.broken_images == 1
