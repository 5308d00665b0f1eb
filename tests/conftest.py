"""Shared test fixtures. `../shared` (seeds, NCBI fixtures, gold corpus) sits beside the checkout in CI;
tests that need it skip with a clear reason where it is absent (a user's clone)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_as_at_a_terminal() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as for a user at a terminal, however the suite was started.

    Python turns SIGINT into KeyboardInterrupt only if it did not start with SIGINT ignored, and a shell
    without job control starts background commands (`pytest &` in a script, some CI runners) with SIGINT
    ignored; the subprocesses the tests start inherit that, as exec keeps an ignored signal ignored. The
    Ctrl-C tests (test_atomicfile, graph/test_export, test_crash_safety) send real SIGINTs to this process
    and to flarekb subprocesses: they then failed, all of them, only when the suite ran in the background.
    A handler set here is reset to the default by exec, so subprocesses get Python's usual handler too."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared fixtures and gold corpus live beside the checkout in CI")
    return SHARED


@pytest.fixture
def seeds_dir() -> Path:
    """The two seed case reports, as shipped in the repository's own corpora/."""
    return REPO / "corpora" / "seeds"
