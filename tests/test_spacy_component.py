"""The `flarekb` spaCy component: the findings of `flarekb extract`, as entities on doc.ents."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import spacy
from spacy import displacy

from extractor.cli import run
from extractor.lexicons.folding import fold
from extractor.spacy_component import LABELS


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("flarekb")
    return pipeline


def development_texts(shared_dir, seeds_dir) -> list[str]:
    """Each corpus document as the text a user would have: title, blank line, text; the seeds as they are."""
    texts = []
    for path in sorted((shared_dir / "corpus" / "docs").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts.append(f"{data['title']}\n\n{data['text']}" if data.get("title") else data["text"])
    texts += [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.iterdir())]
    return texts


def test_the_pipe_gives_flarekb_extracts_findings_over_the_development_corpus(
        nlp, shared_dir, seeds_dir, tmp_path, capsys, monkeypatch):
    texts = development_texts(shared_dir, seeds_dir)
    paths = []
    for number, text in enumerate(texts):
        paths.append(tmp_path / f"document{number:02d}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["flarekb", "extract", *map(str, paths), "--format", "json"])
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    assert stopped.value.code == 0, err
    expected = [json.loads(line) for line in out.splitlines()]
    docs = list(nlp.pipe(texts))
    assert len(docs) == len(expected) == len(texts) > 40
    for doc, extracted, path in zip(docs, expected, paths):
        found = doc._.case_findings.to_json()
        # the id: a file is named by its stem, a text by "text", unless either names a paper
        assert {**found, "id": extracted["id"]} == extracted, path.name
        markers = [(ent.kb_id_, ent._.direction, ent._.day) for ent in doc.ents if ent.label_ == "MARKER"]
        assert sorted(markers, key=str) == sorted(((m["hpo_id"] or m["marker"], m["direction"], m["day"])
                                                  for m in extracted["markers"]), key=str), path.name
        assert {ent.label_ for ent in doc.ents} <= set(LABELS)
        drugs = {ent.text.lower() for ent in doc.ents if ent.label_ == "DRUG"}
        assert bool(drugs) == bool(extracted["drugs"]), path.name


def test_entities_sit_on_the_users_text_even_when_the_reader_strips_lines(nlp):
    text = ("Early flare after tarlatamab\r\n\r\n   A 60-year-old man with SCLC received tarlatamab.   \r\n"
            "On day 3, IL-6 was elevated and CRP rose.\r\nPseudoprogression was seen on day 7.\r\n")
    doc = nlp(text)
    found = doc._.case_findings
    assert {(m.marker, m.direction, m.day) for m in found.markers} == {("il-6", "increased", 3),
                                                                       ("crp", "increased", 3)}
    assert [(ent.text, ent.label_) for ent in doc.ents if ent.label_ in ("MARKER", "DRUG")] == [
        ("tarlatamab", "DRUG"), ("tarlatamab", "DRUG"), ("IL-6", "MARKER"), ("CRP", "MARKER")]
    days = {ent.text: ent._.day for ent in doc.ents if ent.label_ == "TIME"}
    assert days == {"day 3": 3, "day 7": 7}
    assert any(ent.label_ == "FLARE" and fold(ent.text) == "pseudoprogression" for ent in doc.ents)
    assert [ent.text for ent in doc.ents if ent.label_ == "DISEASE"] == ["SCLC"]


def test_it_runs_after_another_pipelines_entities():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Amgen"}, {"label": "CHEMICAL", "pattern": "tarlatamab"}])
    nlp.add_pipe("flarekb")
    doc = nlp("A woman with SCLC received tarlatamab (Amgen). On day 2, IL-6 was elevated.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["Amgen"] == "ORG"  # kept: flarekb has nothing there
    assert labels["tarlatamab"] == "DRUG" and labels["IL-6"] == "MARKER"  # flarekb's span wins an overlap


def test_displacy_shows_the_labels_and_escapes_the_text(nlp):
    doc = nlp("On day 2 after tarlatamab, IL-6 was elevated <script>alert(1)</script>.")
    html = displacy.render(doc, style="ent")
    assert all(label in html for label in ("DRUG", "MARKER", "TIME"))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_blank_text_has_no_findings(nlp):
    doc = nlp("  \n ")
    assert doc._.case_findings is None and not doc.ents


def test_the_entry_point_registers_the_factory_after_pip_install():
    script = textwrap.dedent("""
        import spacy
        nlp = spacy.blank("en")
        nlp.add_pipe("flarekb")  # extractor not imported: spaCy finds it through the spacy_factories entry point
        doc = nlp("On day 2 after tarlatamab, IL-6 was elevated.")
        print([ent.label_ for ent in doc.ents], doc._.case_findings.engagers)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "'MARKER'" in result.stdout and "['tarlatamab']" in result.stdout
