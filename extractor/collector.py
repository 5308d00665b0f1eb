"""Python's cyclic garbage collector, paused around bulk work that makes many objects and no reference cycles.

Reference counting frees every such object as usual; the collector, which otherwise runs every few hundred
new objects, would only scan them again and again for nothing: about half the time of loading a large
knowledge base, and 2.4-5.2% of extraction (benchmarks/devices.py, December 2026). It resumes (if it was running)
when the work ends.

The collector is the host process's: a library call (`import extractor; extractor.extract_text(...)`) must
leave it alone. So `paused` and `freeze` do something only in a process flarekb owns, one whose entry point
called `own_process()`: the `flarekb` command (`cli.run`) and the benchmarks. Elsewhere they do nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_process_is_ours = False


def own_process() -> None:
    """Declare this process flarekb's own (the command line, a benchmark): from now on the collector may be
    paused and long-lived objects frozen."""
    global _process_is_ours
    _process_is_ours = True


@contextmanager
def paused() -> Iterator[None]:
    if not _process_is_ours:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze() -> None:
    """Move every object alive now out of the collector's generations (`gc.freeze`), in a process of ours:
    objects that live as long as the process are then not scanned again at every full collection."""
    if _process_is_ours:
        gc.freeze()
