from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from extractor.viz.timeline import plot_timeline
from tests.viz.layout import overlapping_texts, texts_outside


def lanes(axes) -> dict[str, int]:
    return {label.get_text(): index for index, label in enumerate(axes.get_yticklabels())}


def arrows(axes) -> list[tuple[float, float, str]]:
    """(day, lane, 'up' | 'down') of every marker arrow, as the reader sees it on screen."""
    found = []
    for text in axes.texts:
        if isinstance(text, Annotation) and text.arrow_patch is not None:
            (x, tip), (_, base) = text.xy, text.xyann
            tip_px, base_px = axes.transData.transform([(x, tip), (x, base)])[:, 1]
            found.append((x, round(base), "up" if tip_px > base_px else "down"))
    return found


def spans(axes) -> list[Rectangle]:
    return [patch for patch in axes.patches if isinstance(patch, Rectangle)]


def test_title_names_the_drug_and_the_paper(cases):
    figure = plot_timeline(cases["nakano"])
    assert "tarlatamab" in figure.get_suptitle() and "PMID 40827251" in figure.get_suptitle()


def test_each_marker_gets_a_lane_with_its_arrow_at_its_day(cases):
    axes = plot_timeline(cases["nakano"]).axes[0]
    lane = lanes(axes)
    assert {"tarlatamab dose", "imaging", "serum sodium", "pro-GRP", "pleural fluid cytology"} <= set(lane)
    assert (7, lane["serum sodium"], "up") in arrows(axes)
    assert (13, lane["pro-GRP"], "down") in arrows(axes)
    assert axes.get_xlabel() == "days after the first dose of tarlatamab"


def test_flare_window_is_shaded_from_onset_to_regression(cases):
    axes = plot_timeline(cases["nakano"]).axes[0]
    (window,) = spans(axes)
    assert (window.get_x(), window.get_x() + window.get_width()) == (7, 13)
    imaging = [text.get_text() for text in axes.texts if text.get_text()]
    assert "flare" in imaging and "regression" in imaging


def test_open_ended_flare_window_runs_to_the_edge_and_says_so(cases):
    case = cases["nakano"]
    case.resolution_day = None
    figure = plot_timeline(case)
    axes = figure.axes[0]
    (window,) = spans(axes)
    assert window.get_x() == 7 and window.get_x() + window.get_width() == axes.get_xlim()[1]
    assert window.get_hatch()
    assert any("end not stated" in text.get_text() for text in figure.legends[0].get_texts())


def test_a_regression_dated_before_the_onset_leaves_the_window_open(cases):
    case = cases["nakano"]
    case.resolution_day = 3  # inconsistent text or extraction: never draw a window that ends before it starts
    figure = plot_timeline(case)
    (window,) = spans(figure.axes[0])
    assert window.get_x() == 7 and window.get_width() > 0
    assert any("from day 7, end not stated" in text.get_text() for text in figure.legends[0].get_texts())


def test_findings_without_a_day_go_to_a_labelled_lane_not_away(cases):
    case = cases["ikeuchi"]
    case.resolution_day = 20  # one stated day: the time axis has something to show
    figure = plot_timeline(case)
    axes, side = figure.axes
    assert side.get_title() == "day not stated"
    lane = lanes(axes)
    assert {"IL-6", "lymphocyte count"} <= set(lane)
    assert sorted((round(l), d) for _, l, d in arrows(side)) == sorted(
        [(lane["IL-6"], "up"), (lane["lymphocyte count"], "down")])
    assert arrows(axes) == []  # nothing of this case is drawn at a made-up day
    assert spans(axes) == []  # a flare without an onset day has no window to shade
    assert "flare" in [text.get_text() for text in side.texts]


def test_a_case_that_states_no_day_gets_no_empty_time_axis(cases):
    figure = plot_timeline(cases["ikeuchi"])
    (panel,) = figure.axes
    assert panel.get_xlabel() == "" and panel.get_xticks().size == 0  # no axis of days with nothing on it
    assert {"tarlatamab dose", "imaging", "IL-6", "lymphocyte count"} <= set(lanes(panel))
    assert sorted(d for _, _, d in arrows(panel)) == ["down", "up"]  # every finding is still drawn
    assert "flare" in [text.get_text() for text in panel.texts]
    assert overlapping_texts(figure) == [] and texts_outside(figure) == []


def test_a_day_counted_from_weeks_is_drawn_as_approximate(cases):
    figure = plot_timeline(cases["pembrolizumab"])  # "At week 6 ...", "ctDNA fell at week 6."
    axes = figure.axes[0]
    assert "flare \u2248 day 42" in [text.get_text() for text in axes.texts]
    hollow = [line for line in axes.lines if line.get_markerfacecolor() == "white"]
    assert {tuple(line.get_xdata()) for line in hollow} == {(42,)}  # the flare and the ctDNA point
    assert len(hollow) == 2
    assert any("weeks or months" in text.get_text() for text in figure.legends[0].get_texts())
    dated = plot_timeline(cases["nakano"])  # "Day 7 imaging ...": exact
    assert not [line for line in dated.axes[0].lines if line.get_markerfacecolor() == "white"]


def test_a_fully_dated_case_has_no_undated_panel(cases):
    assert len(plot_timeline(cases["epcoritamab"]).axes) == 1


def test_a_case_with_no_markers_still_draws_dose_and_imaging(cases):
    case = cases["epcoritamab"]
    case.markers = []
    axes = plot_timeline(case).axes[0]
    assert list(lanes(axes)) == ["epcoritamab dose", "imaging"]


def test_neighbouring_therapy_is_anchored_on_its_own_first_dose(cases):
    figure = plot_timeline(cases["pembrolizumab"])
    assert figure.axes[0].get_xlabel() == "days after the first dose of pembrolizumab"
    assert "pembrolizumab" in figure.get_suptitle()


def test_nothing_overlaps_and_nothing_is_cut_off(cases):
    crowded = cases["nakano"]
    crowded.flare.onset_day = crowded.resolution_day = 7  # flare and regression labels at the same day
    crowded.flare.manifestations = ["tumor swelling", "pleural effusion", "bone pain", "new lung infiltrates"]
    for case in [*cases.values(), crowded]:
        figure = plot_timeline(case)
        assert overlapping_texts(figure) == [], case.id
        assert texts_outside(figure) == [], case.id
