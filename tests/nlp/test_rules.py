"""Rules on short sentences written for these tests: abbreviations, direction, timing, negation, background."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.lexicons.folding import fold
from extractor.nlp import extract_findings
from extractor.nlp.text import split_sentences
from extractor.nlp.timing import _UNIT_WORD, find_days

from .conftest import make_document


def markers_of(text: str, title: str = "") -> set[tuple[str, str]]:
    return {(m.marker, m.direction) for m in extract_findings(make_document(text, title)).markers}


# --- abbreviations -----------------------------------------------------------------------------------------------

def test_a_defined_short_form_is_found_later():
    findings = extract_findings(make_document(
        "A 60-year-old man with myeloma received teclistamab. We diagnosed a tumour flare reaction (TFR-X). "
        "The TFR-X began on day 3 with painful swelling of a plasmacytoma."
    ))
    assert findings.flare.reported and findings.flare.onset_day == 3


def test_short_form_defined_by_the_abbreviation_detector_resolves_to_the_lexicon_entry():
    findings = extract_findings(make_document(
        "She had small cell carcinoma (SmCC) of the lung. On day 5 the SmCC lesion swelled; pseudoprogression "
        "was diagnosed. A 58-year-old woman with SmCC had received tarlatamab."
    ))
    assert findings.engagers == ["tarlatamab"]


def test_the_bracketed_definition_is_not_a_second_finding():
    text = "CD8+ tumor-infiltrating lymphocytes (TILs) were observed in the biopsy."
    assert markers_of(text) == {("cd8+ t cells", "positive")}


# --- direction ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("The peripheral blood lymphocyte count decreased, and the interleukin-6 level was markedly elevated.",
         {("lymphocyte count", "decreased"), ("il-6", "increased")}),
        ("Imaging showed swelling despite negative cytology and rising serum sodium.",
         {("cytology", "negative"), ("serum sodium", "increased")}),
        ("CT showed regression and falling pro-GRP.", {("pro-grp", "decreased")}),
        ("Serum NSE declined rapidly to the normal range.", {("nse", "decreased")}),
        ("Ferritin rose while CRP fell.", {("ferritin", "increased"), ("crp", "decreased")}),
        ("An increase in IL-6, IL-10 and IFN-γ was seen.",
         {("il-6", "increased"), ("il-10", "increased"), ("ifn-gamma", "increased")}),
        ("IL-6 increased from 12 pg/mL to 850 pg/mL.", {("il-6", "increased")}),
        ("LDH was 180 U/L (baseline 420 U/L) on day 14.", {("ldh", "decreased")}),
        # normalised from an abnormal value the text does not state: from high (ANNOTATION.md)
        ("Sodium normalised by day 10.", {("serum sodium", "decreased")}),
        ("Sodium was within normal limits on day 10.", {("serum sodium", "normal")}),
        ("The biopsy showed necrosis and inflammation without residual tumor cells.",
         {("necrosis", "positive"), ("biopsy (tumour cells)", "negative")}),
        ("Laboratory tests showed lymphopenia and thrombocytopenia.",
         {("lymphocyte count", "decreased"), ("platelet count", "decreased")}),
        ("The biopsy showed no residual tumor cells, and ferritin increased.",
         {("biopsy (tumour cells)", "negative"), ("ferritin", "increased")}),
        ("There was no rise in CRP, IL-6 or ferritin.", set()),
        ("Serum IL-6, IL-10, and IFN-γ were elevated.",
         {("il-6", "increased"), ("il-10", "increased"), ("ifn-gamma", "increased")}),
        ("Ferritin was normal while CRP increased.", {("ferritin", "normal"), ("crp", "increased")}),
        ("CRP was elevated without fever.", {("crp", "increased")}),
    ],
)
def test_direction_goes_to_the_right_marker(text, expected):
    assert markers_of(text) == expected


def test_a_level_without_a_cue_is_not_a_finding():
    assert markers_of("IL-6 and CRP were measured every day.") == set()


def test_negated_change_is_not_a_finding():
    assert markers_of("There was no increase in IL-6 after the infusion.") == set()


def test_anti_target_antibody_is_not_a_marker():
    assert markers_of("He received an anti-PD-L1 antibody and PD-L1 was positive.") == {("pd-l1", "positive")}


# --- timing ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "phrase, day",
    [
        ("Day 7", 7), ("on day 10 of the first cycle", 10), ("within hours", 0), ("within 24-48 hours", 1),
        ("within 24\u201348 hours", 1), ("one week later", 7), ("1 month after", 30), ("by Day 13", 13),
        ("six weeks into treatment", 42), ("3 days after the first dose", 3), ("a median time to onset of 6 days", 6),
    ],
)
def test_time_expressions_become_days_after_first_dose(phrase, day):
    assert [found.day for found in find_days(fold(phrase))] == [day]


@pytest.mark.parametrize(
    "phrase",
    ["the next month", "after several cycles", "after cycle two", "on day 8 of cycle 3",
     "two weeks after the second dose", "within seven weeks of onset", "Four weeks later after second time treatment",
     "the median overall survival was 19.9 months", "after a median follow-up of 14 months", "at baseline"],
)
def test_vague_or_otherwise_anchored_times_give_no_day(phrase):
    assert [found.day for found in find_days(fold(phrase))] == [None]


@pytest.mark.parametrize(
    "phrase", ["a 57-year-old woman", "every 2 weeks", "twice a day", "grade 2 CRS", "(n=4)", "ibuprofen 400 mg q 6 hr"]
)
def test_ages_frequencies_and_counts_are_not_times(phrase):
    assert find_days(fold(phrase)) == []


# A unit word as a reader would write the rule down: the unit, an optional plural s, then the end of the word; or
# h right after a number ("6h", "6 h"), a cycle's day ("c1d8") and a short day ("d8", "d+23").
# timing._UNIT_WORD is written for speed; it must find the same.
_PLAIN_UNIT_WORD = re.compile(
    r"(?:hours?|hrs?|days?|weeks?|months?|years?|cycles?|baseline)\b|[0-9] ?h\b|c[0-9]{1,2} ?d[0-9]|d\+?[0-9]{1,3}\b"
)


_UNIT_PIECES = st.sampled_from(
    ["day", "days", "hour", "hours", "hr", "hrs", "h", "week", "weeks", "month", "months", "year", "years", "cycle",
     "cycles", "baseline", "s", "ly", "mid", "to", "x", "6", "24", " ", "-", "(", ".", "c", "d", "+", "c1d", "d8"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_UNIT_PIECES, max_size=12))
def test_the_unit_word_search_finds_what_the_plain_rule_finds(pieces):
    text = "".join(pieces)  # joined without spaces too: "6hours", "midday", "24-hrs"
    assert [m.span() for m in _UNIT_WORD.finditer(text)] == [m.span() for m in _PLAIN_UNIT_WORD.finditer(text)]


def test_each_marker_takes_the_day_of_its_own_clause():
    findings = extract_findings(make_document(
        "Within hours she had fever; on day 4 IL-6 was elevated. By day 9 CRP had fallen."
    ))
    days = {m.marker: m.day for m in findings.markers}
    assert days == {"il-6": 4, "crp": 9}


def test_flare_onset_and_resolution_days():
    findings = extract_findings(make_document(
        "A 64-year-old man with DLBCL received glofitamab. Within hours he reported bone pain; "
        "on day 3 CT showed enlarged lymph nodes consistent with tumor flare. "
        "By day 21 the lymph nodes had regressed."
    ))
    assert findings.flare.reported and findings.flare.onset_day == 3
    assert findings.resolution_day == 21
    assert findings.disease == "diffuse large b-cell lymphoma"


# --- negation and background -------------------------------------------------------------------------------------

def test_negated_manifestations_are_not_findings():
    findings = extract_findings(make_document(
        "A 70-year-old woman received epcoritamab. On day 2 she developed a tumour flare without pleural effusion."
    ))
    assert findings.flare.reported and "pleural effusion" not in findings.flare.manifestations


def test_background_statements_do_not_become_the_patients_drugs_or_flare():
    findings = extract_findings(make_document(
        "Pseudoprogression is common after immune-checkpoint inhibitors but has not been reported with "
        "teclistamab. Glofitamab is known to induce tumor flare. A 66-year-old man with myeloma received "
        "elranatamab and developed cytokine release syndrome on day 2."
    ))
    assert findings.engagers == ["elranatamab"]
    assert not findings.flare.reported


def test_an_earlier_drug_is_received_but_the_flare_goes_to_the_linked_therapy():
    findings = extract_findings(make_document(
        "A 59-year-old woman with SCLC had progressed on carboplatin, etoposide and atezolizumab. "
        "She then received tarlatamab, and on day 8 pseudoprogression after tarlatamab was suspected."
    ))
    assert [d.name for d in findings.drugs] == ["carboplatin", "etoposide", "atezolizumab", "tarlatamab"]
    assert findings.flare.drug == "tarlatamab" and findings.flare.onset_day == 8


# --- sentences ---------------------------------------------------------------------------------------------------

def test_sentences_split_at_full_stops_and_lines_but_not_after_abbreviations():
    text = "Fever vs. chills were seen (Fig. 2). Day 7 CT showed swelling.\nFIGURE 1\nLegend text"
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["Fever vs. chills were seen (Fig. 2).", "Day 7 CT showed swelling.", "FIGURE 1", "Legend text"]


def test_a_time_right_after_another_is_read_whole():
    assert [found.day for found in find_days(fold("within 48 hours).\n\nBy Day 13, the scan"))] == [2, 13]


# --- evidence and the nearest stated day ------------------------------------------------------------------------

def test_the_abstract_sentence_is_the_evidence_before_a_caption_or_keyword_list():
    from extractor.models import Document, Passage

    document = Document(id="x", source="text", title="A flare", passages=[
        Passage("title", "A flare"),
        Passage("section", "Interleukin-6 elevated; tumor flare; teclistamab", "Key findings"),
        Passage("caption", "Figure 2. On day 4 the IL-6 level was elevated.", "Figure 2"),
        Passage("abstract", "A 60-year-old man with myeloma received teclistamab. His IL-6 level was elevated.", "CASE"),
    ])
    (il6,) = extract_findings(document).markers
    assert il6.evidence == "His IL-6 level was elevated."
    assert document.text[il6.start : il6.end] == "IL-6"


def test_a_level_without_a_time_takes_the_day_of_the_lab_report_right_before_it():
    findings = extract_findings(make_document(
        "A 58-year-old woman received glofitamab. On day 3, CRP was 120 mg/L and elevated. Ferritin was also elevated."
    ))
    assert {m.marker: m.day for m in findings.markers} == {"crp": 3, "ferritin": 3}


@pytest.mark.parametrize(
    "text",
    [
        "On day 3, CT showed enlarged lymph nodes. Ferritin was elevated.",  # an imaging report, not a lab report
        "On day 3, CRP was elevated.\nFerritin was elevated.",  # another passage (a line of its own)
        "CRP was elevated on day 3 and on day 5. Ferritin was elevated.",  # two days: which one?
    ],
)
def test_no_day_is_borrowed_from_elsewhere(text):
    findings = extract_findings(make_document(text))
    assert [m.day for m in findings.markers if m.marker == "ferritin"] == [None]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Serum pro-GRP was high at baseline; levels declined by day 13.",  # the baseline value is not coded
         {("pro-grp", "decreased", 13)}),
        ("CRP rose to 120 mg/L on day 2; levels declined after tocilizumab.",
         {("crp", "increased", 2), ("crp", "decreased", None)}),
        ("IL-6 and ferritin rose on day 2; both normalised by day 9.",
         {("il-6", "increased", 2), ("ferritin", "increased", 2), ("il-6", "decreased", 9), ("ferritin", "decreased", 9)}),
        ("CRP rose on day 2; the fever settled.", {("crp", "increased", 2)}),
        ("CRP rose on day 2; levels did not decline.", {("crp", "increased", 2)}),
    ],
)
def test_a_clause_that_points_back_directs_the_markers_before_it(text, expected):
    findings = extract_findings(make_document(text))
    assert {(m.marker, m.direction, m.day) for m in findings.markers} == expected


def test_the_case_text_ends_at_the_first_reference_heading_on_a_line_of_its_own():
    from extractor.nlp.text import body_end

    text = "Reference ranges were normal.\nKeywords: reference standards\n\nBibliography\n1. A.\n\n## References\n2. B."
    assert text[body_end(text):].startswith("Bibliography")
    assert body_end("See the references in the text.") == len("See the references in the text.")
