"""Issue 15, as a new user meets it: the real `flarekb` command (a subprocess) on a knowledge base that
`flarekb build` made from the development corpus (../shared/corpus/docs) and the two seeds.

One knowledge base is built per module; tests that need a cohort give PMID 21523725 (a 45-patient lenalidomide
trial) its `n_patients` through the real store, as the extraction records it, in a copy of their own."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest

from extractor.graph import store
from extractor.graph.index import build_index, flare_drugs
from extractor.viz.signatures import BAND_HEIGHT, plot_signatures
from extractor.viz.timeline import plot_timeline
from tests.corpus_kb import REPO, build_corpus_kb, flarekb
from tests.viz.layout import texts_outside

SHARED = REPO.parent / "shared"
TARLATAMAB_QUESTION = "which markers accompany flare with tarlatamab"
COHORT_PMID = "21523725"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the development corpus lives beside the checkout in CI")
    return build_corpus_kb(SHARED, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def kb(corpus) -> Path:
    return corpus[1]


@pytest.fixture(scope="module")
def cohort_kb(kb: Path, tmp_path_factory) -> Path:
    """The corpus kb with the lenalidomide trial recorded as the cohort it is (45 patients)."""
    copy = tmp_path_factory.mktemp("cohort") / "kb"
    findings = store.load_findings(kb)
    for case in findings:
        if case.id == COHORT_PMID:
            case.n_patients = 45
    store.save(copy, findings)
    return copy


def run(*args: str, kb: Path, cwd: Path = REPO, check: bool = True) -> subprocess.CompletedProcess:
    return flarekb(*args, "--kb", str(kb), cwd=cwd, check=check,
                   env={**os.environ, "COLUMNS": "200"})


def as_json(*args: str, kb: Path) -> list[dict]:
    return json.loads(run(*args, "--json", kb=kb).stdout)


def stored_findings(kb: Path) -> list[dict]:
    lines = store.findings_path(kb).read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line) for line in lines]


# -- 1. every drug with a case is askable by INN, brand or code name ---------------------------------------


@pytest.mark.parametrize("name, canonical", [("pembrolizumab", "pembrolizumab"), ("Keytruda", "pembrolizumab"),
                                             ("nivolumab", "nivolumab"), ("Opdivo", "nivolumab"),
                                             ("ONO-4538", "nivolumab"), ("lenalidomide", "lenalidomide")])
def test_every_drug_role_is_askable_by_inn_brand_and_code(kb, name, canonical):
    asked = as_json("ask", f"which markers accompany flare with {name}", kb=kb)
    assert asked == as_json("markers", "--drug", canonical, kb=kb)
    printed = run("ask", f"which markers accompany flare with {name}", kb=kb)
    assert "unknown drug" not in printed.stderr
    assert f"with {canonical}" in printed.stdout
    onset = as_json("ask", f"when does flare start with {name}", kb=kb)
    assert [row["drug"] for row in onset] == [canonical]


# -- 2. every constraint is honoured or named ---------------------------------------------------------------


def test_a_target_in_a_drugs_question_is_honoured(kb):
    rows = as_json("ask", "is pseudoprogression seen with BCMA bispecifics?", kb=kb)
    assert all("BCMA" in row["targets"] for row in rows)
    assert "tarlatamab" not in [row["drug"] for row in rows]
    printed = run("ask", "is pseudoprogression seen with BCMA bispecifics?", kb=kb)
    assert "BCMA" in printed.stdout and "tarlatamab" not in printed.stdout
    dll3 = as_json("ask", "is pseudoprogression seen with DLL3 bispecifics?", kb=kb)
    assert [row["drug"] for row in dll3] == ["tarlatamab"]


def test_a_constraint_no_answer_can_apply_is_named(kb):
    printed = run("ask", f"{TARLATAMAB_QUESTION} in small-cell lung cancer", "--json", kb=kb)
    notes = [line for line in printed.stderr.splitlines() if line.startswith("flarekb: note: ")]
    assert notes == ["flarekb: note: not applied: the disease small-cell lung cancer (answers count every disease; "
                     "the first line names those of the cases)"]
    assert json.loads(printed.stdout) == as_json("ask", TARLATAMAB_QUESTION, kb=kb)
    clash = run("ask", "which markers accompany flare with tarlatamab among BCMA engagers", kb=kb)
    assert "not applied: the target BCMA (tarlatamab is not a BCMA engager)" in clash.stderr


# -- 3. questions by marker ----------------------------------------------------------------------------------


def test_a_question_by_marker_is_answered_per_drug_with_evidence(kb):
    for question in ("show me IL-6 changes", "which drugs show IL-6 increase with flare"):
        rows = as_json("ask", question, kb=kb)
        assert rows and {row["marker"] for row in rows} == {"il-6"}
        assert {(row["drugs"][0], row["target_class"], row["direction"]) for row in rows} == {
            ("tarlatamab", "DLL3xCD3", "increased")}
        assert all(item["sentence"] and (item["pmid"] or item["pmcid"]) for row in rows for item in row["evidence"])
    assert as_json("markers", "--marker", "IL-6", kb=kb) == as_json("ask", "show me IL-6 changes", kb=kb)
    assert as_json("markers", "--marker", "interleukin 6", "--direction", "decreased", kb=kb) == []
    sodium = as_json("markers", "--marker", "sodium", kb=kb)
    assert [(row["drugs"], row["direction"], row["days"]) for row in sodium] == [(["tarlatamab"], "increased", [7])]


def test_a_marker_question_with_no_reports_says_so_and_an_unknown_marker_is_refused(kb):
    ldh = run("ask", "what happens to LDH during flare", kb=kb)
    assert ldh.returncode == 0 and "LDH in flare cases with any drug" in ldh.stdout
    unknown = run("markers", "--marker", "IL-66x", kb=kb, check=False)
    assert unknown.returncode == 2 and unknown.stderr.startswith("flarekb: error: unknown marker 'IL-66x'")


# -- 4. patients and papers counted apart; a cohort's median onset labelled ----------------------------------


def test_a_cohort_counts_its_patients_and_its_median_onset_is_not_a_patient_day(cohort_kb):
    (onset,) = as_json("onset", "--drug", "lenalidomide", kb=cohort_kb)
    assert (onset["n_patients"], onset["n_papers"], onset["n_cases"]) == (45, 1, 1)
    assert onset["median"] is None and onset["days"] == []  # no single patient's day
    assert onset["cohort_medians"] == [{"day": 6, "n_patients": 45, "paper": COHORT_PMID}]
    table = run("onset", "--drug", "lenalidomide", kb=cohort_kb).stdout
    assert table.splitlines()[0].startswith("45 patients in 1 paper, lenalidomide")
    assert "day 6 (median of 45 patients, PMID 21523725)" in " ".join(table.split())
    drugs = {row["drug"]: row for row in as_json("drugs", kb=cohort_kb)}
    assert (drugs["lenalidomide"]["n_patients"], drugs["lenalidomide"]["n_papers"]) == (45, 1)
    nivolumab = [case for case in store.load_findings(cohort_kb)
                 if case.flare.reported and "nivolumab" in flare_drugs(case)]
    assert (drugs["nivolumab"]["n_patients"], drugs["nivolumab"]["n_papers"]) == (
        sum(case.n_patients for case in nivolumab), len(nivolumab))
    shown = run("show", COHORT_PMID, kb=cohort_kb).stdout
    assert "patients: 45 (a cohort" in shown


def test_report_and_signature_edges_count_patients_and_papers(cohort_kb, tmp_path):
    run("report", "-o", str(tmp_path / "report.html"), kb=cohort_kb)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "lenalidomide <span class=\"muted\">(45 patients, 1 paper)</span>" in html
    assert "cohort median day 6 (45 patients)" in html
    run("export", "--format", "json", "-o", str(tmp_path / "kb.json"), kb=cohort_kb)
    graph = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    il6 = [edge for edge in graph["edges"] if edge["relation"] == "SIGNATURE"
           and (edge["source"], edge["target"]) == ("drug:tarlatamab", "marker:il-6")]
    assert [(edge["n_cases"], edge["n_patients"], edge["n_papers"]) for edge in il6] == [(1, 1, 1)]


# -- 5. the first line says what the answer rests on; markers as clinicians write them -----------------------


def test_the_first_line_says_what_the_answer_summarises(kb):
    lines = run("ask", TARLATAMAB_QUESTION, kb=kb).stdout.splitlines()
    assert lines[0] == "2 patients in 2 papers, tarlatamab, small-cell lung cancer"
    marker = run("ask", "show me IL-6 changes", kb=kb).stdout.splitlines()[0]
    assert marker == "1 patient in 1 paper, IL-6 with flare, small-cell lung cancer"


def test_markers_are_shown_as_clinicians_write_them_and_stored_lowercase(kb, tmp_path):
    table = run("ask", TARLATAMAB_QUESTION, kb=kb).stdout
    assert "IL-6" in table and "pro-GRP" in table and "il-6" not in table.replace("interleukin-6", "")
    rows = as_json("ask", TARLATAMAB_QUESTION, kb=kb)
    assert {(row["marker"], row["display"]) for row in rows} >= {("il-6", "IL-6"), ("pro-grp", "pro-GRP")}
    run("report", "-o", str(tmp_path / "report.html"), kb=kb)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<th class="marker">pro-GRP</th>' in html and '<th class="marker">IL-6</th>' in html


# -- 7. exports keep the evidence, also of a case known only by PMCID ----------------------------------------


def test_edges_of_a_pmcid_only_case_keep_their_publications(kb, tmp_path):
    run("export", "--format", "graphml", "-o", str(tmp_path / "kb.graphml"), kb=kb)
    graph = nx.read_graphml(tmp_path / "kb.graphml", force_multigraph=True)
    for marker in ("marker:il-6", "marker:lymphocyte count"):
        signature = [data for source, target, data in graph.edges(data=True)
                     if (source, target) == ("drug:tarlatamab", marker) and data["relation"] == "SIGNATURE"]
        assert [json.loads(data["publications"]) for data in signature] == [["PMC:12983044"]]
        case_edges = [data for source, target, data in graph.edges(data=True)
                      if (source, target) == ("case:PMC12983044", marker)]
        assert case_edges and all(json.loads(data["publications"]) == ["PMC:12983044", "doi:10.7759/cureus.103393"]
                                  for data in case_edges)
        assert all(data["pmcid"] == "PMC12983044" for data in case_edges)


def test_every_evidence_sentence_comes_back_from_every_export(kb, tmp_path):
    wanted = {(case["id"], sentence) for case in stored_findings(kb)
              for sentence in [*(marker["evidence"] for marker in case["markers"]), *case["flare"]["evidence"]]}
    assert any(";" in sentence for _, sentence in wanted)  # the reason lists are JSON-encoded
    for export_format in ("graphml", "json", "csv"):
        run("export", "--format", export_format, "-o", str(tmp_path / f"kb.{export_format}"), kb=kb)
    text = (tmp_path / "kb.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"publications", "pmcid"} <= set(rows[0])
    graphml = nx.read_graphml(tmp_path / "kb.graphml", force_multigraph=True)
    node_link = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    recovered = {
        "graphml": [(u, data) for u, _, data in graphml.edges(data=True)],
        "json": [(edge["source"], edge) for edge in node_link["edges"]],
        "csv": [(row["source"], row) for row in rows],
    }
    for export_format, edges in recovered.items():
        found = set()
        for source, data in edges:
            evidence = data.get("evidence")
            if not evidence or not source.startswith("case:"):
                continue
            if data["relation"] == "HAD" and isinstance(evidence, str):
                evidence = json.loads(evidence)  # a list, JSON-encoded where the format holds scalars only
            for sentence in [evidence] if isinstance(evidence, str) else evidence:
                found.add((source.removeprefix("case:"), sentence))
        assert found == wanted, export_format


# -- 8. a command run where there is no kb/ says where it looked ----------------------------------------------


def test_a_command_run_elsewhere_says_where_it_looked_and_creates_nothing(tmp_path):
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    env = {name: value for name, value in os.environ.items() if name != "FLAREKB_KB"}
    commands = (["ask", TARLATAMAB_QUESTION], ["markers", "--json"], ["onset"], ["drugs"], ["show", "40827251"],
                ["remove", "40827251"], ["restore", "40827251"], ["export", "--format", "csv", "-o", "x.csv"],
                ["plot", "signatures", "-o", "x.png"], ["report", "-o", "x.html"])
    for command in commands:
        result = flarekb(*command, cwd=elsewhere, check=False, env=env)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert f"no knowledge base at {elsewhere / 'kb'}/" in line and "--kb" in line and "FLAREKB_KB" in line
    assert list(elsewhere.iterdir()) == []


# -- 9. remove is remembered -------------------------------------------------------------------------------


def test_a_removed_paper_stays_out_of_the_next_build_until_restored(corpus, tmp_path):
    corpora, built = corpus
    kb = tmp_path / "kb"
    shutil.copytree(built, kb)
    run("remove", "40827251", kb=kb)
    rebuilt = flarekb("build", "--corpora", str(corpora), "--kb", str(kb))
    assert "1 paper(s) taken out by `flarekb remove` stay out" in rebuilt.stderr
    assert "40827251" not in {case["id"] for case in stored_findings(kb)}
    assert [row["drug"] for row in as_json("onset", "--drug", "tarlatamab", kb=kb)] == ["tarlatamab"]
    assert as_json("onset", "--drug", "tarlatamab", kb=kb)[0]["n_cases"] == 1
    assert run("restore", "40827251", kb=kb).returncode == 0
    flarekb("build", "--corpora", str(corpora), "--kb", str(kb))
    assert store.findings_path(kb).read_bytes() == store.findings_path(built).read_bytes()  # as before the removal
    again = run("restore", "40827251", kb=kb, check=False)
    assert again.returncode == 2 and "not removed from the knowledge base: 40827251" in again.stderr


# -- 10. Ctrl-C --------------------------------------------------------------------------------------------------


def test_ctrl_c_during_a_build_says_kb_unchanged(corpus, tmp_path):
    corpora, built = corpus
    kb = tmp_path / "kb"
    shutil.copytree(built, kb)
    before = store.findings_path(kb).read_bytes()
    process = subprocess.Popen([sys.executable, "-m", "extractor", "build", "--corpora", str(corpora), "--kb",
                                str(kb)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_reading(process, kb)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == "flarekb: interrupted; kb/ unchanged"
    assert store.findings_path(kb).read_bytes() == before


def _wait_until_reading(process: subprocess.Popen, kb: Path) -> None:
    """Until the build holds the kb lock (the lock file names its pid): Ctrl-C then lands in the build."""
    lock = kb / store.LOCK_FILE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(process.pid):
            return
        time.sleep(0.02)
    raise AssertionError("the build never took the kb lock")


# -- 12. help --------------------------------------------------------------------------------------------------


def test_help_lists_commands_in_the_order_a_user_needs_them_without_bool(tmp_path):
    text = flarekb("--help", env={**os.environ, "COLUMNS": "120"}).stdout
    order = [line.split()[1] for line in text.splitlines() if line.startswith("│ ") and len(line.split()) > 2
             and line.split()[1].isalpha() and line.split()[1].islower()]
    assert order[:4] == ["refresh", "build", "ask", "markers"] and order.index("export") < order.index("report")
    assert "<bool>" not in text
    assert "<bool>" not in flarekb("markers", "--help", env={**os.environ, "COLUMNS": "120"}).stdout
    wrong = flarekb("export", "--format", "xml", "-o", str(tmp_path / "x"), check=False)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("flarekb: error: --format must be one of graphml, json, csv")


# -- 13. pictures and report -----------------------------------------------------------------------------------


def test_report_scope_counts_currency_and_no_machine_path(corpus, tmp_path):
    corpora, kb = corpus
    run("report", "-o", str(tmp_path / "report.html"), "--corpora", str(corpora), kb=kb)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Tumour flare and pseudoprogression with immunotherapy" in html  # not only engagers in this kb
    findings = stored_findings(kb)
    flares = [case for case in findings if case["flare"]["reported"]]
    patients = sum(case["n_patients"] for case in findings)
    flare_patients = sum(case["n_patients"] for case in flares)
    assert f"{len(findings)} papers ({patients} patients) in the knowledge base; {len(flares)} papers " \
           f"({flare_patients} patients) report a flare" in html
    assert html.count('<article class="case"') == len(findings)
    assert "built from local files" in html
    assert str(tmp_path) not in html and str(kb) not in html and str(REPO) not in html
    (corpora / "_fetch_log.tsv").write_text("pubmed\t40827251\t2026-11-30T08:00:00Z\n", encoding="utf-8")
    try:
        run("report", "-o", str(tmp_path / "fetched.html"), "--corpora", str(corpora), kb=kb)
    finally:
        (corpora / "_fetch_log.tsv").unlink()
    assert "the latest fetch from PubMed/PMC, 2026-11-30 08:00 UTC" in (tmp_path / "fetched.html").read_text()


def test_timelines_of_undated_and_approximate_cases(kb, tmp_path):
    for paper in ("PMC12983044", "39845944"):
        run("plot", "timeline", paper, "-o", str(tmp_path / f"{paper}.png"), kb=kb)
        assert (tmp_path / f"{paper}.png").read_bytes().startswith(b"\x89PNG")
    index = build_index(store.load_findings(kb))
    undated = plot_timeline(index.cases["PMC12983044"])  # the Ikeuchi seed states no day
    assert len(undated.axes) == 1 and undated.axes[0].get_xlabel() == ""
    cart = index.cases["39845944"]  # "1 month" after CAR-T
    approximate = plot_timeline(cart)
    assert f"flare \u2248 day {cart.flare.onset_day}" in [text.get_text() for text in approximate.axes[0].texts]
    assert "~30" in run("show", "39845944", kb=kb).stdout


def test_the_heatmap_keeps_its_legend_and_thin_class_bands(kb):
    figure = plot_signatures(build_index(store.load_findings(kb)))
    assert texts_outside(figure) == []
    bands = [patch.get_height() for patch in figure.axes[0].patches if patch.get_facecolor()[:3] != (1, 1, 1)
             and patch.get_height() == BAND_HEIGHT]
    assert bands and BAND_HEIGHT < 0.92  # a data cell is 0.92 of a row high
    one_marker = [case for case in store.load_findings(kb) if case.id == "39845944"]
    assert texts_outside(plot_signatures(build_index(one_marker))) == []
