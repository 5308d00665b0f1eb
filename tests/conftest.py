"""Shared test fixtures. `../shared` (seeds, NCBI fixtures, gold corpus) sits beside the checkout in CI;
tests that need it skip with a clear reason where it is absent (a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared fixtures and gold corpus live beside the checkout in CI")
    return SHARED


@pytest.fixture
def seeds_dir() -> Path:
    """The two seed case reports, as shipped in the repository's own corpora/."""
    return REPO / "corpora" / "seeds"
