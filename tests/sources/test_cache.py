"""The raw-bytes cache: validated ids as file names, atomic writes, the fetch log as skippable metadata."""

from __future__ import annotations

import os

import pytest

from extractor.errors import BadInput
from extractor.sources import cache


@pytest.mark.parametrize("bad", ["../../etc/passwd", "12a", "", "1 2", "PMC123", "-5", "/tmp/x"])
def test_a_malformed_pmid_never_becomes_a_path(tmp_path, bad):
    with pytest.raises(BadInput):
        cache.record_path(tmp_path, "pubmed", bad)


@pytest.mark.parametrize("bad", ["../PMC1", "PMC", "PMCabc", "PMC1/../../x"])
def test_a_malformed_pmcid_never_becomes_a_path(tmp_path, bad):
    with pytest.raises(BadInput):
        cache.record_path(tmp_path, "pmc", bad)


def test_records_land_one_file_per_id_under_their_database(tmp_path):
    paths = cache.save_records(tmp_path, "pubmed", {"123": b"<a/>", "456": b"<b/>"})
    assert paths == [tmp_path / "pubmed" / "123.xml", tmp_path / "pubmed" / "456.xml"]
    assert cache.read_record(tmp_path, "pubmed", "456") == b"<b/>"
    assert cache.record_path(tmp_path, "pmc", "pmc77") == tmp_path / "pmc" / "PMC77.xml"


def test_the_fetch_log_is_metadata_beside_the_records(tmp_path):
    cache.save_records(tmp_path, "pubmed", {"123": b"<a/>"})
    cache.save_records(tmp_path, "pmc", {"PMC9": b"<b/>"})
    lines = (tmp_path / cache.FETCH_LOG).read_text().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["pubmed", "123"], ["pmc", "PMC9"]]
    assert cache.FETCH_LOG.startswith("_")  # `flarekb build` skips it


def test_an_empty_file_does_not_count_as_cached(tmp_path):
    path = cache.record_path(tmp_path, "pubmed", "123")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert not cache.is_cached(tmp_path, "pubmed", "123")
    cache.save_records(tmp_path, "pubmed", {"123": b"<a/>"})
    assert cache.is_cached(tmp_path, "pubmed", "123")


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    cache.save_records(tmp_path, "pubmed", {"123": b"old"})

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        cache.write_atomically(tmp_path / "pubmed" / "123.xml", b"new")
    assert (tmp_path / "pubmed" / "123.xml").read_bytes() == b"old"
    assert sorted(p.name for p in (tmp_path / "pubmed").iterdir()) == ["123.xml"]
