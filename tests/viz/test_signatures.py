import copy

import pytest

from extractor.graph.display import marker_display
from extractor.graph.index import build_index
from extractor.models import Flare, MarkerFinding
from extractor.viz.figures import NothingToPlot, save_figure
from extractor.viz.signatures import MAX_MARKERS, NEIGHBOURS, cell_colour, cell_text, plot_signatures, signature_table
from extractor.viz.style import DIRECTION_STYLES, MIXED_COLOUR
from tests.viz.layout import overlapping_texts, texts_outside


def test_engagers_are_grouped_by_target_class_with_neighbouring_therapies_below(cases):
    table = signature_table(build_index(cases.values()))
    groups = [(label, [row.drug for row in rows]) for label, rows in table.groups]
    # DLL3 x CD3 has two flare cases, so it leads; one-case classes follow by name; neighbours always last.
    assert groups == [("DLL3 \u00d7 CD3", ["tarlatamab"]), ("BCMA \u00d7 CD3", ["teclistamab"]),
                      ("CD20 \u00d7 CD3", ["epcoritamab"]), (NEIGHBOURS, ["pembrolizumab"])]


def test_cells_count_cases_per_direction(cases):
    table = signature_table(build_index(cases.values()))
    rows = {row.drug: row for row in table.rows}
    assert rows["tarlatamab"].n_cases == 2
    assert rows["tarlatamab"].cells["il-6"] == {"increased": 1}
    assert rows["tarlatamab"].cells["pro-grp"] == {"decreased": 1}
    assert "dexamethasone" not in rows  # given alongside teclistamab, never carries the flare
    # il-6 is reported by three drugs' flares: the most supported marker comes first.
    assert table.markers[0] == "il-6"


def test_cases_that_disagree_make_a_mixed_cell_showing_both_counts(cases):
    second = cases["ikeuchi"]  # the other tarlatamab case: sodium falls here, rises in Nakano's
    second.markers.append(type(second.markers[0])("serum sodium", "decreased", None, "Sodium fell.", 0, 6))
    table = signature_table(build_index(cases.values()))
    sodium = {row.drug: row for row in table.rows}["tarlatamab"].cells["serum sodium"]
    assert sodium == {"increased": 1, "decreased": 1}
    assert cell_colour(sodium) == MIXED_COLOUR
    assert cell_text(sodium) == "1\u2193 1\u2191"
    assert cell_colour({"increased": 2}) == DIRECTION_STYLES["increased"].colour
    assert cell_text({"increased": 2}) == "2\u2191"


def test_the_picture_shows_every_drug_marker_and_count(cases):
    figure = plot_signatures(build_index(cases.values()))
    axes = figure.axes[0]
    assert [label.get_text() for label in axes.get_xticklabels()] == [marker_display(marker) for marker in
                                                                       signature_table(build_index(cases.values())).markers]
    row_labels = [label.get_text() for label in axes.get_yticklabels() if label.get_text()]
    assert row_labels == ["tarlatamab (2 patients, 2 papers)", "teclistamab (1 patient, 1 paper)",
                          "epcoritamab (1 patient, 1 paper)", "pembrolizumab (1 patient, 1 paper)"]
    cells = [text.get_text() for text in axes.texts]
    assert cells.count("1\u2191") >= 3 and "1\u2193" in cells and "1\u2212" in cells
    assert {"DLL3 \u00d7 CD3", NEIGHBOURS} <= set(cells)  # group headers are written in the grid


def test_the_picture_is_readable(cases):
    figure = plot_signatures(build_index(cases.values()))
    assert overlapping_texts(figure) == []
    assert texts_outside(figure) == []


def test_nothing_to_plot_is_an_error_not_a_blank_image(cases):
    with pytest.raises(NothingToPlot, match="no case .* reports a flare"):
        plot_signatures(build_index([]))
    quiet = cases["epcoritamab"]
    quiet.flare = Flare(reported=False)
    with pytest.raises(NothingToPlot):
        plot_signatures(build_index([quiet]))


def test_flare_cases_without_markers_still_get_their_row(cases):
    case = cases["epcoritamab"]
    case.markers = []
    figure = plot_signatures(build_index([case]))
    assert "epcoritamab (1 patient, 1 paper)" in [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert any("no markers reported" in text.get_text() for text in figure.axes[0].texts)


def test_same_knowledge_base_gives_the_same_file_bytes(cases, tmp_path):
    for name in ("a.png", "b.png", "a.svg", "b.svg"):
        save_figure(plot_signatures(build_index(cases.values())), tmp_path / name)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_a_crowded_knowledge_base_stays_readable(cases):
    """67 markers: the picture keeps the 30 most reported; three two-digit counts still fit in one cell."""
    template = cases["nakano"]
    crowd = []
    for number in range(33):
        case = copy.deepcopy(template)
        case.id = case.pmid = str(30000000 + number)
        direction = ("increased", "decreased", "normal")[number % 3]
        case.markers = [MarkerFinding("il-6", direction, 7, "IL-6 moved.", 0, 4),
                        MarkerFinding(f"marker {number:02d}", "increased", 7, "It rose.", 0, 6),
                        MarkerFinding(f"marker {number + 33:02d}", "decreased", 9, "It fell.", 0, 6)]
        crowd.append(case)
    figure = plot_signatures(build_index(crowd))
    axes = figure.axes[0]
    assert len(axes.get_xticklabels()) == MAX_MARKERS and axes.get_xticklabels()[0].get_text() == "IL-6"
    assert "37 more are left out" in axes.get_title(loc="left")
    assert overlapping_texts(figure) == [] and texts_outside(figure) == []
    crowded_cell = next(text for text in axes.texts if text.get_text() == "11\u2193 11\u2191 11=")
    renderer = figure.canvas.get_renderer()
    width = crowded_cell.get_window_extent(renderer).width
    column = axes.transData.transform([(0, 0), (1, 0)])[:, 0]
    assert width < 0.96 * (column[1] - column[0])  # inside its coloured box
