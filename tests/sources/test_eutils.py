"""The E-utilities client against a real local HTTP server: what it sends, batching, retries, rate limits."""

from __future__ import annotations

import logging
import math
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from extractor.errors import BadInput
from extractor.sources import cache
from extractor.sources.crawl import fetch_records
from extractor.sources.eutils import MAX_BATCH, EutilsClient, EutilsError
from extractor.sources.ratelimit import RateLimiter
from tests.fake_ncbi import FakeNcbi, pmc_catalog, pubmed_catalog, record_with_ids

SECRET = "0123456789abcdef-not-a-real-key"


@pytest.fixture
def catalog(shared_dir: Path) -> dict[str, bytes]:
    return pubmed_catalog(shared_dir)


def quick_client(url: str, **options) -> EutilsClient:
    """A client whose back-off is milliseconds, so retry tests stay fast (Retry-After is still honoured)."""
    return EutilsClient(url, **{"backoff": 0.01, "timeout": 0.5, "attempts": 4, **options})


@dataclass
class VirtualTime:
    """A clock that moves only when the code under test sleeps, and the sleeps it asked for: waits are
    checked as what was requested, never as wall-clock time on a shared machine."""

    now: float = 100.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def synthetic_catalog(template: bytes, count: int) -> dict[str, bytes]:
    return {str(30000000 + n): record_with_ids(template, str(30000000 + n)) for n in range(count)}


# -- what goes over the wire -------------------------------------------------------------------------


def test_every_request_carries_tool_email_and_key_in_the_body_not_the_url(catalog):
    with FakeNcbi(catalog, searches={"flare": ["12091962"]}) as ncbi:
        client = quick_client(ncbi.url, email="curator@example.org", api_key=SECRET)
        client.esearch("flare")
        client.efetch("pubmed", ["12091962"])
        client.elink(["12091962"], "pubmed_pubmed")
    assert len(ncbi.received) == 3
    for call in ncbi.received:
        assert call.form["tool"] == "flarekb"
        assert call.form["email"] == "curator@example.org"
        assert call.form["api_key"] == SECRET


def test_esearch_uses_the_history_server_and_returns_the_ids(catalog):
    with FakeNcbi(catalog, searches={"pseudoprogression AND tarlatamab": ["9997", "12091962"]}) as ncbi:
        result = quick_client(ncbi.url).esearch("pseudoprogression AND tarlatamab")
    assert result.ids == ["9997", "12091962"]
    assert result.count == 2
    assert ncbi.received[0].form["usehistory"] == "y"
    assert result.webenv == "MCID_local"


def test_elink_asks_for_the_exact_linkname_and_leaves_out_the_paper_itself(catalog):
    with FakeNcbi(catalog, related={"12091962": ["12091962", "9997", "27797938"]}) as ncbi:
        related = quick_client(ncbi.url).elink(["12091962"], "pubmed_pubmed")
    assert related == ["9997", "27797938"]
    assert ncbi.received[0].form["linkname"] == "pubmed_pubmed"


