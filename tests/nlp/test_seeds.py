"""The two seed case reports: what the project started from must come out whole, with evidence offsets."""

from __future__ import annotations

from extractor.nlp import extract_findings, extract_many


def _markers(findings):
    return {(m.marker, m.direction): m for m in findings.markers}


def test_tarlatamab_flare_seed(seed_documents):
    document = seed_documents["40827251"]
    findings = extract_findings(document)

    assert [(d.name, d.role, d.targets) for d in findings.drugs] == [("tarlatamab", "engager", ["DLL3", "CD3"])]
    assert findings.disease == "small-cell lung cancer"
    assert findings.flare.reported and findings.flare.onset_day == 7
    assert findings.flare.drug == "tarlatamab"
    assert {"tumor swelling", "pleural effusion"} <= set(findings.flare.manifestations)
    assert findings.resolution_day in (12, 13)
    markers = _markers(findings)
    assert set(markers) == {("serum sodium", "increased"), ("cytology", "negative"), ("pro-grp", "decreased")}
    assert (markers[("serum sodium", "increased")].day, markers[("cytology", "negative")].day) == (7, 7)
    assert markers[("pro-grp", "decreased")].day == 13


def test_every_marker_offset_slices_its_mention_inside_its_evidence(seed_documents):
    for document, findings in zip(seed_documents.values(), extract_many(seed_documents.values())):
        assert findings.markers
        for marker in findings.markers:
            mention = document.text[marker.start : marker.end]
            assert mention and mention in marker.evidence
            assert marker.evidence in document.text


def test_t_cell_infiltration_seed_has_no_day(seed_documents):
    findings = extract_findings(seed_documents["PMC12983044"])

    assert findings.engagers == ["tarlatamab"]
    assert findings.flare.reported and findings.flare.onset_day is None
    markers = _markers(findings)
    assert set(markers) == {("lymphocyte count", "decreased"), ("il-6", "increased")}
    assert all(marker.day is None for marker in findings.markers)
    il6 = markers[("il-6", "increased")]
    assert seed_documents["PMC12983044"].text[il6.start : il6.end].lower() == "interleukin-6"
