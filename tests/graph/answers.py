"""Every answer the query commands can give about a knowledge base, to compare two ways of reading it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from extractor.errors import BadInput
from extractor.graph import queries
from extractor.graph.ask import answer
from extractor.graph.index import KnowledgeIndex

ROLES = ("car-t", "checkpoint-inhibitor", "chemotherapy", "engager", "imid", "other", "steroid")


def as_json(rows) -> str:
    """What `--json` prints."""
    return json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=2)


def printed(ask: Callable[[], list]) -> str:
    """What a command prints: its rows as JSON, or its one-line refusal."""
    try:
        return as_json(ask())
    except BadInput as error:
        return f"refused: {error}"


def every_answer(index: KnowledgeIndex, asked: KnowledgeIndex) -> dict[str, str]:
    """Every question the query commands can ask, for every key the whole index `asked` knows and a few it
    does not, answered from `index`: what each command would print with --json."""
    names = sorted({*asked.drugs, "tarlatamab", "nivolumab", "cilta-cel", "mystery-mab", "glofitamab"})
    targets = sorted({target for info in asked.drugs.values() for target in (info.target_class, *info.targets)
                      if target} | {"BCMAxCD3", "CD20", "CD20xCD3"})
    papers = sorted({*asked.papers, "999", "pmc999"})
    found = {"markers": as_json(queries.markers_with_flare(index)), "onset": as_json(queries.flare_onset(index)),
             "drugs": as_json(queries.drugs_with_flare(index)), "signatures": as_json(queries.marker_signatures(index))}
    for name in names:
        found[f"markers --drug {name}"] = as_json(queries.markers_with_flare(index, drug=name))
        found[f"onset --drug {name}"] = as_json(queries.flare_onset(index, drug=name))
        found[f"ask onset {name}"] = printed(lambda: answer(index, f"when does flare start with {name}").rows)
    for target in targets:
        found[f"markers --target {target}"] = as_json(queries.markers_with_flare(index, target=target))
    for role in ROLES:
        found[f"markers --role {role}"] = as_json(queries.markers_with_flare(index, role=role))
        found[f"drugs --role {role}"] = as_json(queries.drugs_with_flare(index, role=role))
    for question in ("which markers accompany flare with BCMA engagers", "what markers are seen with car-t",
                     "which drugs have pseudoprogression reports", "when does flare start with DLL3 engagers"):
        found[f"ask {question}"] = printed(lambda: answer(index, question).rows)
    for marker in sorted({*asked.marker_drugs, "il-6", "no-such-marker"}):
        found[f"markers --marker {marker}"] = as_json(queries.marker_by_drug(index, marker))
        found[f"ask marker {marker}"] = printed(lambda: answer(index, f"what happens to {marker} during flare").rows)
    for name in names:
        found[f"summary {name}"] = json.dumps(asdict(queries.summary(index, drug=name)))
    for paper in papers:
        found[f"show {paper}"] = printed(lambda: [queries.case_timeline(case)
                                                  for case in queries.cases_for_paper(index, paper)])
    return found
