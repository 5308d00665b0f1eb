"""Whole-or-nothing file writes, shared by the raw cache (corpora/), the knowledge base (kb/) and exports.

One implementation, `atomic_writer`: the bytes go to a dot-temporary file beside the target, which is
fsynced, renamed over the target, and the directory fsynced, so at every instant the target is either the
old file or the new one, whatever kills the process. `write_atomically` is that writer for bytes already
in memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

WRITE_BUFFER_BYTES = 1 << 20  # a streamed export writes small pieces: few system calls


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces `path` when the `with` block ends without an error.

    An exception in the block (a full disk, a bug, Ctrl-C) removes the temporary file and leaves `path` as
    it was. Ctrl-C is honoured while the block writes, however long that takes (a streamed export of
    hundreds of MB), and held back only while the temporary file is created, committed (fsync, rename,
    directory fsync) or removed: those are short, and an interruption there could leave a stray temporary.
    """
    path = Path(path)
    handle = temporary = None
    committed = False
    try:
        # (a Ctrl-C held back here is raised as the block ends: inside the try, so the temporary goes too)
        with _interrupts_held():
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            handle = os.fdopen(descriptor, "wb", buffering=WRITE_BUFFER_BYTES)
        os.fchmod(handle.fileno(), path.stat().st_mode & 0o777 if path.exists() else 0o644)  # mkstemp: 0600
        yield handle
        with _interrupts_held():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(temporary, path)
            committed = True
            _fsync_directory(path.parent)  # make the rename itself durable
    except BaseException:
        if not committed and temporary is not None:
            with _interrupts_held():
                _discard(handle, temporary)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through `atomic_writer`. The bytes are already in memory, so the write is
    short: Ctrl-C is held back for all of it (a Ctrl-C that came meanwhile is raised once `path` is whole)."""
    with _interrupts_held(), atomic_writer(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back: a SIGINT that arrives meanwhile is raised when the block ends.

    The Python handler is swapped for one that only notes the signal, rather than the signal being blocked
    with `pthread_sigmask`: a mask holds only for the calling thread, so with any other thread running the
    kernel hands SIGINT to that thread and the main thread raises KeyboardInterrupt all the same. Only the
    main thread ever raises KeyboardInterrupt, and only it may change handlers: elsewhere there is nothing
    to hold back."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # (None: a handler from outside Python, which could not be put back)
        return
    arrived = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: arrived.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if arrived:
            if callable(previous):
                previous(signal.SIGINT, arrived[0])  # the usual handler: raises KeyboardInterrupt
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)


def _discard(handle: BinaryIO | None, temporary: str) -> None:
    # The previous file stays in place; the partial one goes, even if closing it fails (a full disk).
    try:
        Path(temporary).unlink(missing_ok=True)
    finally:
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
