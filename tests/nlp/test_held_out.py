"""Generalisation check on short case paragraphs written for this test suite (not taken from any paper, and
not used while tuning the lexicons). A held-out set of real case reports outside ../shared/corpus is still
to be gathered; these paragraphs stand in for it and are scored with the same figures as the corpus."""

from __future__ import annotations

from extractor.evaluate import Score
from extractor.nlp import extract_many

from .conftest import make_document

HELD_OUT = [
    {
        "text": "A 67-year-old man with relapsed multiple myeloma and a paraspinal plasmacytoma received teclistamab "
                "(Tecvayli) step-up dosing. On day 2 he reported new back pain, and MRI on day 4 showed enlargement "
                "of the paraspinal lesion, consistent with a tumour flare reaction. Serum ferritin was elevated and "
                "the C-reactive protein level rose to 142 mg/L, whereas the involved free light chain fell from 850 "
                "to 310 mg/L. By day 28 the lesion had regressed.",
        "engagers": {"teclistamab"}, "flare": True, "onset": 4, "resolution": 28,
        "markers": {("ferritin", "increased"), ("crp", "increased"), ("free light chains", "decreased")},
    },
    {
        "text": "A 72-year-old woman with diffuse large B-cell lymphoma was treated with epcoritamab. Two days after "
                "the first full dose, the cervical lymph nodes became swollen and tender. PET-CT one week later "
                "showed an increased SUVmax of the nodes, but a biopsy revealed CD8+ T-cell infiltration without "
                "viable lymphoma cells, and the findings were interpreted as pseudoprogression. IL-6 peaked at "
                "95 pg/mL on day 2. Tumour flare has been described with other CD20xCD3 bispecific antibodies.",
        "engagers": {"epcoritamab"}, "flare": True, "onset": 2, "resolution": None,
        "markers": {("suv (pet)", "increased"), ("cd8+ t cells", "positive"), ("biopsy (tumour cells)", "negative"),
                    ("il-6", "increased")},
    },
    {
        "text": "A 61-year-old woman with extensive-stage small-cell lung cancer received tarlatamab after "
                "progression on carboplatin, etoposide and durvalumab. She developed grade 1 cytokine release "
                "syndrome on day 1; there was no tumour flare and no pleural effusion. Neutropenia was noted on day 8. "
                "Restaging CT at week 6 showed a partial response. Pseudoprogression has been reported with "
                "checkpoint inhibitors.",
        "engagers": {"tarlatamab"}, "flare": False, "onset": None, "resolution": None,
        "markers": {("neutrophil count", "decreased")},
    },
    {
        "text": "A 45-year-old man with metastatic uveal melanoma began weekly tebentafusp. Within hours of the first "
                "infusion he developed fever and a rash. On day 15 CT showed transient enlargement of the hepatic "
                "metastases with a rise in LDH, interpreted as pseudoprogression; the liver lesions had shrunk on "
                "the 12-week scan.",
        "engagers": {"tebentafusp"}, "flare": True, "onset": 15, "resolution": 84,  # the 12-week scan
        "markers": {("ldh", "increased")},
    },
    {
        "text": "A 38-year-old woman with relapsed B-cell acute lymphoblastic leukemia received blinatumomab. "
                "On day 2, interferon-gamma and IL-10 were elevated and the lymphocyte count dropped, without "
                "any new extramedullary lesion. CRP normalized by day 6.",
        "engagers": {"blinatumomab"}, "flare": False, "onset": None, "resolution": None,
        "markers": {("ifn-gamma", "increased"), ("il-10", "increased"), ("lymphocyte count", "decreased"),
                    ("crp", "decreased")},  # normalised, from high (ANNOTATION.md)
    },
]


def test_held_out_paragraphs_meet_the_corpus_targets():
    documents = [make_document(case["text"], doc_id=str(i)) for i, case in enumerate(HELD_OUT)]
    engagers, markers = Score(), Score()
    flare_correct = onset_correct = flares = 0
    for case, findings in zip(HELD_OUT, extract_many(documents)):
        engagers.add(case["engagers"], findings.engagers)
        markers.add(case["markers"], {(m.marker, m.direction) for m in findings.markers})
        flare_correct += findings.flare.reported == case["flare"]
        if case["flare"]:
            flares += 1
            onset_correct += findings.flare.onset_day == case["onset"]
    assert engagers.f1 >= 0.95
    assert flare_correct / len(HELD_OUT) >= 0.95
    assert markers.f1 >= 0.85, (markers.true_positives, markers.false_positives, markers.false_negatives)
    assert onset_correct / flares >= 0.85


def test_held_out_resolution_days():
    documents = [make_document(case["text"], doc_id=str(i)) for i, case in enumerate(HELD_OUT)]
    for case, findings in zip(HELD_OUT, extract_many(documents)):
        assert findings.resolution_day == case["resolution"], case["text"][:40]
