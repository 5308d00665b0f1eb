"""Issue 16 point 5: flarekb writes only its own regular files. A symbolic link or FIFO planted at the kb lock
or the fetch log is refused (one line, exit 1, its target untouched, no hang); `-o` naming a FIFO (or a link
to one, like /dev/stdout) is written into, not replaced, and `-o -` is standard output; symbolic links in
corpora/ are read only with --follow-links. Through the real command, in a subprocess."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.fake_ncbi import FakeNcbi, pubmed_catalog, pubmed_set
from tests.test_security import write_corpora

REPO = Path(__file__).resolve().parents[1]
PRECIOUS = "a file flarekb must never touch\n"


def flarekb(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if name != "NCBI_API_KEY"}
    environment.update(COLUMNS="200", NCBI_EMAIL="curator@example.org", **env)
    return subprocess.run([sys.executable, "-m", "extractor", *args], cwd=REPO, env=environment, capture_output=True,
                          text=True, timeout=120)


def one_line_error(result: subprocess.CompletedProcess, code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("flarekb: error: ")
    return last


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A knowledge base of two cases (1001, 2002), built by `flarekb build`."""
    write_corpora(tmp_path / "corpora")
    built = flarekb("build", "--corpora", str(tmp_path / "corpora"), "--kb", str(tmp_path / "kb"))
    assert built.returncode == 0, built.stderr
    return tmp_path / "kb"


@pytest.fixture
def precious(tmp_path: Path) -> Path:
    path = tmp_path / "precious.txt"
    path.write_text(PRECIOUS)
    return path


# -- the kb lock and the fetch log -------------------------------------------------------------------------


def test_a_symlink_at_the_kb_lock_is_refused_and_its_target_kept(kb: Path, precious: Path):
    (kb / "flarekb.lock").unlink(missing_ok=True)
    (kb / "flarekb.lock").symlink_to(precious)
    result = flarekb("remove", "1001", "--kb", str(kb))
    assert "flarekb.lock is a symbolic link" in one_line_error(result, 1)
    assert precious.read_text() == PRECIOUS
    assert flarekb("show", "1001", "--kb", str(kb)).returncode == 0  # the case is still there


def test_a_fifo_at_the_kb_lock_is_refused_without_waiting(kb: Path):
    (kb / "flarekb.lock").unlink(missing_ok=True)
    os.mkfifo(kb / "flarekb.lock")
    result = flarekb("remove", "1001", "--kb", str(kb))  # (hung on the FIFO before: the timeout fails it)
    assert "flarekb.lock is not a regular file" in one_line_error(result, 1)
    assert flarekb("show", "1001", "--kb", str(kb)).returncode == 0


def test_a_symlink_at_the_fetch_log_is_refused_and_its_target_kept(shared_dir: Path, tmp_path: Path, precious: Path):
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "_fetch_log.tsv").symlink_to(precious)
    with FakeNcbi(pubmed_catalog(shared_dir)) as ncbi:
        result = flarekb("refresh", "12091962", "--kb", str(tmp_path / "kb"), "--corpora", str(corpora),
                         FLAREKB_EUTILS_URL=ncbi.url)
    assert "_fetch_log.tsv is a symbolic link" in one_line_error(result, 1)
    assert precious.read_text() == PRECIOUS
    assert (corpora / "_fetch_log.tsv").is_symlink()


# -- -o --------------------------------------------------------------------------------------------------


def read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fifo:
            into.append(fifo.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


@pytest.mark.parametrize("through_a_link", [False, True], ids=["fifo", "link-to-fifo"])
def test_export_into_a_fifo_writes_into_it_and_keeps_it(kb: Path, tmp_path: Path, through_a_link: bool):
    fifo = tmp_path / "edges.fifo"
    os.mkfifo(fifo)
    target = fifo
    if through_a_link:  # as /dev/stdout is
        target = tmp_path / "stdout"
        target.symlink_to(fifo)
    received: list[bytes] = []
    reader = read_fifo(fifo, received)
    result = flarekb("export", "--format", "csv", "-o", str(target), "--kb", str(kb))
    if not received:  # the export never opened the FIFO (it replaced it): let the reader go
        with open(fifo if fifo.exists() and stat.S_ISFIFO(fifo.stat().st_mode) else os.devnull, "wb"):
            pass
    reader.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert target.is_symlink() == through_a_link
    assert received and received[0].startswith(b"source,target,relation,")


def test_export_to_dash_is_standard_output(kb: Path, tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "extractor", "export", "--format", "csv", "-o", "-",
                             "--kb", str(kb)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("source,target,relation,")
    assert "case:1001" in result.stdout
    assert not (tmp_path / "-").exists()


# -- symbolic links in corpora/ ---------------------------------------------------------------------------


def test_build_skips_a_symlinked_file_unless_asked_to_follow(tmp_path: Path):
    corpora = tmp_path / "corpora"
    write_corpora(tmp_path / "elsewhere")
    corpora.mkdir()
    (corpora / "hostile.xml").write_bytes((tmp_path / "elsewhere" / "hostile.xml").read_bytes())
    (corpora / "page.html").symlink_to(tmp_path / "elsewhere" / "page.html")
    skipped = flarekb("build", "--corpora", str(corpora), "--kb", str(tmp_path / "kb"))
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped 1 symbolic link(s) in corpora/ (--follow-links reads them):" in skipped.stderr
    assert "page.html" in skipped.stderr and "from 1 document(s)" in skipped.stderr
    followed = flarekb("build", "--corpora", str(corpora), "--kb", str(tmp_path / "kb"), "--follow-links")
    assert followed.returncode == 0, followed.stderr
    assert "symbolic link" not in followed.stderr and "from 2 document(s)" in followed.stderr


def test_refresh_skips_a_symlinked_cached_record_unless_asked_to_follow(shared_dir: Path, tmp_path: Path):
    catalog = pubmed_catalog(shared_dir)
    elsewhere = tmp_path / "elsewhere.xml"
    elsewhere.write_bytes(pubmed_set([catalog["12091962"]]))
    (tmp_path / "corpora" / "pubmed").mkdir(parents=True)
    (tmp_path / "corpora" / "pubmed" / "12091962.xml").symlink_to(elsewhere)
    paths = ("--kb", str(tmp_path / "kb"), "--corpora", str(tmp_path / "corpora"))
    with FakeNcbi(catalog) as ncbi:
        skipped = flarekb("refresh", "12091962", *paths, FLAREKB_EUTILS_URL=ncbi.url)
        followed = flarekb("refresh", "12091962", *paths, "--follow-links", FLAREKB_EUTILS_URL=ncbi.url)
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped 1 symbolic link(s) in corpora/" in skipped.stderr and "0 added" in skipped.stdout
    assert followed.returncode == 0, followed.stderr
    assert "1 added" in followed.stdout
