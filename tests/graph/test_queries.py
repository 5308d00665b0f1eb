from dataclasses import asdict

import pytest

from extractor.errors import BadInput
from extractor.graph import queries
from extractor.graph.index import build_index
from tests.graph.conftest import TARLATAMAB, case, marker


def by_key(rows):
    return {(row.marker, row.direction): row for row in rows}


def test_markers_that_agree_across_two_cases_make_one_row_with_both(index):
    rows = by_key(queries.markers_with_flare(index, drug="tarlatamab"))
    il6 = rows[("il-6", "increased")]
    assert il6.n_cases == 2
    assert il6.days == [2, 3]
    assert il6.drugs == ["tarlatamab"]
    assert sorted(item.pmid for item in il6.evidence) == ["1001", "1002"]
    assert {item.sentence for item in il6.evidence} == {"On day 3 the il-6 was increased.",
                                                        "On day 2 the il-6 was increased."}


def test_markers_that_disagree_stay_two_rows_each_with_its_own_case(index):
    rows = by_key(queries.markers_with_flare(index, drug="tarlatamab"))
    assert rows[("serum sodium", "increased")].n_cases == 1
    assert rows[("serum sodium", "decreased")].n_cases == 1
    assert [e.pmid for e in rows[("serum sodium", "decreased")].evidence] == ["1002"]


def test_most_supported_rows_come_first_and_cases_without_flare_are_left_out(index):
    rows = queries.markers_with_flare(index, drug="tarlatamab")
    assert (rows[0].marker, rows[0].n_cases) == ("il-6", 2)
    assert ("il-6", "normal") not in by_key(rows)  # case 5001 reports no flare


def test_a_steroid_given_alongside_carries_no_signature(index):
    assert queries.markers_with_flare(index, drug="dexamethasone") == []


def test_row_json_has_the_contract_keys(index):
    row = asdict(queries.markers_with_flare(index, drug="tarlatamab")[0])
    assert list(row)[:6] == ["marker", "direction", "n_cases", "days", "drugs", "evidence"]  # DESIGN.md's keys first
    assert set(row["evidence"][0]) == {"pmid", "pmcid", "doi", "sentence", "day"}


def test_markers_by_target_class_antigen_and_all_engagers(index):
    assert [r.marker for r in queries.markers_with_flare(index, target="BCMAxCD3")] == ["crp"]
    assert [r.marker for r in queries.markers_with_flare(index, target="BCMA")] == ["crp"]
    everything = by_key(queries.markers_with_flare(index))
    assert everything[("crp", "increased")].drugs == ["teclistamab"]  # nivolumab is no engager
    assert everything[("crp", "increased")].n_cases == 1
    assert everything[("il-6", "increased")].n_cases == 2
    assert by_key(queries.markers_with_flare(index, role="checkpoint-inhibitor"))[("crp", "increased")].days == [30]


def test_one_case_with_two_engagers_counts_once_in_their_class():
    second = TARLATAMAB.__class__("obrixtamig", "engager", ["DLL3", "CD3"])
    index = build_index([case("9", [TARLATAMAB, second], [marker("il-6", "increased", 1)])])
    [row] = queries.markers_with_flare(index, target="DLL3xCD3")
    assert (row.n_cases, row.drugs, len(row.evidence)) == (1, ["obrixtamig", "tarlatamab"], 1)


def test_the_flare_drug_named_by_the_text_takes_the_signature():
    linked = case("9", [TARLATAMAB, TARLATAMAB.__class__("nivolumab", "checkpoint-inhibitor", ["PD-1"])],
                  [marker("crp", "increased", 1)])
    linked.flare.drug = "nivolumab"
    index = build_index([linked])
    assert queries.markers_with_flare(index, drug="tarlatamab") == []
    assert [r.marker for r in queries.markers_with_flare(index, drug="nivolumab")] == ["crp"]


def test_asking_for_two_subjects_at_once_is_bad_input(index):
    with pytest.raises(BadInput):
        queries.markers_with_flare(index, drug="tarlatamab", target="BCMA")


def test_onset_per_drug_gives_n_median_and_range(index):
    rows = {row.drug: row for row in queries.flare_onset(index)}
    tarla = rows["tarlatamab"]
    assert (tarla.n_cases, tarla.n_with_day, tarla.median, tarla.min, tarla.max) == (2, 2, 5.5, 4, 7)
    assert tarla.papers == ["1001", "1002"] and tarla.target_class == "DLL3xCD3"
    epco = rows["epcoritamab"]
    assert (epco.n_cases, epco.n_with_day, epco.median) == (1, 0, None)
    assert [row.drug for row in queries.flare_onset(index, drug="teclistamab")] == ["teclistamab"]
    assert queries.flare_onset(index, drug="glofitamab") == []


