"""Download NCBI's PubMed bulk files: the baseline or the update files, each checked against its .md5.

    fetch_bulk("baseline", to=Path("baseline/"))   -> FetchSummary

The file list is read from the directory page (`<base>baseline/`, `<base>updatefiles/`; base: $FLAREKB_BULK_URL,
default NCBI's HTTPS server). A file already in `to` whose MD5 matches its .md5 is not downloaded again; a
download goes to `.<name>.part` and is resumed from its length (an HTTP Range request) when a run is
interrupted; only a file whose MD5 matches is renamed into place. Names come from the listing only when they
have the form of NCBI's (pubmed25n0001.xml.gz), so nothing from the server becomes any other path.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from extractor import __version__

DEFAULT_BULK_URL = "https://ftp.ncbi.nlm.nih.gov/pubmed/"
DIRECTORIES = {"baseline": "baseline/", "updates": "updatefiles/"}
_FILE_NAME = re.compile(r'href="(pubmed\d{2}n\d{4}\.xml\.gz)"')
_MD5 = re.compile(r"\b([0-9a-fA-F]{32})\b")
_TIMEOUT = (10, 60)
_CHUNK = 1 << 20


@dataclass
class FetchSummary:
    downloaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already there, MD5 checked
    failed: dict[str, str] = field(default_factory=dict)  # name -> why


def bulk_url() -> str:
    url = os.environ.get("FLAREKB_BULK_URL", DEFAULT_BULK_URL)
    return url if url.endswith("/") else url + "/"


def fetch_bulk(kind: str, to: Path, on_file: Callable[[str], None] = lambda name: None) -> FetchSummary:
    """Every file of `kind` ('baseline' or 'updates') into `to`, verified; failures are per file."""
    base = bulk_url() + DIRECTORIES[kind]
    session = requests.Session()
    session.headers["User-Agent"] = f"flarekb/{__version__}"
    listing = session.get(base, timeout=_TIMEOUT)
    listing.raise_for_status()
    names = sorted(set(_FILE_NAME.findall(listing.text)))
    to.mkdir(parents=True, exist_ok=True)
    summary = FetchSummary()
    for name in names:
        on_file(name)
        try:
            expected = _expected_md5(session, base + name + ".md5")
            target = to / name
            if target.is_file() and file_md5(target) == expected:
                summary.present.append(name)
                continue
            _download(session, base + name, to / f".{name}.part", expected)
            (to / f".{name}.part").replace(target)
            summary.downloaded.append(name)
        except (requests.RequestException, ValueError) as error:
            summary.failed[name] = str(error)
    return summary


def _expected_md5(session: requests.Session, url: str) -> str:
    """NCBI's .md5 files read 'MD5(pubmed25n0001.xml.gz)= <32 hex digits>'."""
    answer = session.get(url, timeout=_TIMEOUT)
    answer.raise_for_status()
    match = _MD5.search(answer.text)
    if match is None:
        raise ValueError(f"{url}: no MD5 in it")
    return match.group(1).lower()


def _download(session: requests.Session, url: str, part: Path, expected: str) -> None:
    """Into `part`, going on from its length; a complete download whose MD5 differs is discarded."""
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(url, headers=headers, stream=True, timeout=_TIMEOUT) as answer:
        if answer.status_code == 416:  # asked past the end: the part is complete (or wrong: the MD5 says)
            pass
        else:
            answer.raise_for_status()
            resumed = answer.status_code == 206
            with part.open("ab" if resumed else "wb") as out:
                for chunk in answer.iter_content(_CHUNK):
                    out.write(chunk)
    if file_md5(part) != expected:
        part.unlink()
        raise ValueError(f"{url}: MD5 mismatch (download discarded; the next run fetches it again)")


def file_md5(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()
