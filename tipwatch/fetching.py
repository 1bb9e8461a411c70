"""HTTP fetching like a good citizen: deadlines, size caps, retries, no internal addresses.

`Fetcher.fetch` never raises for a network or HTTP problem: every request ends
as a `FetchResult` whose `outcome` says what happened, with one `FetchRecord`
per HTTP attempt (retries and redirect hops included), so the warehouse can
keep a row for each and flows can tell transient failures from terminal ones.

Outcomes: ok | not_modified | http_error | timeout | too_large | refused |
transport_error | deferred | too_many_redirects.

Why it is built this way:

* httpx only bounds each socket operation; a server dripping a byte per
  second never trips a read timeout. So every request carries a deadline
  (`request_deadline`), checked between body chunks and, on the default
  transport, applied to every socket read, write and connect, which also
  bounds a server that hangs before or while sending headers.
* Bodies are decoded here, in pieces of at most 64 KiB, rather than by httpx,
  whose gzip decoder inflates a whole network chunk at once: a 64 KiB chunk of
  a gzip bomb would become ~64 MiB before any size check could run.
* Redirects are followed by hand so that every hop is checked by the address
  guard (`tipwatch.netguard`) and recorded.
* Against DNS rebinding, the default transport connects to the very addresses
  the guard approved for this hop (pinned per thread) and re-checks them at
  connect time; TLS still verifies the certificate against the host name.
  An injected `transport` (tests) bypasses sockets, so only the pre-check
  applies there.
"""

from __future__ import annotations

import math
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx

from tipwatch import USER_AGENT
from tipwatch.netguard import (
    AddressPolicy,
    AddressRefused,
    GuardedTransport,
    Resolver,
    parse_address,
    system_resolve,
)
from tipwatch.settings import Settings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PIECE = 64 * 1024
_MAX_BACKOFF_TOTAL = 1.0


@dataclass(frozen=True)
class FetchRecord:
    """One HTTP attempt, as stored in the `fetches` table."""

    url: str
    status: int | None
    error: str | None
    bytes: int
    elapsed: float
    fetched_at: datetime


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    outcome: str  # ok | not_modified | http_error | timeout | too_large | refused | transport_error | deferred | too_many_redirects
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds, for deferred
    error: str | None = None
    attempts: list[FetchRecord] = field(default_factory=list)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return None if math.isnan(seconds) else max(0.0, seconds)


class _DeadlineExceeded(Exception):
    """The request deadline passed while the body was streaming."""


class _Deadline:
    """Monotonic end time of one fetch; time spent queueing for a slot is added back."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def extend(self, seconds: float) -> None:
        self.at += seconds


class _HopContext(threading.local):
    """The hop in flight on this thread, as `netguard.GuardedBackend` needs to see it."""

    def __init__(self) -> None:
        self.deadline: _Deadline | None = None
        self.addresses: dict[str, list[str]] = {}

    def pinned(self, host: str) -> list[str] | None:
        return self.addresses.get(host)

    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline.left()


# --- bounded decoding ---

def _inflate(chunks: Iterable[bytes], wbits: int | None) -> Iterator[bytes]:
    """zlib/gzip/raw-deflate pieces of at most 64 KiB; `wbits=None` sniffs deflate's framing."""
    decoder: Any = None
    for chunk in chunks:
        if decoder is None:
            if wbits is None:  # "deflate" is zlib-wrapped per the RFC, raw in practice too
                zlib_header = len(chunk) > 1 and chunk[0] & 0x0F == 8 and (
                    (chunk[0] << 8) | chunk[1]) % 31 == 0
                wbits = zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS
            decoder = zlib.decompressobj(wbits)
        data = chunk
        while data and not decoder.eof:
            out = decoder.decompress(data, _PIECE)
            if out:
                yield out
            data = decoder.unconsumed_tail
    if decoder is not None and not decoder.eof:
        rest = decoder.flush()
        if rest:
            yield rest


def _decoded(chunks: Iterable[bytes], content_encoding: str) -> Iterable[bytes]:
    """Undo Content-Encoding (gzip, deflate, in reverse order); unknown codings pass through."""
    stream = chunks
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("gzip", "x-gzip"):
            stream = _inflate(stream, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            stream = _inflate(stream, None)
    return stream


@dataclass
class _Hop:
    """One HTTP attempt's result before it becomes a FetchRecord and maybe a FetchResult."""

    url: str
    kind: str = "response"  # | timeout | too_large | transport_error | refused | deferred
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.monotonic)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    size: int = 0
    retry_after: float | None = None

    def record(self) -> FetchRecord:
        return FetchRecord(self.url, self.status, self.error, self.size,
                           round(time.monotonic() - self.started, 4), self.fetched_at)


