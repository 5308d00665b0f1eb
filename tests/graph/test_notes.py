"""The library's notes (a fallback taken, a wait, a crash cleaned up) are log records: a Python user gets
standard logging and no stray stderr; the `flarekb` command prints each as one `flarekb: ...` line."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import extractor
from extractor.graph import store
from tests.graph.conftest import small_findings

REPO = Path(__file__).resolve().parents[2]


def kb_without_its_index(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    store.save(kb, small_findings())
    (kb / store.INDEX_FILE).unlink()  # the manifest still names it: "does not match", read everything
    return kb


def test_a_library_call_logs_its_note_and_writes_nothing_to_stderr(tmp_path: Path, caplog, capfd):
    kb = kb_without_its_index(tmp_path)
    capfd.readouterr()
    rows = extractor.load_kb(kb).markers(drug="tarlatamab")
    assert rows  # the answer still comes, from the whole findings file
    notes = [record for record in caplog.records if record.name == "extractor.graph.store"]
    assert len(notes) == 1 and notes[0].levelno == logging.WARNING
    assert "index.jsonl does not match findings.jsonl" in notes[0].getMessage()
    assert capfd.readouterr().err == ""


def test_a_python_user_without_logging_set_up_sees_no_stderr_but_the_command_prints_the_note(tmp_path: Path):
    """Outside pytest (whose own handlers catch records): logging's last-resort handler would print a
    warning to stderr, unless the library gives its logger a handler of its own."""
    kb = kb_without_its_index(tmp_path)
    library = subprocess.run(
        [sys.executable, "-c", f"import extractor; print(len(extractor.load_kb({str(kb)!r}).markers()))"],
        capture_output=True, text=True, cwd=REPO, check=True)
    assert int(library.stdout) > 0 and library.stderr == ""
    command = subprocess.run([sys.executable, "-m", "extractor", "markers", "--kb", str(kb)],
                             capture_output=True, text=True, cwd=REPO, check=True)
    assert command.stderr.splitlines() == [
        f"flarekb: {kb}/{store.INDEX_FILE} does not match {store.FINDINGS_FILE} (missing, unreadable or left by an "
        f"interrupted write); reading all of {store.FINDINGS_FILE} (the next build, refresh or remove writes the "
        "index again)"]
