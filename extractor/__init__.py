"""flarekb: case reports in, flare signatures out (sources -> nlp -> graph -> cli).

The Python face, the same functions the `flarekb` commands run (extractor/api.py)::

    import extractor

    findings = extractor.extract_text(open("case.txt").read(), pmid="40827251")   # one CaseFindings
    findings.engagers, findings.flare.onset_day                   # ['tarlatamab'], 7
    [(m.marker, m.direction, m.day) for m in findings.markers]    # [('il-6', 'increased', 2), ...]
    findings.to_json()                                            # the JSON line of `flarekb extract`

    for findings in extractor.extract_file("pubmed25n0001.xml"):  # a list: a PubMed file holds many records
        ...

    kb = extractor.load_kb()                      # kb/ ($FLAREKB_KB), or load_kb("path/to/kb")
    kb.markers(drug="Imdelltra")                  # rows: marker, direction, n_cases, days, drugs, evidence
    kb.markers(target="BCMA"); kb.markers(marker="IL-6")
    kb.ask("when does flare start with epcoritamab").rows
    kb.graph()                                    # networkx MultiDiGraph, Biolink categories and predicates

spaCy: `nlp.add_pipe("flarekb")` (extractor/spacy_component.py). A library call has no global side effect:
the cyclic garbage collector is paused or frozen only inside flarekb's own commands (collector.py).
Unusable input raises `extractor.errors.BadInput` with a one-line message.
"""

__version__ = "0.1.0"

from extractor.api import KnowledgeBase, extract_file, extract_text, load_kb  # noqa: E402

__all__ = ["KnowledgeBase", "__version__", "extract_file", "extract_text", "load_kb"]