class Fetcher:
    """A shared, thread-safe HTTP client for one pass; use as a context manager or `close()`.

    `request_deadline` bounds one whole `fetch` (hops, retries and backoff),
    not counting time queued for a connection slot, so a caller can budget
    for it. Transport errors, truncated bodies, timeouts with time left and
    5xx (but a 503 with Retry-After) are retried `retries` times; 429 and 503
    with Retry-After defer the host for the rest of this Fetcher's life.

    `transport` replaces the network (tests inject `httpx.MockTransport`);
    `resolve(host, port)` replaces DNS. `backoff` is the first retry delay
    (doubling, at most 1 s in all); `default_defer` is how long a host that
    answered 429 without a usable Retry-After is left alone.
    """

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 resolve: Resolver | None = None, backoff: float = 0.2,
                 default_defer: float = 60.0) -> None:
        self.settings = settings
        self._policy = AddressPolicy.from_setting(settings.allow_private_networks)
        self._resolve = resolve or system_resolve
        self._backoff = backoff
        self._default_defer = default_defer
        self._context = _HopContext()
        limits = httpx.Limits(max_connections=settings.max_connections,
                              max_keepalive_connections=settings.max_connections)
        self._client = httpx.Client(
            transport=transport or GuardedTransport(self._policy, self._resolve, self._context, limits),
            follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, settings.max_connections))
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._deferred: dict[str, float] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def deferred_for(self, host: str) -> float | None:
        """Seconds `host` is still deferred for in this Fetcher, or None."""
        with self._lock:
            until = self._deferred.get(host)
            if until is None:
                return None
            left = until - time.monotonic()
            if left <= 0:
                del self._deferred[host]
                return None
            return left

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              accept: str | None = None) -> FetchResult:
        """GET `url` (conditionally if validators are given); never raises for network trouble."""
        headers = {name: value for name, value in (
            ("If-None-Match", etag), ("If-Modified-Since", last_modified), ("Accept", accept))
            if value}
        deadline = _Deadline(self.settings.request_deadline)
        attempts: list[FetchRecord] = []
        current, redirects = url, 0

        def result(outcome: str, hop: _Hop | None = None, **extra: Any) -> FetchResult:
            if hop is not None:
                extra.setdefault("status", hop.status)
                extra.setdefault("headers", hop.headers)
                extra.setdefault("error", hop.error)
                extra.setdefault("etag", hop.headers.get("etag"))
                extra.setdefault("last_modified", hop.headers.get("last-modified"))
            return FetchResult(url=url, final_url=current, outcome=outcome, attempts=attempts,
                               **extra)

        while True:
            hop = self._with_retries(current, headers, deadline, attempts)
            if hop.kind != "response":
                return result(hop.kind, hop, retry_after=hop.retry_after)
            status = hop.status or 0
            location = hop.headers.get("location")
            if status in REDIRECTS and location:
                redirects += 1
                if redirects > self.settings.max_redirects:
                    return result("too_many_redirects", hop, error=(
                        f"more than {self.settings.max_redirects} redirects"))
                try:
                    current = str(httpx.URL(current).join(location).copy_with(fragment=None))
                except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
                    return result("http_error", hop, error=f"bad redirect {location!r}: {exc}")
                continue
            if status == 304:
                return result("not_modified", hop,
                              etag=hop.headers.get("etag") or etag,
                              last_modified=hop.headers.get("last-modified") or last_modified)
            retry_after = parse_retry_after(hop.headers.get("retry-after"))
            if status == 429 or (status == 503 and retry_after is not None):
                wait = self._default_defer if retry_after is None else retry_after
                self._defer(_host(current), wait)
                return result("deferred", hop, retry_after=wait, error=f"HTTP {status}")
            if 200 <= status < 300:
                return result("ok", hop, body=hop.body)
            return result("http_error", hop, error=hop.error or f"HTTP {status}")

    # --- one hop, retried ---

    def _with_retries(self, url: str, headers: dict[str, str], deadline: _Deadline,
                      attempts: list[FetchRecord]) -> _Hop:
        """The hop's final attempt; transport errors, timeouts and plain 5xx are retried."""
        slept, delay = 0.0, self._backoff
        for attempt in range(self.settings.retries + 1):
            hop = self._attempt(url, headers, deadline)
            attempts.append(hop.record())
            transient = hop.kind in ("transport_error", "timeout") or (
                hop.kind == "response" and (hop.status or 0) >= 500
                and not (hop.status == 503 and parse_retry_after(hop.headers.get("retry-after"))
                         is not None))
            pause = min(delay, _MAX_BACKOFF_TOTAL - slept)
            if (not transient or attempt == self.settings.retries
                    or deadline.left() <= pause + 0.05):
                return hop
            time.sleep(max(0.0, pause))
            slept, delay = slept + max(0.0, pause), delay * 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, url: str, headers: dict[str, str], deadline: _Deadline) -> _Hop:
        hop = _Hop(url)
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            return self._fail(hop, "refused", f"refused: invalid URL: {exc}")
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            return self._fail(hop, "refused", f"refused: only http(s) URLs with a host: {url}")
        host = _host(url)
        if self._still_deferred(hop, host):
            return hop
        if deadline.left() <= 0:
            return self._fail(hop, "timeout", "timeout: request deadline reached")
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            found = [] if parse_address(host) else self._resolve(host, port)
            addresses = self._policy.check(host, found)
        except AddressRefused as exc:
            return self._fail(hop, "refused", f"refused: {exc}")
        except (OSError, UnicodeError, ValueError) as exc:  # getaddrinfo rejects "a..b" this way
            return self._fail(hop, "transport_error", f"cannot resolve {host}: {exc}")
        with self._slot(host, deadline):
            # Again: the host may have answered 429 to a request that held the slot meanwhile.
            if self._still_deferred(hop, host):
                return hop
            self._context.deadline, self._context.addresses = deadline, {host: addresses}
            try:
                self._exchange(hop, parsed, headers, deadline)
            except AddressRefused as exc:
                self._fail(hop, "refused", f"refused: {exc}")
            except (httpx.TimeoutException, _DeadlineExceeded) as exc:
                why = (f"request deadline of {self.settings.request_deadline:g}s reached"
                       if deadline.left() <= 0.01 else f"{type(exc).__name__}: {exc}")
                self._fail(hop, "timeout", f"timeout: {why}")
            except (httpx.RequestError, httpx.StreamError, zlib.error, OSError) as exc:
                self._fail(hop, "transport_error", f"{type(exc).__name__}: {exc}")
            finally:
                self._context.deadline, self._context.addresses = None, {}
        return hop

    def _exchange(self, hop: _Hop, url: httpx.URL, headers: dict[str, str],
                  deadline: _Deadline) -> None:
        """Send one GET and read its body (2xx only) within the deadline and the size cap."""
        left = max(0.001, deadline.left())
        s = self.settings
        timeout = httpx.Timeout(connect=min(s.connect_timeout, left), read=min(s.read_timeout, left),
                                write=min(s.read_timeout, left), pool=left)
        request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
        response = self._client.send(request, stream=True)
        try:
            hop.status = response.status_code
            hop.headers = dict(response.headers.items())  # lowercase names, repeats joined
            if not 200 <= response.status_code < 300:
                return
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > s.max_body_bytes:
                self._fail(hop, "too_large",
                           f"too_large: Content-Length {declared} > {s.max_body_bytes} bytes")
                return
            body = bytearray()
            raw = self._raw_until(response, deadline)
            for piece in _decoded(raw, response.headers.get("content-encoding", "")):
                body += piece
                hop.size = len(body)
                if len(body) > s.max_body_bytes:
                    self._fail(hop, "too_large",
                               f"too_large: body exceeds {s.max_body_bytes} bytes")
                    return
                if deadline.left() <= 0:
                    raise _DeadlineExceeded(f"request deadline reached after {len(body)} bytes")
            hop.body = bytes(body)
        finally:
            response.close()

    @staticmethod
    def _raw_until(response: httpx.Response, deadline: _Deadline) -> Iterator[bytes]:
        """Raw (still encoded) chunks, stopping at the deadline.

        Iterates `response.stream` rather than `iter_raw()`: a MockTransport
        response built from bytes counts as already consumed, yet its stream
        still yields the encoded body (the default transport maps its errors).
        """
        stream = response.stream
        if not isinstance(stream, httpx.SyncByteStream):
            raise TypeError("an async stream reached the sync fetcher")
        for chunk in stream:
            if deadline.left() <= 0:
                raise _DeadlineExceeded("request deadline reached while reading the body")
            yield chunk

    def _still_deferred(self, hop: _Hop, host: str) -> bool:
        """Mark `hop` deferred, without sending anything, if `host` asked to be left alone."""
        wait = self.deferred_for(host)
        if wait is None:
            return False
        hop.kind, hop.retry_after = "deferred", wait
        hop.error = f"deferred: {host} asked to wait {wait:.0f} s more"
        return True

    @staticmethod
    def _fail(hop: _Hop, kind: str, error: str) -> _Hop:
        hop.kind, hop.error, hop.body = kind, error, None
        return hop

    @contextmanager
    def _slot(self, host: str, deadline: _Deadline) -> Iterator[None]:
        """Hold one overall and one per-host slot; queueing time does not count as deadline."""
        with self._lock:
            per_host = self._host_slots.setdefault(
                host, threading.BoundedSemaphore(max(1, self.settings.per_host_connections)))
        started = time.monotonic()
        with self._slots, per_host:
            deadline.extend(time.monotonic() - started)
            yield

    def _defer(self, host: str, seconds: float) -> None:
        with self._lock:
            self._deferred[host] = max(self._deferred.get(host, 0.0), time.monotonic() + seconds)


def _host(url: str) -> str:
    """The ASCII host httpx will connect to (IDN as punycode, IPv6 without brackets)."""
    return httpx.URL(url).raw_host.decode("ascii").lower()
