"""Whole-or-nothing file writes, shared by the raw cache (corpora/), the knowledge base (kb/) and exports.

One implementation, `atomic_writer`: the bytes go to a dot-temporary file beside the target, which is
fsynced, renamed over the target, and the directory fsynced, so at every instant the target is either the
old file or the new one, whatever kills the process. `write_atomically` is that writer for bytes already
in memory. Only a regular file (or nothing) is ever renamed over: a FIFO or device there is refused.

`output_writer` / `write_output` are for a file the user names with `-o`: `-` is standard output, and an
existing FIFO, character device or socket (or a link to one, like /dev/stdout) is written straight into, as a
shell redirection would, instead of being replaced by a regular file. `open_regular` opens the files flarekb
keeps open rather than replaces (the kb lock, the fetch log) without following a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from extractor.errors import UnsafeFile

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
    _refuse_special(path)
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
def output_writer(path: Path) -> Iterator[BinaryIO]:
    """Where a `-o PATH` goes: `-` is standard output; an existing FIFO, device or socket (after links) is
    written straight into (never replaced: `-o /dev/null` stays a device); anything else through
    `atomic_writer`."""
    if str(path) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is None or stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # (a directory: atomic_writer says so)
        with atomic_writer(path) as handle:
            yield handle
        return
    # No O_CREAT, no O_TRUNC: this is a stream or a device, written as it is.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CLOEXEC), "wb", buffering=WRITE_BUFFER_BYTES) as handle:
        yield handle


def write_output(path: Path, data: bytes) -> None:
    """`data` to a `-o PATH`, as `output_writer` does."""
    with output_writer(path) as handle:
        handle.write(data)


def open_regular(path: Path, flags: int) -> int:
    """`os.open(path, flags)` for a file flarekb keeps and writes in place (the kb lock, the fetch log): a
    symbolic link is not followed and anything but a regular file is refused (UnsafeFile), so a link or FIFO
    planted there cannot make flarekb truncate, append to or hang on something else."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for its other end (it is refused below anyway)
        descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFile(f"{path} is a symbolic link; flarekb writes only its own regular files there "
                             "(remove the link)") from None
        if error.errno == errno.ENXIO:  # a FIFO with no reader
            raise UnsafeFile(f"{path} is not a regular file; flarekb will not write to it (remove it)") from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise UnsafeFile(f"{path} is not a regular file; flarekb will not write to it (remove it)")
    os.set_blocking(descriptor, True)
    return descriptor


def _refuse_special(path: Path) -> None:
    """Renaming over a FIFO, a device or a socket would replace it with a regular file: refused. (A symbolic
    link is replaced by the new file, never written through.)"""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise UnsafeFile(f"{path} is not a regular file; flarekb will not replace it")


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
