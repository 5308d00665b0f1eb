"""The whole flow in one place: corpora/ files -> Documents -> CaseFindings -> kb/.

The CLI commands `build` and `refresh` call these; nothing below the CLI imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import BadInput
from extractor.graph import store
from extractor.models import CaseFindings, Document
from extractor.nlp import extract_many
from extractor.sources import read_documents

# When one paper is in corpora/ more than once (PubMed record and PMC full text), the richer source wins.
SOURCE_PREFERENCE = {"pmc-jats": 0, "pubmed-xml": 1, "html": 2, "text": 3}


@dataclass
class CorpusReading:
    documents: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per unreadable file
    files: int = 0
    skipped_links: list[Path] = field(default_factory=list)  # symbolic links not read (no --follow-links)


def corpus_files(corpora_dir: Path, skipped_links: list[Path] | None = None) -> Iterator[Path]:
    """Every document file below corpora/, in a stable order; `_name` and `.name` entries are metadata.

    A symbolic link is not followed but put in `skipped_links` when that list is given (a link can point
    anywhere on the machine: reading through it is the user's choice, --follow-links)."""
    for path in sorted(Path(corpora_dir).rglob("*")):
        relative = path.relative_to(corpora_dir)
        if any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        if skipped_links is not None and path.is_symlink():
            skipped_links.append(path)
        elif path.is_file():
            yield path


def read_corpus(
    corpora_dir: Path, on_file: Callable[[Path], None] | None = None, follow_links: bool = False
) -> CorpusReading:
    if not Path(corpora_dir).is_dir():
        raise BadInput(f"{corpora_dir}: no such corpora directory")
    reading = CorpusReading()
    for path in corpus_files(corpora_dir, None if follow_links else reading.skipped_links):
        reading.files += 1
        if on_file:
            on_file(path)
        try:
            reading.documents.extend(read_documents(path))
        except BadInput as error:
            reading.errors.append(str(error))
    reading.documents = prefer_richest(reading.documents)
    return reading


def prefer_richest(documents: list[Document]) -> list[Document]:
    """One document per id: PMC full text over the PubMed record over a saved page or text."""
    best: dict[str, Document] = {}
    for document in documents:
        current = best.get(document.id)
        if current is None or SOURCE_PREFERENCE.get(document.source, 9) < SOURCE_PREFERENCE.get(current.source, 9):
            best[document.id] = document
    return [best[document_id] for document_id in sorted(best)]


def build(
    corpora_dir: Path, kb_dir: Path, on_file: Callable[[Path], None] | None = None, follow_links: bool = False
) -> tuple[list[CaseFindings], list[Path]]:
    """Rebuild kb/ from corpora/ with no network. An unreadable file stops the build before kb/ is touched,
    so a rebuild can never silently drop a paper the knowledge base had. The kb lock is held from the
    reading of corpora/ on: a refresh that lands papers meanwhile merges after this write, not under it."""
    with store.kb_lock(kb_dir):
        reading = read_corpus(corpora_dir, on_file, follow_links)
        if reading.errors:
            raise BadInput(f"{len(reading.errors)} unreadable file(s) in {corpora_dir}, kb/ left unchanged: "
                           + "; ".join(reading.errors))
        manifest = store.load(kb_dir).manifest  # keep the recorded queries and what `remove` took out
        removed = set(manifest.removed)
        findings = list(extract_many(document for document in reading.documents if document.id not in removed))
        store.save(kb_dir, findings, manifest)
    return findings, reading.skipped_links
