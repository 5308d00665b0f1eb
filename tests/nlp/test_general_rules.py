"""The general rules of the extraction issue, each on sentences written for its test (none from a corpus
document): direction from word formation and from numbers, scope (what was measured in this patient after the
therapy began), patients counted, unnamed engagers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.lexicons.folding import fold
from extractor.nlp import cohort, extract_findings
from extractor.nlp.morphology import find_affixed

from .conftest import make_document


def markers_of(text: str) -> set[tuple[str, str]]:
    return {(m.marker, m.direction) for m in extract_findings(make_document(text)).markers}


# --- direction from word formation -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "word, expected",
    [
        ("hypernatraemia", ("serum sodium", "increased")),  # Greek stem, British spelling
        ("hypokalemia", ("potassium", "decreased")),
        ("hyperferritinemia", ("ferritin", "increased")),  # the stem is itself a marker name
        ("hypofibrinogenemias", ("fibrinogen", "decreased")),
        ("lymphopenia", ("lymphocyte count", "decreased")),
        ("pancytopenia", ("blood counts", "decreased")),
        ("monocytosis", ("monocyte count", "increased")),
        ("basophilia", ("basophil count", "increased")),
    ],
)
def test_affixes_give_analyte_and_direction(word, expected):
    found = find_affixed(fold(f"The patient had {word} on day 3."))
    assert [(m.name, m.detail) for m in found] == [expected]


@pytest.mark.parametrize("word", ["leukemia", "septicemia", "hypoxemia", "anemia", "philadelphia", "hemophilia"])
def test_words_that_only_look_affixed_name_no_marker(word):
    assert find_affixed(fold(f"The patient had {word}.")) == []


def test_affixed_words_in_a_list_are_each_a_finding():
    text = ("A 50-year-old man received blinatumomab. On day 9 he developed hypertriglyceridemia, bicytopenia "
            "and hypercalcaemia.")
    assert markers_of(text) >= {("triglycerides", "increased"), ("blood counts", "decreased"),
                                ("calcium", "increased")}


# --- direction from numbers and from "normalised" ------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("On day 4, CRP was 48 mg/L (normal < 5 mg/L).", ("crp", "increased")),
        ("On day 4, sodium was 128 mmol/L (reference range 135-145 mmol/L).", ("serum sodium", "decreased")),
        ("On day 4, ferritin was 90 ng/mL (normal range, 20-250 ng/mL).", ("ferritin", "normal")),
        ("On day 4, ALT reached 5 x ULN.", ("alt", "increased")),
        ("On day 4, AST was three-fold... ", None),  # a number in words is not read
        ("On day 4, the IL-6 level showed a 12-fold rise.", ("il-6", "increased")),
        ("On day 4, LDH was 800 U/L, 3 times the upper limit of normal.", ("ldh", "increased")),
        ("On day 4, lipase was above the upper limit of normal.", ("lipase", "increased")),
        ("By day 30, the platelet count had normalized.", ("platelet count", "decreased")),
        ("On day 4, IL-6 went from 5.2 to 1,250 pg/mL.", ("il-6", "increased")),  # a thousands separator
        ("On day 4, CRP was 1,5 mg/dL (normal < 0,5 mg/dL).", ("crp", "increased")),  # decimal commas
    ],
)
def test_direction_from_numbers_and_normal_ranges(sentence, expected):
    found = markers_of(f"A 60-year-old man received glofitamab. {sentence}")
    assert found == ({expected} if expected else set())


def test_normalised_is_the_opposite_of_the_last_direction_in_the_text():
    text = ("A 60-year-old woman received teclistamab. On day 3 she had thrombocytopenia. "
            "By day 20 the platelet count had normalised, and AFP normalized too.")
    assert markers_of(text) == {("platelet count", "decreased"), ("platelet count", "increased"),
                                ("afp", "decreased")}


# --- scope: measured in this patient after the therapy began -------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        "At diagnosis, LDH was elevated.",
        "Before treatment, the CEA level was high.",
        "During lymphodepletion, she developed neutropenia.",
        "Prior to the first dose, ferritin was raised.",
    ],
)
def test_pre_treatment_values_are_not_coded(sentence):
    assert markers_of(f"A 70-year-old man with colon cancer received pembrolizumab. {sentence}") == set()


def test_a_change_from_baseline_is_coded():
    text = "A 70-year-old man received pembrolizumab. On day 21 CEA had risen compared with baseline."
    assert markers_of(text) == {("cea", "increased")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Pseudoprogression is a phenomenon in which the tumour transiently grows because of lymphocyte infiltration.",
        "A decrease in PSA may occur early during hormonal therapy.",
        "Factors related to hyperprogression include an LDH level above the upper limit of normal.",
        "Patients were divided into a CEA increased group and a CEA decreased group.",
        "IL-6 should be monitored during the first cycle.",
    ],
)
def test_statements_about_other_patients_or_recommendations_are_not_findings(sentence):
    assert markers_of(f"A 70-year-old man with lung cancer received nivolumab. {sentence}") == set()


def findings_of(text: str, title: str = ""):
    return extract_findings(make_document(text, title))


def test_a_review_that_reports_no_patient_has_no_flare_and_no_markers():
    text = ("This article reviews pseudoprogression under immune checkpoint inhibitors. Pseudoprogression with "
            "rising LDH and transient enlargement of metastases was reported after nivolumab in several series.")
    findings = findings_of(text)
    assert not findings.flare.reported and findings.markers == []


def test_a_review_with_a_case_of_its_own_reports_that_case():
    text = ("We review the literature and report a 64-year-old man with melanoma who received nivolumab. "
            "On day 20 the metastases transiently enlarged, consistent with pseudoprogression, and LDH rose.")
    findings = findings_of(text)
    assert findings.flare.reported and ("ldh", "increased") in {(m.marker, m.direction) for m in findings.markers}


def test_a_flare_weighed_against_progression_is_not_reported():
    text = ("A 70-year-old man received cemiplimab. After four cycles the lymph nodes were larger, and treatment "
            "went on to re-evaluate pseudoprogression versus disease progression. Later CT showed stable disease.")
    assert not findings_of(text).flare.reported


def test_atypical_responses_named_as_what_sometimes_occurs_are_not_a_flare():
    text = ("Atypical responses such as pseudoprogression sometimes occur during checkpoint inhibitor therapy. "
            "A 59-year-old woman with lung cancer received nivolumab and developed a colitis.")
    assert not findings_of(text).flare.reported


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("After two cycles she remained MRD+ in the marrow.", ("mrd", "positive")),
        ("The relapse was CD22- on flow cytometry.", ("cd22", "negative")),
        ("A marrow aspirate on day 20, showing hemophagocytosis, was taken.", ("hemophagocytosis", "positive")),
    ],
)
def test_a_sign_written_onto_a_finding_or_a_showing_verb_gives_its_direction(sentence, expected):
    assert markers_of(f"A 30-year-old woman with leukemia received blinatumomab. {sentence}") == {expected}


def test_what_a_drug_is_approved_for_is_not_a_finding():
    text = ("Blinatumomab has been approved for CD19+ leukemia. A 30-year-old woman received blinatumomab; "
            "on day 5 ferritin rose.")
    assert markers_of(text) == {("ferritin", "increased")}


# --- patients, not papers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("A 62-year-old woman received teclistamab and had a tumour flare on day 3.", 1),
        ("We describe two cases of tumour flare after teclistamab.", 2),
        ("In this phase 2 trial, 45 patients received lenalidomide; tumour flare began at a median of 6 days.", 45),
        ("Forty-five patients received lenalidomide in this trial; tumour flare occurred in twelve.", 45),
        ("Tumour flare occurred in 12 of the evaluable patients (n = 38) given lenalidomide.", 38),
        # another study's cohort, quoted as background, does not count
        ("A 62-year-old woman received teclistamab. Flare has been reported in 120 patients in clinical trials.", 1),
    ],
)
def test_patients_are_counted_from_the_text(text, expected):
    assert findings_of(text).n_patients == expected


_COUNT_WORDS = ["45", "7", "1234567", "forty", "forty-five", "forty five", "seven", "twelve", "consecutive", "other",
                "the", "of", "a45", "thirtyseven", "(12", "٤٥", "n = 3", ",", ".", "%", "-"]


@given(st.lists(st.sampled_from(_COUNT_WORDS + ["patients", "cases", "pts"]), max_size=12),
       st.sampled_from([" ", "  ", "\n", "\t", ""]))
@settings(max_examples=300, deadline=None)
def test_the_one_word_glance_before_a_noun_never_changes_a_count(words, space):
    # cohort._may_count spares the count expression for nouns after "the", "of"...: the counts read must be the
    # ones the expression alone reads before every noun
    text = space.join(words)
    expected = []
    for noun in cohort.NOUNS:
        for at in (m.start() for m in re.finditer(rf"(?<![^\W_]){noun}(?![^\W_])", text)):
            match = cohort._COUNT_BEFORE.search(text, max(0, at - cohort._REACH), at)
            if match:
                expected.append((at, match.group("count")))
    assert sorted(c for c in cohort._stated_counts(text) if text.startswith(cohort.NOUNS, c[0])) == sorted(expected)


# --- an engager named by its targets only --------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, engager",
    [
        ("A 70-year-old man with lymphoma received a CD20xCD3 bispecific antibody.", "cd20xcd3 bispecific antibody"),
        ("She was treated with an investigational BCMA×CD3 T-cell engager.", "bcmaxcd3 bispecific antibody"),
        ("He received a bispecific T-cell engager targeting DLL3.", "dll3xcd3 bispecific antibody"),
        ("He received an investigational T-cell engager directed against BCMA.", "bcmaxcd3 bispecific antibody"),
    ],
)
def test_an_unnamed_engager_is_an_engager_of_its_target_class(sentence, engager):
    findings = findings_of(f"{sentence} On day 4 the lymph nodes enlarged, a tumour flare.")
    assert findings.engagers == [engager]
    drug = next(d for d in findings.drugs if d.name == engager)
    assert drug.role == "engager" and drug.targets[1] == "CD3"


def test_an_engager_named_by_its_inn_is_not_counted_twice():
    findings = findings_of("A 70-year-old man received epcoritamab, a CD20xCD3 bispecific antibody.")
    assert findings.engagers == ["epcoritamab"]


def test_an_engager_class_in_a_background_sentence_is_not_the_patients():
    findings = findings_of("A 70-year-old man received rituximab. Tumour flare has been described with other "
                           "CD20xCD3 bispecific antibodies.")
    assert findings.engagers == []


def test_a_contrast_starts_a_clause_of_its_own():
    # the regression of the nodes does not make the new lesions a resolution
    text = ("A 70-year-old man with prostate cancer began hormone therapy. Six weeks after the first dose, the nodes "
            "regressed, whereas several new bone lesions appeared. These findings suggest a flare phenomenon.")
    findings = findings_of(text)
    assert findings.flare.reported and findings.flare.onset_day == 42


# --- flare evidence and the day of each manifestation (issue 15, point 6) -------------------------------------

def test_flare_evidence_is_the_reporting_sentences_not_the_title():
    findings = findings_of("A 57-year-old woman received tarlatamab. Within hours she developed bone pain; on day 7 "
                           "CT showed tumour swelling, a pseudoprogression.", title="Pseudoprogression after tarlatamab")
    assert findings.flare.evidence == ["Within hours she developed bone pain; on day 7 CT showed tumour swelling, "
                                       "a pseudoprogression."]
    assert findings.flare.manifestation_days == {"bone pain": 0, "tumor swelling": 7}
    assert findings.flare.onset_day == 7


# --- the HPO laboratory vocabulary -----------------------------------------------------------------------------

def test_findings_carry_the_hpo_term_of_the_marker_and_direction():
    findings = findings_of("A 45-year-old man received blinatumomab. On day 9 he had hyperferritinemia and "
                           "hyperammonemia, and the IL-6 level was within normal limits.")
    by_marker = {(m.marker, m.direction): m.hpo_id for m in findings.markers}
    assert by_marker[("ferritin", "increased")] == "HP:0003281"
    assert by_marker[("ammonia", "increased")].startswith("HP:")  # a term only HPO's vocabulary names
    assert by_marker[("il-6", "normal")] is None  # HPO has no term for a normal value


def test_a_bone_flare_under_hormone_therapy_is_a_flare_dated_by_its_imaging():
    text = ("A 66-year-old man with prostate cancer started leuprorelin. Two months later, bone scintigraphy showed "
            "advanced bone metastases, while the PSA level fell. A bone flare was diagnosed.")
    findings = findings_of(text)
    assert findings.flare.reported and findings.flare.onset_day == 60
    assert findings.flare.manifestations == ["lesion enlargement"]
    assert ("psa", "decreased") in {(m.marker, m.direction) for m in findings.markers}


# --- a value with its unit and no direction word, against the usual reference interval ------------------------

@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("On day 3, ferritin was 2,340 ng/mL.", {("ferritin", "increased")}),
        ("On day 3, the IL-6 level of 480 pg/mL was noted.", {("il-6", "increased")}),
        ("On day 3: platelets 32,000/μL, hemoglobin 7.8 g/dL.", {("platelet count", "decreased"),
                                                               ("hemoglobin", "decreased")}),
        ("On day 3 the lymphocyte count was 0.3 × 10^9/L.", {("lymphocyte count", "decreased")}),
        ("On day 3 the platelet count was 8.2 ×10<sup>4</sup>/μL.", {("platelet count", "decreased")}),
        ("On day 3, D-dimer was 12.4 μg/mL.", {("d-dimer", "increased")}),  # micro, not milli
        ("On day 3, ferritin was 120 ng/mL.", set()),  # inside the interval: not coded unless called normal
        ("On day 3, ferritin was 2,340 µmol/L.", set()),  # a unit the table does not know for ferritin
    ],
)
def test_a_value_is_read_against_the_reference_interval(sentence, expected):
    assert markers_of(f"A 52-year-old man received teclistamab. {sentence}") == expected


def test_a_pre_treatment_value_at_diagnosis_is_not_read():
    assert markers_of("A 69-year-old man with newly diagnosed prostate cancer (PSA 274 ng/mL) began ADT.") == set()


def test_local_crs_is_a_flare_only_at_a_tumour_site():
    at_tumour = findings_of("A 49-year-old woman received axicabtagene ciloleucel. Seven days after infusion she "
                            "developed local CRS with swelling of a cervical lymphoma mass.")
    at_glands = findings_of("A 49-year-old woman received axicabtagene ciloleucel. Seven days after infusion she "
                            "developed local CRS with swelling of both parotid glands.")
    assert at_tumour.flare.reported and at_tumour.flare.onset_day == 7
    assert not at_glands.flare.reported


def test_enlargement_of_a_named_tumour_site_dates_the_flare():
    findings = findings_of("A 61-year-old man received talquetamab. On day 8 he developed painful enlargement of a "
                           "paraspinal plasmacytoma, later read as a tumor flare.")
    assert findings.flare.onset_day == 8 and findings.flare.manifestations == ["lesion enlargement"]


def test_a_cue_joined_by_a_hyphen_belongs_to_its_finding():
    assert markers_of("A 30-year-old woman received blinatumomab. Flow cytometry revealed CD19-negative blasts "
                      "at relapse.") == {("cd19", "negative")}


# --- timing ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "phrase, day",
    [("on day +23", 23), ("on D8", 8), ("on C1D8", 8), ("on C2D1", None), ("at week 6", 42), ("on the third day", 3),
     ("in recent 1 month", None), ("4 months after the diagnosis", None)],
)
def test_time_expressions(phrase, day):
    from extractor.nlp.timing import find_days

    folded = fold(f"CRP rose {phrase}.")
    assert [d.day for d in find_days(folded)] == [day]


def test_a_day_in_brackets_belongs_to_what_the_brackets_follow():
    text = ("A 34-year-old man received tisagenlecleucel. Fever followed with hyperferritinemia (peak on day +23), "
            "severe cytopenias and high IL-6.")
    days = {m.marker: m.day for m in findings_of(text).markers}
    assert days == {"ferritin": 23, "blood counts": None, "il-6": None}


# --- what is not a flare -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "A 66-year-old man received atezolizumab. At 8 weeks the primary tumor was larger; pseudoprogression was "
        "initially suspected, but a biopsy confirmed true progression.",
        "A 66-year-old man received atezolizumab. Pseudoprogression was ruled out because new metastases appeared.",
        "A 58-year-old woman received nivolumab. Pseudoprogression is reported in 5-10% of patients treated with "
        "checkpoint inhibitors. Her tumours responded by week 12.",
    ],
)
def test_a_suspected_refuted_or_population_flare_is_not_reported(text):
    assert not findings_of(text).flare.reported


def test_a_flare_over_true_progression_is_reported():
    text = ("A 66-year-old man received atezolizumab. The lesion grew at week 8 and shrank at week 16: "
            "pseudoprogression rather than true progression.")
    assert findings_of(text).flare.reported


def test_a_sentence_about_our_patient_is_not_background_for_what_it_cites():
    text = ("A 61-year-old woman received nivolumab. Although hyperprogression has been described with PD-1 "
            "inhibitors, our patient had a transient increase in tumor size followed by a durable response.")
    assert findings_of(text).flare.reported


def test_a_presence_word_governs_every_item_of_its_list_whatever_their_kind():
    text = ("A 49-year-old woman received axicabtagene ciloleucel. On day 7 a biopsy revealed CAR-T cells and "
            "necrotic tissue without viable lymphoma.")
    assert markers_of(text) == {("necrosis", "positive"), ("biopsy (tumour cells)", "negative")}


def test_a_day_after_another_markers_statement_is_that_markers_day():
    text = ("A 60-year-old man received tarlatamab. Serum NSE decreased markedly (from 85 to 12 ng/mL), and pro-GRP "
            "normalized by day 21. On day 7, cytology was negative and sodium was rising.")
    days = {(m.marker, m.direction): m.day for m in findings_of(text).markers}
    assert days == {("nse", "decreased"): None, ("pro-grp", "decreased"): 21, ("cytology", "negative"): 7,
                    ("serum sodium", "increased"): 7}


@pytest.mark.parametrize(
    "sentence, expected",
    [("By week 12 circulating tumor DNA had cleared.", ("ctdna", "decreased")),
     ("After two cycles the M-protein became undetectable.", ("m-protein", "decreased")),
     ("At week 12 MRD was undetectable.", ("mrd", "negative"))],
)
def test_undetectable_is_a_level_decreased_and_a_finding_absent(sentence, expected):
    assert markers_of(f"A 60-year-old man received teclistamab. {sentence}") == {expected}
