"""The scan's state under corpora/_scan/: what counts as done, and results laid over corpora/ in NCBI's order
whatever order the files finished in (no Dask here: the tasks' results are made by the real task, in process)."""

from __future__ import annotations

import json
import os

from extractor.scan.state import ScanState
from extractor.scan.task import scan_file
from extractor.sources import cache
from tests.bulk_inputs import background_record, load_records, pubmed_file


def test_results_apply_in_file_name_order_whatever_order_they_finished_in(shared_dir, seeds_dir, tmp_path):
    records = load_records(shared_dir, seeds_dir)
    (kept_pmid, kept_case), (deleted_pmid, deleted_case) = records.cases[0], records.cases[1]
    revised = background_record(records, 0).replace(">70000001<", f">{kept_pmid}<")
    files = [pubmed_file(records, tmp_path / "pubmed25n0001.xml.gz", [kept_case, deleted_case]),
             pubmed_file(records, tmp_path / "pubmed25n0002.xml.gz", [revised], deleted=[deleted_pmid]),
             pubmed_file(records, tmp_path / "pubmed25n0003.xml.gz", [deleted_case])]
    results = {path: scan_file(str(path)) for path in files}
    for finishing_order in (files, files[::-1]):
        corpora = tmp_path / f"corpora-{finishing_order[0].name}"
        state = ScanState(corpora)
        for path in finishing_order:
            state.record(path, results[path])
        applied = state.apply()
        # file 2's version of kept_pmid is not kept: it undoes file 1's; file 3 brings deleted_pmid back
        assert not cache.record_path(corpora, "pubmed", kept_pmid).exists()
        assert cache.record_path(corpora, "pubmed", deleted_pmid).read_bytes().count(b"<PubmedArticle>") == 1
        assert applied.written == 1
        assert state.apply().written == 0  # idempotent


def test_a_file_is_done_for_the_same_content_and_the_same_extraction(shared_dir, seeds_dir, tmp_path):
    records = load_records(shared_dir, seeds_dir)
    path = pubmed_file(records, tmp_path / "pubmed25n0001.xml.gz", [records.cases[0][1]])
    state = ScanState(tmp_path / "corpora")
    assert not state.is_done(path)
    state.record(path, scan_file(str(path)))
    assert state.is_done(path)
    os.utime(path, ns=(1, 1))  # touched, same bytes: the checksum says done
    assert state.is_done(path)
    state_file = tmp_path / "corpora" / "_scan" / f"{path.name}.json"
    recorded = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**recorded, "fingerprint": "an older extraction"}))
    assert not state.is_done(path)  # scanned with other rules or lexicons: scan it again
    state_file.write_text(json.dumps(recorded))
    pubmed_file(records, path, [records.cases[0][1], background_record(records, 1)])  # new content
    assert not state.is_done(path)
    state.forget(path.name)
    assert not state_file.exists() and state.done_names() == []
