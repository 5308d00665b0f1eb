"""A corpora/ directory assembled from the development corpus (../shared/corpus/docs/*.json) and the two
seeds, for tests that run the real `flarekb build` over real published texts.

Each corpus document becomes a plain-text file the text parser reads as it would a saved page: the title on
the first line, a DOI line, then the text; its PMID / PMCID go into the file name (`pubmed_<PMID>_pmc<N>.txt`),
which is where the parser looks for them when the text does not state them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def corpus_file_name(document: dict) -> str:
    parts = []
    if document.get("pmid"):
        parts.append(f"pubmed_{document['pmid']}")
    if document.get("pmcid"):
        parts.append(document["pmcid"].lower())
    if not parts:
        parts.append(document["id"])
    return "_".join(parts) + ".txt"


def write_corpora(shared_dir: Path, corpora: Path, ids: set[str] | None = None, seeds: bool = True) -> Path:
    """corpora/ with the corpus documents (all, or those whose id is in `ids`) and the repository's seeds."""
    target = corpora / "corpus"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((shared_dir / "corpus" / "docs").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if ids is not None and document["id"] not in ids:
            continue
        doi = f"DOI: {document['doi']}\n\n" if document.get("doi") else ""
        text = f"{document['title']}\n\n{doi}{document['text']}\n"
        (target / corpus_file_name(document)).write_text(text, encoding="utf-8")
    if seeds:
        shutil.copytree(REPO / "corpora" / "seeds", corpora / "seeds", dirs_exist_ok=True)
    return corpora


def flarekb(*args: str, cwd: Path = REPO, check: bool = True, env: dict | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
    """The real command in a subprocess."""
    result = subprocess.run([sys.executable, "-m", "extractor", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=600, env=env, input=input)
    if check and result.returncode != 0:
        raise AssertionError(f"flarekb {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def build_corpus_kb(shared_dir: Path, work: Path) -> tuple[Path, Path]:
    """`flarekb build` over the whole development corpus and the seeds: (corpora, kb)."""
    corpora = write_corpora(shared_dir, work / "corpora")
    kb = work / "kb"
    flarekb("build", "--corpora", str(corpora), "--kb", str(kb))
    return corpora, kb
