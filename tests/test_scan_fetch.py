"""`flarekb scan --fetch baseline --to DIR` against a local HTTP server standing in for NCBI's: the listing's
files downloaded and MD5-checked, a partial download resumed with a Range request, a bad MD5 refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.conftest import REPO

FILES = {"pubmed25n0001.xml.gz": os.urandom(300_000), "pubmed25n0002.xml.gz": os.urandom(200_000)}


def listing() -> str:
    links = "".join(f'<a href="{name}">{name}</a> <a href="{name}.md5">{name}.md5</a>\n' for name in FILES)
    return f'<html><body><a href="../">../</a>\n<a href="../../etc/passwd">x</a>\n{links}</body></html>'


def serve_file(data: bytes, ranges: list[str]):
    def handler(request: Request) -> Response:
        wanted = request.headers.get("Range")
        ranges.append(wanted or "")
        if wanted:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            return Response(data[start:], status=206, headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
        return Response(data)
    return handler


@pytest.fixture
def ncbi_ftp(httpserver):
    ranges: dict[str, list[str]] = {name: [] for name in FILES}
    httpserver.expect_request("/pubmed/baseline/").respond_with_data(listing(), content_type="text/html")
    for name, data in FILES.items():
        httpserver.expect_request(f"/pubmed/baseline/{name}").respond_with_handler(serve_file(data, ranges[name]))
        md5 = hashlib.md5(data).hexdigest()
        httpserver.expect_request(f"/pubmed/baseline/{name}.md5").respond_with_data(f"MD5({name})= {md5}\n")
    return httpserver.url_for("/pubmed/"), ranges


def fetch(url: str, to: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", "scan", "--fetch", "baseline", "--to", str(to)],
                          cwd=REPO, env={**os.environ, "FLAREKB_BULK_URL": url}, capture_output=True, text=True,
                          timeout=120)


def test_files_are_downloaded_verified_and_not_fetched_twice(ncbi_ftp, tmp_path):
    url, ranges = ncbi_ftp
    done = fetch(url, tmp_path / "baseline")
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in (tmp_path / "baseline").iterdir()) == sorted(FILES)
    assert all((tmp_path / "baseline" / name).read_bytes() == data for name, data in FILES.items())
    again = fetch(url, tmp_path / "baseline")
    assert "0 downloaded, 2 already there" in again.stdout
    assert [len(requests) for requests in ranges.values()] == [1, 1]  # the second run fetched no file


def test_a_partial_download_is_resumed_from_its_length(ncbi_ftp, tmp_path):
    url, ranges = ncbi_ftp
    name, data = "pubmed25n0001.xml.gz", FILES["pubmed25n0001.xml.gz"]
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / f".{name}.part").write_bytes(data[:123_456])
    assert fetch(url, tmp_path / "baseline").returncode == 0
    assert ranges[name] == ["bytes=123456-"]
    assert (tmp_path / "baseline" / name).read_bytes() == data
    assert not (tmp_path / "baseline" / f".{name}.part").exists()


def test_a_file_whose_md5_differs_is_refused(httpserver, tmp_path):
    name = "pubmed25n0001.xml.gz"
    httpserver.expect_request("/pubmed/baseline/").respond_with_data(f'<a href="{name}">{name}</a>')
    httpserver.expect_request(f"/pubmed/baseline/{name}").respond_with_data(b"corrupted in transit")
    httpserver.expect_request(f"/pubmed/baseline/{name}.md5").respond_with_data(f"MD5({name})= {'0' * 32}\n")
    done = fetch(httpserver.url_for("/pubmed/"), tmp_path / "baseline")
    assert done.returncode == 1
    assert f"flarekb: error: {name}: " in done.stderr and "MD5 mismatch" in done.stderr
    assert list((tmp_path / "baseline").iterdir()) == []
