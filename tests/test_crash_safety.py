"""A `flarekb build` or `flarekb refresh` killed at any moment leaves kb/ exactly as it was or exactly as the
finished run would have left it, never a mix; the next run completes and loses no record. The query index
(kb/index.jsonl) is renamed into place before the findings: a kill between the two leaves the new index
beside the old findings, which the queries must notice, answering from the findings instead.

Kills are real signals to real processes: SIGKILL (and SIGINT, Ctrl-C) at every few lines the process
executes in the write path once it holds the kb lock (`tests/crash_launcher.py`), and SIGKILL at spread
times of a whole `flarekb build` subprocess, imports and extraction included. Each test prints its figures
(run with -s to see them).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractor.graph import store
from tests.fake_ncbi import FakeNcbi, pubmed_catalog
from tests.graph.answers import every_answer
from tests.graph.conftest import small_findings

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "tests" / "crash_launcher.py"
REFRESHED = ["12091962", "9997"]  # fixture records the local E-utilities server holds
OLD_IDS = {case.id for case in small_findings()}


def launch(jobs: list[dict], tmp_path: Path) -> list[dict]:
    plan = tmp_path / f"plan-{time.monotonic_ns()}.json"
    plan.write_text(json.dumps(jobs))
    done = subprocess.run([sys.executable, str(LAUNCHER), str(plan)], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def findings_bytes(kb: Path) -> bytes:
    return (kb / store.FINDINGS_FILE).read_bytes()


def index_bytes(kb: Path) -> bytes:
    return (kb / store.INDEX_FILE).read_bytes()


def index_belongs(kb: Path) -> bool:
    """Whether the queries of `kb` are answered from its index (else from reading every case)."""
    with store.open_index(kb) as index:
        return not isinstance(index.signatures, dict)


def answers_as_a_whole_load_gives(kb: Path) -> bool:
    whole = store.load_index(kb)
    with store.open_index(kb) as index:
        return every_answer(index, whole) == every_answer(whole, whole)


def leftovers(kb: Path) -> list[str]:
    return sorted(path.name for path in kb.iterdir() if path.name.startswith(".") and path.name.endswith(".tmp"))


def old_kb(tmp_path: Path) -> Path:
    """The knowledge base before the run: six cases and a recorded query."""
    kb = tmp_path / "old"
    store.save(kb, small_findings(), store.Manifest(queries=["tarlatamab pseudoprogression"]))
    return kb


@dataclass
class Figures:
    """What a crash test tried, for the closing note."""

    name: str
    inputs: int = 0
    kills: int = 0
    interrupts: int = 0
    stale_locks: int = 0
    lost: int = 0
    left_old: int = 0  # kills after which kb/ was still the old knowledge base
    left_new: int = 0  # ... already the new one
    mid_write: int = 0  # SIGKILLs inside store.save's streamed write: a partial temporary left beside kb/
    mid_index: int = 0  # ... of which inside the index's write: a partial index temporary
    foreign_index: int = 0  # signals after which the index beside the findings was not theirs (the new one)

    def print(self) -> None:
        print(f"\n[{self.name}] inputs tried: {self.inputs}, SIGKILLs survived: {self.kills}, "
              f"Ctrl-C survived: {self.interrupts}, stale locks cleared: {self.stale_locks}, "
              f"records lost: {self.lost} (kb/ left old {self.left_old} times, new {self.left_new} times; "
              f"killed mid-write {self.mid_write} times, {self.mid_index} of them in the index; the new index "
              f"beside the old findings {self.foreign_index} times, answered from the findings)")


def kill_points(lines: int, kill_step: int, interrupt_step: int, last_lines: int = 0) -> list[tuple[str, int]]:
    """Signals every few traced lines, and at every one of the `last_lines` (the two renames are there)."""
    kills = sorted({*range(1, lines + 1, kill_step), *range(max(1, lines - last_lines), lines + 1)})
    return [("SIGKILL", line) for line in kills] + [("SIGINT", line) for line in range(1, lines + 1, interrupt_step)]


def kill_and_recover(tmp_path: Path, figures: Figures, points: list[tuple[str, int]], job) -> list[Path]:
    """For each point: a copy of the old kb, a run signalled at that point, a snapshot of what it left, and
    the next (unsignalled) run. Checks what every kill left; returns the recovered kbs."""
    plan, kbs = [], []
    for name, line in points:
        kb = tmp_path / f"kb-{name}-{line}"
        shutil.copytree(tmp_path / "old", kb)
        kbs.append(kb)
        plan += [job(kb, signal=name, at_line=line), {"snapshot": str(kb), "to": str(kb) + "-killed"},
                 job(kb)]
    results = launch(plan, tmp_path)
    old, old_index = findings_bytes(tmp_path / "old"), index_bytes(tmp_path / "old")
    new, new_index = findings_bytes(tmp_path / "new"), index_bytes(tmp_path / "new")
    for kb, (killed, _, recovered) in zip(kbs, zip(*[iter(results)] * 3)):
        left = Path(str(kb) + "-killed")
        assert findings_bytes(left) in (old, new), f"{left}: neither the old nor the new knowledge base"
        figures.left_old += findings_bytes(left) == old
        figures.left_new += findings_bytes(left) == new
        # The index goes first: new findings always have their index; old ones may have either.
        assert index_bytes(left) == (new_index if findings_bytes(left) == new else index_bytes(left))
        assert index_bytes(left) in (old_index, new_index)
        assert answers_as_a_whole_load_gives(left), f"{left}: a query answered from an index not of its findings"
        figures.foreign_index += not index_belongs(left)
        if killed == {"signal": "SIGKILL"}:
            figures.kills += 1
            figures.stale_locks += (left / store.LOCK_FILE).read_text().strip() != ""
            figures.mid_write += leftovers(left) != []
            figures.mid_index += any(name.startswith(f".{store.INDEX_FILE}.") for name in leftovers(left))
        else:
            assert killed == {"exit": 130}, killed  # Ctrl-C: a clean stop that leaves no partial file
            assert leftovers(left) == []
            figures.interrupts += 1
        assert recovered == {"exit": 0}, f"{kb}: the run after the kill failed"
        assert findings_bytes(kb) == new and index_bytes(kb) == new_index and leftovers(kb) == []
        assert index_belongs(kb)
        assert (kb / store.LOCK_FILE).read_text() == ""  # no pid left behind by a live holder
    return kbs


@pytest.fixture
def corpora(tmp_path: Path, seeds_dir: Path) -> Path:
    shutil.copytree(seeds_dir, tmp_path / "corpora" / "seeds")
    return tmp_path / "corpora"


def build_job(corpora: Path, kb: Path, **kill) -> dict:
    return {"argv": ["build", "--corpora", str(corpora), "--kb", str(kb)], **kill}


def test_build_killed_at_every_point_of_the_write_leaves_old_or_new(tmp_path: Path, corpora: Path):
    figures = Figures("build, signal at a line of the write path", inputs=len(list(corpora.rglob("*.*"))))
    shutil.copytree(old_kb(tmp_path), tmp_path / "new")
    [done] = launch([build_job(corpora, tmp_path / "new", count_to=str(tmp_path / "lines"))], tmp_path)
    lines = int((tmp_path / "lines").read_text())
    assert done == {"exit": 0} and lines > 20
    assert findings_bytes(tmp_path / "new") != findings_bytes(tmp_path / "old")

    kbs = kill_and_recover(tmp_path, figures, kill_points(lines, 4, 12, last_lines=20),
                           lambda kb, **kill: build_job(corpora, kb, **kill))
    expected = {case.id for case in store.load_findings(tmp_path / "new")}
    figures.lost = sum(len(expected - {case.id for case in store.load_findings(kb)}) for kb in kbs)
    assert figures.lost == 0 and figures.kills > 10 and figures.stale_locks > 0
    assert figures.left_old > 0 and figures.left_new > 0  # the kill points straddle the rename
    assert figures.mid_write > 0  # and some fall inside the write itself, line by line of findings.jsonl
    assert figures.mid_index > 0  # some inside the index's write
    assert figures.foreign_index > 0  # and some between the index's rename and the findings'
    figures.print()


def test_a_whole_build_process_killed_at_spread_times(tmp_path: Path, corpora: Path):
    figures = Figures("build subprocess, SIGKILL at a time", inputs=len(list(corpora.rglob("*.*"))))
    old = findings_bytes(old_kb(tmp_path))
    command = [sys.executable, "-m", "extractor", "build", "--corpora", str(corpora), "--kb"]
    started = time.monotonic()
    subprocess.run([*command, str(shutil.copytree(tmp_path / "old", tmp_path / "new"))], check=True,
                   capture_output=True, cwd=REPO, timeout=120)
    duration, new = time.monotonic() - started, findings_bytes(tmp_path / "new")
    kbs = []
    for step in range(1, 4):
        kb = shutil.copytree(tmp_path / "old", tmp_path / f"kb-{step}")
        process = subprocess.Popen([*command, str(kb)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * step / 4)
        process.send_signal(signal.SIGKILL)
        figures.kills += process.wait() == -signal.SIGKILL
        assert findings_bytes(kb) in (old, new) and answers_as_a_whole_load_gives(kb)
        figures.left_old += findings_bytes(kb) == old
        figures.left_new += findings_bytes(kb) == new
        kbs.append(kb)
    assert launch([build_job(corpora, kb) for kb in kbs], tmp_path) == [{"exit": 0}] * len(kbs)
    assert all(findings_bytes(kb) == new and leftovers(kb) == [] for kb in kbs)
    figures.print()


@pytest.fixture
def ncbi(shared_dir: Path):
    with FakeNcbi(pubmed_catalog(shared_dir)) as server:
        yield server


def refresh_job(ncbi: FakeNcbi, kb: Path, **kill) -> dict:
    env = {"FLAREKB_EUTILS_URL": ncbi.url, "NCBI_EMAIL": "curator@example.org"}
    corpora = Path(str(kb) + "-corpora")
    return {"argv": ["refresh", *REFRESHED, "--kb", str(kb), "--corpora", str(corpora)], "env": env, **kill}


def test_refresh_killed_at_every_point_of_the_merge_keeps_every_record(tmp_path: Path, ncbi):
    figures = Figures("refresh, signal at a line of the write path")
    shutil.copytree(old_kb(tmp_path), tmp_path / "new")
    [done] = launch([refresh_job(ncbi, tmp_path / "new", count_to=str(tmp_path / "lines"))], tmp_path)
    lines = int((tmp_path / "lines").read_text())
    assert done == {"exit": 0}
    assert {case.id for case in store.load_findings(tmp_path / "new")} == OLD_IDS | set(REFRESHED)

    points = kill_points(lines, 6, 20, last_lines=20)
    figures.inputs = len(REFRESHED) * len(points)
    kbs = kill_and_recover(tmp_path, figures, points, lambda kb, **kill: refresh_job(ncbi, kb, **kill))
    figures.lost = sum(len((OLD_IDS | set(REFRESHED)) - {case.id for case in store.load_findings(kb)}) for kb in kbs)
    assert figures.lost == 0 and figures.kills > 5 and figures.left_old > 0 and figures.left_new > 0
    assert figures.mid_write > 0 and figures.mid_index > 0 and figures.foreign_index > 0
    figures.print()
