"""`flarekb plot` and `flarekb report` as a user runs them: a real process, its exit code, its files."""

import subprocess
import sys
from pathlib import Path

from PIL import Image

from extractor.graph import store


def flarekb(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_plot_timeline_writes_a_png(kb_dir: Path, tmp_path: Path):
    result = flarekb("plot", "timeline", "40827251", "-o", "case.png", "--kb", str(kb_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "case.png") as picture:
        assert picture.format == "PNG" and picture.width >= 1000


def test_plot_timeline_finds_a_case_by_pmcid(kb_dir: Path, tmp_path: Path):
    result = flarekb("plot", "timeline", "PMC12983044", "-o", "case.svg", "--kb", str(kb_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "case.svg").read_text().lstrip().startswith("<?xml")


def test_plot_signatures_writes_a_png(kb_dir: Path, tmp_path: Path):
    result = flarekb("plot", "signatures", "-o", "signatures.png", "--kb", str(kb_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "signatures.png") as picture:
        assert picture.format == "PNG"


def test_empty_knowledge_base_is_a_clear_message_not_a_blank_image(tmp_path: Path):
    store.save(tmp_path / "empty-kb", [])
    for command in (["signatures"], ["timeline", "40827251"]):
        result = flarekb("plot", *command, "-o", "out.png", "--kb", "empty-kb", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "knowledge base is empty" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "out.png").exists()


def test_a_missing_knowledge_base_says_where_it_looked_and_creates_nothing(tmp_path: Path):
    for command in (["plot", "signatures", "-o", "out.png"], ["report", "-o", "out.html"]):
        result = flarekb(*command, "--kb", "no-kb", cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1
        assert f"no knowledge base at {tmp_path / 'no-kb'}/" in result.stderr and "--kb" in result.stderr
        assert sorted(tmp_path.iterdir()) == []


def test_unknown_paper_and_bad_file_names_are_bad_usage(kb_dir: Path, tmp_path: Path):
    unknown = flarekb("plot", "timeline", "12345", "-o", "x.png", "--kb", str(kb_dir), cwd=tmp_path)
    assert unknown.returncode == 2 and "12345 is not in the knowledge base" in unknown.stderr
    wrong_suffix = flarekb("plot", "timeline", "40827251", "-o", "x.jpg", "--kb", str(kb_dir), cwd=tmp_path)
    assert wrong_suffix.returncode == 2 and ".png" in wrong_suffix.stderr
    no_directory = flarekb("report", "-o", "missing/report.html", "--kb", str(kb_dir), cwd=tmp_path)
    assert no_directory.returncode == 2 and "does not exist" in no_directory.stderr
    for result in (unknown, wrong_suffix, no_directory):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_report_writes_one_page_byte_identical_for_a_fixed_generation_time(kb_dir: Path, tmp_path: Path,
                                                                          monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    for name in ("a.html", "b.html"):
        result = flarekb("report", "-o", name, "--kb", str(kb_dir), "--corpora", "corpora", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="case-40827251"' in html
    assert "Generated 2026-01-01 00:00 UTC" in html
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
