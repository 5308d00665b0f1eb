"""Incremental fetching: bring the records not yet in corpora/ over from NCBI, in batches, and say what happened.

    report = fetch_records(client, Path("corpora"), "pubmed", ["40827251", "12091962"])
    report.fetched, report.from_cache, report.missing, report.failed

A batch that fails after its retries marks its ids as failed and the next batch still runs; an id NCBI
does not return (unknown or withdrawn) is `missing`. Nothing but validated records is ever written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractor.sources import cache
from extractor.sources.eutils import MAX_BATCH, EutilsClient, EutilsError


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)  # fetched now, and cached
    from_cache: list[str] = field(default_factory=list)  # already in corpora/: no request made
    missing: list[str] = field(default_factory=list)  # NCBI returned no record: unknown or withdrawn
    failed: dict[str, str] = field(default_factory=dict)  # id -> why its request failed after retries

    @property
    def available(self) -> list[str]:
        """Ids whose record is now in corpora/."""
        return [*self.from_cache, *self.fetched]


def fetch_records(
    client: EutilsClient,
    corpora: Path,
    db: str,
    ids: Sequence[str],
    *,
    force: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> FetchReport:
    """Make sure the records `ids` of `db` ('pubmed' or 'pmc') are cached, fetching only what is not
    (everything with `force`). `ids` must be valid; `on_batch(n)` is told after each batch of n ids."""
    report = FetchReport()
    wanted = list(dict.fromkeys(ids))
    cached = set() if force else cache.cached_ids(corpora, db)
    todo = [i for i in wanted if i not in cached]
    to_fetch = set(todo)  # once: a set per id made this quadratic (100k ids: minutes before the first request)
    report.from_cache = [i for i in wanted if i not in to_fetch]
    for start in range(0, len(todo), MAX_BATCH):
        batch = todo[start : start + MAX_BATCH]
        try:
            records = client.efetch(db, batch)
        except EutilsError as error:
            report.failed.update((record_id, error.reason) for record_id in batch)
        else:
            asked = set(batch)
            cache.save_records(corpora, db, {i: data for i, data in records.items() if i in asked})
            report.fetched += [i for i in batch if i in records]
            report.missing += [i for i in batch if i not in records]
        if on_batch:
            on_batch(len(batch))
    return report
