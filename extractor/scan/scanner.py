"""A whole scan: which files are left, one Dask task per file, the results kept as each file finishes, then
corpora/ updated in NCBI's order and kb/ rebuilt from it (pipeline.build), so kb/ is exactly what `flarekb
build` makes of corpora/: the same bytes whatever the number of workers or the order files finish in.

kb/ is written once, at the end, atomically (graph.store): a client killed before then leaves it as it was;
what finished is in corpora/_scan/ and the next run goes on from there. A worker that dies mid-file loses
only that task, which the Dask scheduler runs again on another worker.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from extractor import pipeline
from extractor.errors import BadInput, FetchError
from extractor.scan.state import Applied, ScanState
from extractor.scan.task import PROGRESS_TOPIC, FileResult, scan_file
from extractor.sources.bulk import bulk_files


@dataclass
class ScanSummary:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # finished by an earlier run
    scanned: list[FileResult] = field(default_factory=list)
    bad_files: dict[str, str] = field(default_factory=dict)  # name -> what is wrong with it (exit 2)
    crashed: dict[str, str] = field(default_factory=dict)  # name -> the task's failure (exit 1)
    applied: Applied = field(default_factory=Applied)
    cases: int = 0
    flares: int = 0


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def scan(
    paths: list[Path],
    corpora: Path,
    kb: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    restart: bool = False,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    console: Console | None = None,
) -> ScanSummary:
    files = bulk_files(paths)
    _check_unique_names(files)
    state = ScanState(corpora)
    if restart:
        for path in files:
            state.forget(path.name)
    summary = ScanSummary(files=len(files))
    todo = []
    for path in files:
        (summary.skipped.append(path.name) if state.is_done(path) else todo.append(path))
    if summary.skipped:
        echo(f"skipped {len(summary.skipped)} file(s) finished by an earlier scan (--restart scans them again)")
    if todo:
        with dask_client(workers, scheduler) as client:
            echo(f"dask: {_describe(client)}; dashboard: {client.dashboard_link}")
            _run_tasks(client, todo, state, summary, echo, warn, console or Console(stderr=True))
    summary.applied = state.apply()
    findings, _ = pipeline.build(corpora, kb)  # kept records are files the scan wrote: no links among them
    summary.cases, summary.flares = len(findings), sum(case.flare.reported for case in findings)
    return summary


def _check_unique_names(files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in files:
        if path.name in seen:
            raise BadInput(f"{path}: two input files are named {path.name} ({seen[path.name]}); the scan state "
                           "and NCBI's order go by file name")
        seen[path.name] = path


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Client of the cluster at `scheduler`, else of a LocalCluster of `workers` single-threaded processes
    (extraction is Python: threads would share one interpreter lock)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise FetchError(f"cannot reach the Dask scheduler at {scheduler} ({error})") from None
        except ValueError as error:
            raise BadInput(f"--scheduler {scheduler}: not a scheduler address ({error})") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers or usable_cores(), threads_per_worker=1, processes=True,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _describe(client: Any) -> str:
    workers = client.scheduler_info().get("workers", {})
    threads = sum(worker.get("nthreads", 0) for worker in workers.values())
    return f"scheduler {client.scheduler.address}, {len(workers)} worker(s), {threads} thread(s)"


def _run_tasks(client: Any, todo: list[Path], state: ScanState, summary: ScanSummary,
               echo: Callable[[str], None], warn: Callable[[str], None], console: Console) -> None:
    from distributed import as_completed

    run_id = uuid.uuid4().hex[:8]  # task keys unique to this run: another client's scan shares no results
    with FileProgress(console, len(todo)) as progress:
        client.subscribe_topic(PROGRESS_TOPIC, progress.on_event)
        futures = {client.submit(scan_file, str(path.resolve()), PROGRESS_TOPIC, key=f"scan-file-{run_id}-{number}",
                                 pure=False): path for number, path in enumerate(todo)}
        try:
            for future in as_completed(futures):
                path = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - the task crashed, or its workers kept dying
                    summary.crashed[path.name] = f"{type(error).__name__}: {error}"
                    warn(f"flarekb: error: {path.name}: the scan task failed ({summary.crashed[path.name]})")
                    continue
                progress.finished(result)
                if result.error:
                    summary.bad_files[path.name] = result.error
                    warn(f"flarekb: error: {result.error}")
                    continue
                state.record(path, result)
                summary.scanned.append(result)
                echo(f"scanned {result.name}: {result.records:,} records, {result.candidates:,} past the prefilter, "
                     f"{len(result.kept):,} kept, {len(result.deleted):,} deleted")
        finally:
            client.unsubscribe_topic(PROGRESS_TOPIC)


class FileProgress:
    """Rich progress on stderr: the files done, and a bar per file being scanned (MB read, records, kept),
    fed by the workers' progress events (which arrive on the client's event-loop thread: rich locks)."""

    def __init__(self, console: Console, total: int) -> None:
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
                                  console=console, transient=True)
        self._overall = self._progress.add_task("files", total=total, amount=f"0/{total} files")
        self._total = total
        self._done = 0
        self._bars: dict[str, TaskID] = {}

    def __enter__(self) -> FileProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._progress.__exit__(*exc_info)

    def on_event(self, event: tuple[float, dict]) -> None:
        message = event[1]
        name, size, read = str(message.get("name", "")), message.get("size") or 0, message.get("bytes_read", 0)
        amount = (f"{read / 2**20:,.1f}/{size / 2**20:,.1f} MB, {message.get('records', 0):,} records, "
                  f"{message.get('kept', 0):,} kept")
        if name not in self._bars:
            self._bars[name] = self._progress.add_task(escape(name), total=size or None, completed=read, amount=amount)
        else:
            self._progress.update(self._bars[name], completed=read, amount=amount)

    def finished(self, result: FileResult) -> None:
        self._done += 1
        self._progress.update(self._overall, completed=self._done, amount=f"{self._done}/{self._total} files")
        if result.name in self._bars:
            self._progress.update(self._bars[result.name], visible=False)
