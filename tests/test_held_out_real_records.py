"""Specificity on real text the rules were never tuned on: the NCBI fixtures hold real PubMed and PMC records
about other subjects (genetics, ecology, corrections...). None reports an engager or a flare, so any found
here is a false positive of the extraction."""

from __future__ import annotations

from pathlib import Path

from extractor.nlp import extract_many
from extractor.sources import read_documents


def test_no_engager_or_flare_in_unrelated_real_records(shared_dir: Path):
    fixtures = shared_dir / "fixtures" / "ncbi"
    paths = sorted((fixtures / "pubmed_efetch").glob("*.xml")) + sorted((fixtures / "pmc_jats").iterdir())
    documents = [document for path in paths for document in read_documents(path)]
    assert len(documents) >= 20  # enough real records for the figure to mean something
    findings = list(extract_many(documents))
    false_engagers = {case.id: case.engagers for case in findings if case.engagers}
    false_flares = [case.id for case in findings if case.flare.reported]
    assert false_engagers == {} and false_flares == []
