"""Whole-or-nothing writes (`extractor.atomicfile`): the target is the old file or the new one, never a part,
and no dot-temporary stays behind, whatever stops the writer: an error, Ctrl-C, a directory that vanished."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import threading
from pathlib import Path

import pytest

from extractor.atomicfile import atomic_writer, write_atomically

CHUNK = b"x" * 65536


def names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_a_streamed_write_replaces_the_file_whole(tmp_path: Path):
    path = tmp_path / "out.graphml"
    path.write_bytes(b"old")
    with atomic_writer(path) as handle:
        for _ in range(100):
            handle.write(CHUNK)
        assert path.read_bytes() == b"old"  # nothing shows until the block ends
    assert path.read_bytes() == CHUNK * 100
    assert names(tmp_path) == ["out.graphml"]


def test_a_new_file_is_world_readable_and_a_replaced_one_keeps_its_mode(tmp_path: Path):
    new, kept = tmp_path / "new", tmp_path / "kept"
    write_atomically(new, b"a")
    kept.write_bytes(b"old")
    kept.chmod(0o600)
    with atomic_writer(kept) as handle:
        handle.write(b"b")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_an_error_inside_the_writer_leaves_the_previous_file_and_no_temporary(tmp_path: Path):
    path = tmp_path / "out.csv"
    path.write_bytes(b"old")
    with pytest.raises(ZeroDivisionError):
        with atomic_writer(path) as handle:
            handle.write(CHUNK * 40)  # past the write buffer: the temporary file holds data
            1 / 0
    assert path.read_bytes() == b"old"
    assert names(tmp_path) == ["out.csv"]


def test_ctrl_c_while_streaming_stops_the_write_and_leaves_the_previous_file(tmp_path: Path):
    path = tmp_path / "out.graphml"
    path.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(path) as handle:
            handle.write(CHUNK * 40)
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C: raised here, not held back until the end
            for _ in range(100):  # never reached
                handle.write(CHUNK)
    assert path.read_bytes() == b"old"
    assert names(tmp_path) == ["out.graphml"]


@pytest.fixture
def another_thread():
    """A second thread alive in the process, as a worker pool or a server leaves one: SIGINT may then be
    handed to either thread, so holding it back cannot rest on one thread's signal mask."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


def write_with(writer: str, path: Path, data: bytes) -> None:
    if writer == "write_atomically":
        write_atomically(path, data)
    else:
        with atomic_writer(path) as handle:
            handle.write(data)


@pytest.mark.parametrize("writer", ["write_atomically", "atomic_writer"])
def test_ctrl_c_while_the_file_is_committed_is_raised_once_the_new_file_is_in_place(
        writer, another_thread, tmp_path: Path, monkeypatch):
    path = tmp_path / "findings.jsonl"
    path.write_bytes(b"old")
    real_fsync = os.fsync

    def fsync_then_ctrl_c(descriptor):  # the disk is slow; the user presses Ctrl-C meanwhile (a real SIGINT)
        real_fsync(descriptor)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "fsync", fsync_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write_with(writer, path, b"new")
    assert path.read_bytes() == b"new"
    assert names(tmp_path) == ["findings.jsonl"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_ctrl_c_while_the_temporary_is_created_leaves_the_previous_file_and_no_temporary(
        another_thread, tmp_path: Path, monkeypatch):
    path = tmp_path / "findings.jsonl"
    path.write_bytes(b"old")
    real_fdopen = os.fdopen

    def fdopen_then_ctrl_c(*arguments, **options):  # the temporary exists; the user presses Ctrl-C meanwhile
        handle = real_fdopen(*arguments, **options)
        os.kill(os.getpid(), signal.SIGINT)
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(path) as handle:
            handle.write(b"new")
    assert path.read_bytes() == b"old"
    assert names(tmp_path) == ["findings.jsonl"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_write_atomically_works_from_a_thread_other_than_the_main_one(tmp_path: Path):
    errors = []

    def write():
        try:
            write_atomically(tmp_path / "from-thread", b"data")
        except Exception as error:  # signal handlers can only be changed from the main thread
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert errors == [] and (tmp_path / "from-thread").read_bytes() == b"data"


def test_a_directory_that_disappears_mid_write_raises_and_leaves_nothing(tmp_path: Path):
    directory = tmp_path / "exports"
    directory.mkdir()
    with pytest.raises(FileNotFoundError):
        with atomic_writer(directory / "kb.graphml") as handle:
            handle.write(CHUNK * 40)
            shutil.rmtree(directory)
    assert names(tmp_path) == []


def test_a_missing_directory_fails_before_anything_is_written(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "absent" / "file", b"data")
    assert names(tmp_path) == []
