"""The NCBI E-utilities client: polite HTTP on `requests`, nothing else.

Every request is rate limited (3/s, 10/s with an API key), carries `tool` and `email`, and is retried
with exponential back-off and jitter on 429, 5xx, timeouts, broken connections and bodies that fail
their check (an `<ERROR>` body, an HTML page, an empty or truncated body), honouring Retry-After.
Reading the responses (esearch ids, elink links, splitting efetch sets into records) is records.py's job.

    client = EutilsClient.from_env()
    result = client.esearch("pseudoprogression AND tarlatamab")
    xml = client.efetch("pubmed", result.ids[:200])
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import requests

from extractor import __version__
from extractor.errors import BadInput, FetchError
from extractor.sources import records
from extractor.sources.identifiers import is_pmcid, is_pmid
from extractor.sources.ratelimit import RateLimiter

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "flarekb"
MAX_BATCH = 200  # ids per efetch/elink request
MAX_REDIRECTS = 5  # followed within the E-utilities host only (the request body carries the API key)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# NCBI counts requests as they arrive; 50 ms of slack on the one-second window absorbs network jitter.
POLITE_PERIOD = 1.05


class EutilsError(FetchError):
    """A request failed for good (after its retries): what it was `about`, why, and the ids it asked for."""

    def __init__(self, about: str, reason: str, ids: Sequence[str] = ()) -> None:
        super().__init__(f"{about}: {reason}")
        self.reason = reason
        self.ids = list(ids)


class _Retryable(Exception):
    """One failed attempt worth repeating; `wait` is the server's Retry-After in seconds, if it gave one."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class EutilsClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        timeout: float = 60.0,
        attempts: int = 5,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        """`timeout` bounds a whole response (seconds); `attempts` counts the first try; the n-th retry waits
        about `backoff * 2**(n-1)` seconds (never less than Retry-After, and giving up if the server asks
        for more than `max_wait`)."""
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.api_key = api_key or None
        self.email = email or None
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self.limiter = RateLimiter(10 if self.api_key else 3, POLITE_PERIOD, clock=clock, sleep=sleep)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"{TOOL}/{__version__} (python-requests)"

    @classmethod
    def from_env(cls, **options) -> EutilsClient:
        """A client configured from FLAREKB_EUTILS_URL, NCBI_API_KEY and NCBI_EMAIL."""
        return cls(
            os.environ.get("FLAREKB_EUTILS_URL") or DEFAULT_BASE_URL,
            api_key=os.environ.get("NCBI_API_KEY"),
            email=os.environ.get("NCBI_EMAIL"),
            **options,
        )

    # -- the E-utilities -------------------------------------------------------------------------

    def esearch(self, term: str, *, db: str = "pubmed", retmax: int = 10000) -> records.SearchResult:
        """Run a query (with usehistory, so the result also names a WebEnv) and return up to `retmax` ids."""
        params = {"db": db, "term": term, "retmax": str(retmax), "usehistory": "y"}
        about = f"search {term[:60]!r}" + ("..." if len(term) > 60 else "")
        result = self.call("esearch.fcgi", params, read=records.read_esearch, about=about)
        if len(result.ids) > retmax:  # a server that sends more than asked does not get to raise --max
            result = dataclasses.replace(result, ids=result.ids[:retmax])
        return result

    def efetch(self, db: str, ids: Sequence[str]) -> dict[str, bytes]:
        """Fetch up to MAX_BATCH records (db pubmed or pmc) as {id: that record's XML document}.

        Ids NCBI does not know are simply absent from the answer."""
        _check_batch(ids, is_pmid if db == "pubmed" else is_pmcid)
        read = records.read_pubmed_set if db == "pubmed" else records.read_pmc_set
        # PMC's own uids are the digits of the PMCID; the answer names each article by its PMCID again.
        uids = [i.removeprefix("PMC") for i in ids] if db == "pmc" else list(ids)
        params = {"db": db, "id": ",".join(uids), "retmode": "xml"}
        return self.call("efetch.fcgi", params, read=read, about=_about(db, ids), ids=ids)

    def elink(self, ids: Sequence[str], linkname: str, *, dbfrom: str = "pubmed") -> list[str]:
        """Ids linked from `ids` by `linkname` (e.g. pubmed_pubmed for related articles), in NCBI's order.

        For a paper's own PMC copy the linkname is pubmed_pmc; pubmed_pmc_refs would list citing papers."""
        _check_batch(ids, is_pmid)
        db = linkname.split("_")[1]
        params = {"dbfrom": dbfrom, "db": db, "linkname": linkname, "id": ",".join(ids), "cmd": "neighbor"}
        return self.call(
            "elink.fcgi", params, read=lambda body: records.read_elink(body, linkname), about=_about(dbfrom, ids), ids=ids
        )

    # -- one polite request ----------------------------------------------------------------------

    def call(
        self,
        endpoint: str,
        params: dict[str, str],
        *,
        read: Callable[[bytes], T],
        about: str,
        ids: Sequence[str] = (),
    ) -> T:
        """POST one request and return what `read` makes of its body, retrying what is worth retrying
        (including a body `read` rejects as invalid).

        POST always: id lists and discovery queries outgrow URLs, and the API key stays out of the URL."""
        url = self.base_url + endpoint
        data = {**params, "tool": TOOL}
        if self.email:
            data["email"] = self.email
        if self.api_key:
            data["api_key"] = self.api_key
        for attempt in range(1, self.attempts + 1):
            try:
                return read(self._attempt(url, data))
            except records.InvalidResponse as error:
                failure = _Retryable(str(error))
            except _Retryable as error:
                failure = error
            except requests.RequestException as error:
                raise EutilsError(about, self.redact(str(error)), ids) from None
            # A body may quote the request back (NCBI's "API key invalid" does): redact every reason.
            reason = self.redact(failure.reason)
            if failure.wait is not None and failure.wait > self.max_wait:
                raise EutilsError(about, f"{reason}; NCBI asks to wait {failure.wait:.0f} s, try again later", ids)
            if attempt == self.attempts:
                raise EutilsError(about, f"{reason} (gave up after {attempt} attempts)", ids)
            delay = self._delay(attempt, failure.wait)
            log.warning("%s: %s; retry %d of %d in %.1f s", about, reason, attempt, self.attempts - 1, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(self, url: str, data: dict[str, str]) -> bytes:
        """One request; transient failures become _Retryable with a short reason."""
        self.limiter.wait()
        deadline = self._clock() + self.timeout
        try:
            with self._post(url, data) as response:
                if response.status_code in RETRY_STATUSES:
                    wait = _retry_after(response.headers.get("Retry-After"))
                    raise _Retryable(f"HTTP {response.status_code}", wait)
                if response.status_code != 200:
                    raise requests.HTTPError(f"HTTP {response.status_code} from {url}")
                chunks = []
                # requests' timeout bounds each read; the deadline bounds a body that trickles in.
                for chunk in response.iter_content(chunk_size=65536):
                    chunks.append(chunk)
                    if self._clock() > deadline:
                        raise _Retryable(f"no complete answer within {self.timeout:g} s")
                return b"".join(chunks)
        except requests.Timeout:
            raise _Retryable(f"no answer within {self.timeout:g} s") from None
        except requests.exceptions.ChunkedEncodingError:
            raise _Retryable("connection broken in the middle of the body") from None
        except requests.ConnectionError as error:
            raise _Retryable(_connection_reason(error)) from None

    def _post(self, url: str, data: dict[str, str]) -> requests.Response:
        """POST, following redirects only to the host of `base_url`: requests would re-send the body (and the
        API key in it) on a 307/308 to whatever host the server names."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.post(url, data=data, timeout=self.timeout, stream=True, allow_redirects=False)
            if not response.is_redirect:
                return response
            response.close()
            target = urljoin(url, response.headers["Location"])
            if _origin(target) != _origin(self.base_url):
                raise requests.HTTPError(f"HTTP {response.status_code}: redirected to another host "
                                         f"({_origin(target)}); not followed, as the request carries the API key")
            url = target
        raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {self.base_url}")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter, never shorter than what the server asked for."""
        delay = self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
        return max(delay, retry_after or 0.0)

    def redact(self, text: str) -> str:
        """`text` with the API key blanked out: for every message that may quote a URL or request. A message
        that quotes a server's text cuts it short (`value[:20]`), so a start of the key (8 characters or more)
        is blanked too."""
        if not self.api_key:
            return text
        for length in range(len(self.api_key), min(8, len(self.api_key)) - 1, -1):
            text = text.replace(self.api_key[:length], "***")
        return text


def _origin(url: str) -> str:
    """'https://host:port' of a URL: where a request goes."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{port}"


def _check_batch(ids: Sequence[str], is_valid: Callable[[str], bool]) -> None:
    """Ids reach a request only in their canonical form (normalise them with identifiers.py first)."""
    if not 0 < len(ids) <= MAX_BATCH:
        raise ValueError(f"an E-utilities batch holds 1 to {MAX_BATCH} ids, not {len(ids)}")
    bad = [i for i in ids if not is_valid(i)]
    if bad:
        raise BadInput(f"not a valid id for an E-utilities request: {bad[0][:40]!r}")


def _about(db: str, ids: Sequence[str]) -> str:
    """A short label for messages: 'PMID 123' or 'PMIDs 1, 2, 3 and 197 more'."""
    kind = "PMID" if db == "pubmed" else "PMCID"
    shown = ", ".join(ids[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return f"{kind}{'s' if len(ids) > 1 else ''} {shown}{more}"


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _connection_reason(error: requests.ConnectionError) -> str:
    """One readable phrase instead of urllib3's nested exception text."""
    text = str(error).lower()
    for needle, reason in (
        ("refused", "connection refused"),
        ("timed out", "no answer before the timeout"),
        ("reset", "connection reset"),
        ("aborted", "connection aborted"),
        ("name or service not known", "host not found"),
        ("nodename nor servname", "host not found"),
    ):
        if needle in text:
            return reason
    return "connection failed"