def test_drugs_with_flare_reports_with_their_class(index):
    rows = queries.drugs_with_flare(index)
    assert [row.drug for row in rows] == ["tarlatamab", "epcoritamab", "nivolumab", "teclistamab"]
    assert (rows[0].n_cases, rows[0].target_class, rows[0].papers) == (2, "DLL3xCD3", ["1001", "1002"])
    assert [row.drug for row in queries.drugs_with_flare(index, role="checkpoint-inhibitor")] == ["nivolumab"]


def test_marker_signatures_flatten_every_drug(index):
    rows = queries.marker_signatures(index)
    tarla = [(r.marker, r.direction, r.n_cases) for r in rows if r.drug == "tarlatamab"]
    assert tarla == [("il-6", "increased", 2), ("serum sodium", "decreased", 1), ("serum sodium", "increased", 1)]
    assert {r.target_class for r in rows if r.drug == "nivolumab"} == {"PD-1"}


def test_case_timeline_orders_events_by_day_with_undated_last(index):
    [found] = queries.cases_for_paper(index, "PMID:1001")
    timeline = queries.case_timeline(found)
    assert [(e.day, e.kind, e.what) for e in timeline.events] == [
        (0, "dose", "tarlatamab"), (3, "marker", "il-6"), (7, "flare", "tumor swelling"),
        (7, "marker", "serum sodium"), (13, "resolution", "flare resolved")]
    [undated] = queries.cases_for_paper(index, "10.1/3001")
    assert queries.case_timeline(undated).events[-1].day is None


def test_a_manifestation_stated_on_a_day_of_its_own_is_drawn_on_that_day():
    from tests.graph.conftest import TARLATAMAB, case

    found = case("9001", [TARLATAMAB], [], onset=7)
    found.flare.manifestations = ["bone pain", "tumor swelling", "pleural effusion"]
    found.flare.manifestation_days = {"bone pain": 0, "tumor swelling": 7, "pleural effusion": None}
    events = [(e.day, e.kind, e.what) for e in queries.case_timeline(found).events]
    assert events == [(0, "dose", "tarlatamab"), (0, "flare", "bone pain"),
                      (7, "flare", "tumor swelling; pleural effusion")]


def test_an_unknown_paper_is_bad_input(index):
    with pytest.raises(BadInput, match="999"):
        queries.cases_for_paper(index, "999")


@pytest.mark.parametrize("text, expected", [("bcma", "BCMA"), ("BCMA x CD3", "BCMAxCD3"), ("dll3xcd3", "DLL3xCD3"),
                                            ("CD20/CD3", "CD20xCD3"), ("PD-1", "PD-1"), ("HER3", None)])
def test_resolve_target(text, expected):
    assert queries.resolve_target(text, {"BCMA", "CD3", "DLL3", "CD20", "PD-1"}) == expected


def test_patients_and_papers_are_counted_apart_from_cases():
    """A 45-patient cohort and a paper with two cases: cases, patients and papers are three counts."""
    cohort = case("7001", [TARLATAMAB], [marker("il-6", "increased", 3)], onset=6)
    cohort.n_patients = 45
    first, second = (case(case_id, [TARLATAMAB], [marker("il-6", "increased", 2)], onset=day)
                     for case_id, day in (("7002-a", 4), ("7002-b", 8)))
    for one in (first, second):
        one.pmid, one.doi = "7002", "10.1/7002"
    index = build_index([cohort, first, second])
    (row,) = queries.markers_with_flare(index, drug="tarlatamab")
    assert (row.n_cases, row.n_patients, row.n_papers) == (3, 47, 2)
    (onset,) = queries.flare_onset(index, drug="tarlatamab")
    assert (onset.n_cases, onset.n_patients, onset.n_papers) == (3, 47, 2)
    assert onset.days == [4, 8] and onset.median == 6  # single patients' days only
    assert [(c.day, c.n_patients, c.paper) for c in onset.cohort_medians] == [(6, 45, "7001")]
    summary = queries.summary(index, drug="tarlatamab")
    assert (summary.n_cases, summary.n_patients, summary.n_papers, summary.diseases) == (
        3, 47, 2, ["small-cell lung cancer"])
