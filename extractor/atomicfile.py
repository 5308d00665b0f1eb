"""Whole-or-nothing file writes, shared by the raw cache (corpora/) and the knowledge base (kb/)."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a dot-temporary file beside `path`, fsync, rename over `path`, fsync the directory:
    at every instant `path` is either the old file or the new one, whatever kills the process. Ctrl-C is
    held back for the few milliseconds this takes, so an interrupted run never leaves a partial file."""
    path = Path(path)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        _replace(path, data)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C that came meanwhile is raised now


def _replace(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(descriptor, path.stat().st_mode & 0o777 if path.exists() else 0o644)  # mkstemp makes it 0600
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        # A full disk or a dead pipe mid-write: the previous file stays in place, the partial one goes.
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)