def test_efetch_returns_each_record_with_the_bytes_the_server_sent(catalog):
    with FakeNcbi(catalog) as ncbi:
        records = quick_client(ncbi.url).efetch("pubmed", ["12091962", "9997", "27797938"])
    assert sorted(records) == ["12091962", "27797938", "9997"]
    for pmid, document in records.items():
        assert catalog[pmid] in document
        assert document.count(b"<PubmedArticle>") == 1
        assert document.startswith(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet')


def test_a_batch_larger_than_200_is_refused_before_any_request(catalog):
    with FakeNcbi(catalog) as ncbi:
        with pytest.raises(ValueError):
            quick_client(ncbi.url).efetch("pubmed", [str(n) for n in range(1, MAX_BATCH + 2)])
    assert ncbi.received == []


# -- batching and the cache ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 200, 201, 450])
def test_n_ids_take_ceil_n_over_200_efetch_calls(catalog, tmp_path, count):
    records = synthetic_catalog(catalog["12091962"], count)
    with FakeNcbi(records) as ncbi:
        report = fetch_records(quick_client(ncbi.url), tmp_path, "pubmed", list(records))
    calls = ncbi.calls("efetch.fcgi")
    assert len(calls) == math.ceil(count / MAX_BATCH)
    assert all(len(call.form["id"].split(",")) <= MAX_BATCH for call in calls)
    assert sorted(report.fetched) == sorted(records)
    assert all(cache.is_cached(tmp_path, "pubmed", pmid) for pmid in records)


def test_a_second_fetch_of_the_same_ids_makes_no_request_and_force_refetches(catalog, tmp_path):
    pmids = ["12091962", "9997", "27797938"]
    with FakeNcbi(catalog) as ncbi:
        client = quick_client(ncbi.url)
        first = fetch_records(client, tmp_path, "pubmed", pmids)
        second = fetch_records(client, tmp_path, "pubmed", pmids)
        assert len(ncbi.received) == 1
        forced = fetch_records(client, tmp_path, "pubmed", pmids, force=True)
        assert len(ncbi.received) == 2
    assert sorted(first.fetched) == sorted(pmids) and first.from_cache == []
    assert second.fetched == [] and sorted(second.from_cache) == sorted(pmids)
    assert sorted(forced.fetched) == sorted(pmids)


def test_unknown_pmids_are_reported_missing_while_the_rest_are_cached(catalog, tmp_path):
    with FakeNcbi(catalog) as ncbi:
        report = fetch_records(quick_client(ncbi.url), tmp_path, "pubmed", ["12091962", "99999999", "9997"])
    assert report.missing == ["99999999"]
    assert sorted(report.fetched) == ["12091962", "9997"]
    assert not cache.record_path(tmp_path, "pubmed", "99999999").exists()


def test_full_text_is_fetched_by_pmc_uid_and_cached_by_pmcid(shared_dir, tmp_path):
    articles = pmc_catalog(shared_dir)
    with FakeNcbi(pmc=articles) as ncbi:
        report = fetch_records(quick_client(ncbi.url), tmp_path, "pmc", ["PMC8435807", "PMC7849395"])
    assert ncbi.received[0].form["db"] == "pmc"
    assert sorted(ncbi.received[0].form["id"].split(",")) == ["7849395", "8435807"]
    assert sorted(report.fetched) == ["PMC7849395", "PMC8435807"]
    assert articles["PMC8435807"] in (tmp_path / "pmc" / "PMC8435807.xml").read_bytes()


# -- retries -----------------------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_retried_no_sooner_than_the_server_asked(catalog):
    virtual = VirtualTime()
    with FakeNcbi(catalog, faults=["429"], retry_after="7", clock=virtual.clock) as ncbi:
        records = quick_client(ncbi.url, clock=virtual.clock, sleep=virtual.sleep).efetch("pubmed", ["9997"])
    assert list(records) == ["9997"]
    assert [call.fault for call in ncbi.received] == ["429", None]
    assert virtual.slept == [7.0]  # the back-off alone would be about 0.01 s: the server's 7 s won
    first, second = ncbi.received
    assert second.at - first.at == 7.0


def test_a_503_followed_by_success_ends_in_success(catalog):
    with FakeNcbi(catalog, faults=["503"]) as ncbi:
        records = quick_client(ncbi.url).efetch("pubmed", ["9997"])
    assert list(records) == ["9997"]
    assert [call.fault for call in ncbi.received] == ["503", None]


def test_a_request_that_hangs_past_the_timeout_is_retried(catalog, caplog):
    """The hanging request would have been answered after 1.5 s: a second request, and the retry's reason,
    show that the client gave up on it at its 0.3 s timeout instead of waiting it out."""
    caplog.set_level(logging.WARNING)
    with FakeNcbi(catalog, faults=["hang"], hang_seconds=1.5) as ncbi:
        records = quick_client(ncbi.url, timeout=0.3).efetch("pubmed", ["9997"])
    assert list(records) == ["9997"]
    assert [call.fault for call in ncbi.received] == ["hang", None]
    assert any("no answer within 0.3 s" in record.getMessage() for record in caplog.records)


def test_retries_are_bounded_and_the_error_names_the_ids(catalog):
    with FakeNcbi(catalog, faults=["503"] * 10) as ncbi:
        with pytest.raises(EutilsError) as caught:
            quick_client(ncbi.url, attempts=3).efetch("pubmed", ["9997", "12091962"])
    assert len(ncbi.received) == 3
    assert caught.value.ids == ["9997", "12091962"]
    assert "9997" in str(caught.value) and "12091962" in str(caught.value) and "503" in str(caught.value)


def test_a_retry_after_beyond_the_patience_limit_fails_at_once(catalog):
    with FakeNcbi(catalog, faults=["429"], retry_after="3600") as ncbi:
        with pytest.raises(EutilsError, match="3600"):
            quick_client(ncbi.url, max_wait=60).efetch("pubmed", ["9997"])
    assert len(ncbi.received) == 1


def test_a_client_error_is_not_retried(catalog):
    with FakeNcbi(catalog, faults=["400"]) as ncbi:
        with pytest.raises(EutilsError, match="HTTP 400"):
            quick_client(ncbi.url).efetch("pubmed", ["9997"])
    assert len(ncbi.received) == 1


# -- the API key never shows ------------------------------------------------------------------------------


def test_the_api_key_is_redacted_from_errors_and_log_lines(catalog, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeNcbi(catalog, faults=["error-body"] * 3, error_message=f"API key invalid: {SECRET}") as ncbi:
        with pytest.raises(EutilsError) as caught:
            quick_client(ncbi.url, api_key=SECRET, attempts=3).efetch("pubmed", ["9997"])
    assert "API key invalid" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert caplog.records and all(SECRET not in record.getMessage() for record in caplog.records)


def test_the_api_key_is_redacted_from_connection_errors(caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = quick_client(f"http://127.0.0.1:{port}/{SECRET}/", api_key=SECRET, attempts=2)
    with pytest.raises(EutilsError) as caught:
        client.efetch("pubmed", ["9997"])
    assert "connection refused" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert all(SECRET not in record.getMessage() for record in caplog.records)


# -- the rate limit ----------------------------------------------------------------------------------------


def test_without_a_key_no_more_than_3_requests_reach_the_server_in_any_second(catalog):
    """In the client's virtual time, which moves only by the waits it asks for: 7 requests at 3 per second
    need two waits and take at least 2 s. (Wall-clock figures at the real server: the refresh benchmark.)"""
    virtual = VirtualTime()
    with FakeNcbi(catalog, searches={"flare": ["9997"]}, clock=virtual.clock) as ncbi:
        client = quick_client(ncbi.url, clock=virtual.clock, sleep=virtual.sleep)
        for _ in range(7):
            client.esearch("flare")
    arrivals = [call.at for call in ncbi.received]
    assert len(arrivals) == 7
    assert arrivals[-1] - arrivals[0] >= 2.0
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in zip(arrivals, arrivals[3:]))
    assert len(virtual.slept) == 2


def test_the_limit_is_3_per_second_without_a_key_and_10_with_one():
    assert EutilsClient("http://127.0.0.1:9/").limiter.max_requests == 3
    assert EutilsClient("http://127.0.0.1:9/", api_key=SECRET).limiter.max_requests == 10


def test_the_rate_limiter_waits_for_the_oldest_request_to_leave_the_window():
    virtual = VirtualTime()
    limiter = RateLimiter(3, 1.0, clock=virtual.clock, sleep=virtual.sleep)
    for _ in range(3):
        limiter.wait()
    assert virtual.slept == []  # a burst of three fits
    virtual.now += 0.25
    limiter.wait()
    assert virtual.slept == [pytest.approx(0.75)]  # the fourth waits until the first is a second old
    sends = []
    for _ in range(6):
        limiter.wait()
        sends.append(virtual.now)
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in zip(sends, sends[3:]))


@pytest.mark.parametrize(("db", "bad"), [("pubmed", "123&db=pmc"), ("pubmed", "../1"), ("pmc", "PMC1/../2"), ("pmc", "123")])
def test_an_id_that_is_not_canonical_never_reaches_a_request(catalog, db, bad):
    with FakeNcbi(catalog) as ncbi:
        with pytest.raises(BadInput):
            quick_client(ncbi.url).efetch(db, ["9997" if db == "pubmed" else "PMC1", bad])
    assert ncbi.received == []
