"""Python's cyclic garbage collector, paused around bulk work that makes many objects and no reference cycles.

Reference counting frees every such object as usual; the collector, which otherwise runs every few hundred
new objects, would only scan them again and again for nothing: about half the time of loading a large
knowledge base, and a few percent of extraction. It resumes (if it was running) when the work ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
