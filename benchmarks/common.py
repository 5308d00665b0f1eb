"""What every figure needs: a fresh child process per measurement, its peak memory, medians, the machine.

Each measurement runs in its own spawned interpreter so that one figure's imports, caches and garbage
cannot inflate the next one's time or memory; the child reports its own peak resident set size.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / "benchmarks" / ".cache"  # generated inputs; gitignored, safe to delete
PACKAGES = ("flarekb", "spacy", "scispacy", "lxml", "networkx", "requests", "biopython", "psutil", "numpy")


@dataclass
class Target:
    """One target of the issue, checked against a measured figure."""

    figure: str
    what: str
    target: str
    measured: str
    met: bool


class ChildFailed(RuntimeError):
    """A measurement raised in its child process; the message carries the child's traceback."""


# -- one measurement, one process ----------------------------------------------------------------------


def run_in_child(function: Callable[..., dict], *args: Any) -> dict:
    """`function(*args)` in a fresh interpreter; its result dict gains `peak_rss_mb` of that process.

    `function` must live at module level in a benchmarks module so the child can import it."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, args))
    child.start()
    sender.close()  # keep only the child's copy, so a crashed child shows up as EOF here
    try:
        outcome = receiver.recv()
    except EOFError:  # killed (out of memory?) before it could answer
        child.join()
        outcome = {"error": f"the child process died (exit code {child.exitcode})"}
    child.join()
    if "error" in outcome:
        raise ChildFailed(f"{function.__module__}.{function.__name__}{args!r}:\n{outcome['error']}")
    return outcome


def _child_main(sender, function: Callable[..., dict], args: tuple) -> None:
    from extractor import collector

    collector.own_process()  # measured as the `flarekb` command runs it: collector pauses and freezes on
    try:
        result = function(*args)
        result["peak_rss_mb"] = peak_rss_mb()
        sender.send(result)
    except BaseException:  # noqa: BLE001 - everything goes back to the parent as text
        sender.send({"error": traceback.format_exc()})
    finally:
        sender.close()


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    VmHWM is the high-water mark of this process's own address space; ru_maxrss would also count the
    parent's pages that a spawned child briefly shared before exec."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reset_peak_rss() -> bool:
    """Start the peak (VmHWM) again from the current RSS (Linux >= 4.0), so that the next peak_rss_mb()
    is what came after this call, not what building the input took; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def current_rss_mb() -> float:
    """Resident memory of this process right now, in MB."""
    return _status_mb("VmRSS") or 0.0


def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (kB) in MB; None where there is no such file (not Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def children_peak_rss_mb() -> float:
    """The largest peak RSS among this process's finished children (worker processes), in MB."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


# -- several runs, one figure --------------------------------------------------------------------------


def interleaved_runs(
    measurements: dict[str, tuple[Callable[..., dict], tuple]], repeats: int, log: Callable[[str], None]
) -> dict[str, dict]:
    """Each measurement `repeats` times, each run in its own child, taken in rounds (A B C, A B C, ...):
    a burst of load from other work on the machine then hits every side of a comparison, not just one.

    Returns {name: {"median": {...}, "runs": [...]}}. A measurement that fails (flarekb code under test
    raised) is not repeated; it gets {"median": None, "error": <traceback>} and the other figures go on."""
    runs: dict[str, list[dict]] = {name: [] for name in measurements}
    errors: dict[str, str] = {}
    for round_number in range(1, repeats + 1):
        for name, (function, args) in measurements.items():
            if name in errors:
                continue
            started = time.perf_counter()
            try:
                runs[name].append(run_in_child(function, *args))
            except ChildFailed as failure:
                errors[name] = str(failure)
                log(f"    {name}: FAILED - {last_line(str(failure))}")
                continue
            log(f"    {name}: run {round_number}/{repeats} in {time.perf_counter() - started:.1f} s")
    return {
        name: {"median": None, "error": errors[name]} if name in errors
        else {"median": median_of_runs(name_runs), "runs": name_runs}
        for name, name_runs in runs.items()
    }


def paired_ratio(numerator_runs: list[dict], denominator_runs: list[dict], key: str) -> float:
    """The median over rounds of numerator[key] / denominator[key], each pair taken in the same round."""
    ratios = [top[key] / bottom[key] for top, bottom in zip(numerator_runs, denominator_runs)]
    return round(statistics.median(ratios), 2)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def median_of_runs(runs: list[dict]) -> dict:
    """The median of every numeric field across runs; other fields are taken from the first run."""
    merged: dict[str, Any] = {}
    for key, value in runs[0].items():
        values = [run[key] for run in runs if key in run]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            middle = statistics.median(values)
            whole = all(isinstance(v, int) for v in values) and float(middle).is_integer()
            merged[key] = int(middle) if whole else round(middle, 6)
        else:
            merged[key] = value
    return merged


class Stopwatch:
    """`with Stopwatch() as watch: ...; watch.seconds`: wall time of the block, perf_counter resolution."""

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = time.perf_counter() - self._start


# -- the machine the figures came from -------------------------------------------------------------------


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "packages": {name: _version(name) for name in PACKAGES},
        "git_commit": _git("rev-parse", "HEAD"),
        # Other engineers edit the same tree while figures are taken: say whether it was clean.
        "git_dirty_files": len(_git("status", "--porcelain").splitlines()),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _memory_gb() -> float | None:
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""

