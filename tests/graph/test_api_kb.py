"""`extractor.load_kb`: the questions of `flarekb markers` and `ask`, and the graph, from Python."""

from __future__ import annotations

import pytest

import extractor
from extractor.errors import BadInput


def test_markers_by_drug_name_target_and_marker(kb_dir):
    kb = extractor.load_kb(kb_dir)
    by_brand = kb.markers(drug="Imdelltra")
    assert [(row.marker, row.direction, row.n_cases) for row in by_brand][0] == ("il-6", "increased", 2)
    assert {row.marker for row in kb.markers(target="BCMA")} == {"crp"}
    by_marker = kb.markers(marker="Interleukin 6")
    assert [(row.drugs, row.direction, row.n_cases) for row in by_marker] == [(["tarlatamab"], "increased", 2)]
    crp = kb.markers(marker="CRP")
    assert {drug for row in crp for drug in row.drugs} == {"teclistamab", "nivolumab"}
    assert all(row.evidence for row in by_brand + by_marker + crp)


@pytest.mark.parametrize("arguments, says", [
    ({"drug": "tarlatamab", "target": "BCMA"}, "one of"),
    ({"drug": "notamab"}, "unknown drug"),
    ({"target": "XYZ"}, "unknown target"),
    ({"marker": "interleukin-6x"}, "closest known names: interleukin-6"),
])
def test_unusable_questions_are_bad_input(kb_dir, arguments, says):
    with pytest.raises(BadInput, match=says):
        extractor.load_kb(kb_dir).markers(**arguments)


def test_ask_and_graph(kb_dir, monkeypatch):
    monkeypatch.setenv("FLAREKB_KB", str(kb_dir))
    kb = extractor.load_kb()  # $FLAREKB_KB, as the commands
    answer = kb.ask("which drugs have pseudoprogression reports")
    assert answer.intent == "drugs" and answer.rows[0].drug == "tarlatamab"
    graph = kb.graph()
    assert graph.nodes["drug:tarlatamab"]["kind"] == "drug"
    assert {"case:1001", "case:5001"} <= set(graph)
