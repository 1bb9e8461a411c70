"""Fetcher: logic against httpx.MockTransport, time and size limits against a real hostile server."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hostile_server import LATIN1_PAGE, PAGE, HostileServer, gzip_bomb

from tipwatch import USER_AGENT
from tipwatch.fetching import Fetcher, FetchResult, parse_retry_after
from tipwatch.settings import Settings

PUBLIC = "93.184.216.34"
Handler = Callable[[httpx.Request], httpx.Response]


def public(host: str, port: int) -> list[str]:
    return [PUBLIC]


@pytest.fixture
def mocked() -> Iterator[Callable[..., Fetcher]]:
    """Build Fetchers over a MockTransport; every one is closed after the test."""
    made: list[Fetcher] = []

    def build(handler: Handler, resolve: Callable[[str, int], list[str]] = public,
              **overrides: object) -> Fetcher:
        fetcher = Fetcher(Settings(**overrides),  # type: ignore[arg-type]
                          transport=httpx.MockTransport(handler), resolve=resolve, backoff=0.001)
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


def html(body: bytes = b"<html>hi</html>", status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "text/html", **headers}, content=body)


# --- request/response logic (MockTransport) ---


def test_ok_sends_user_agent_accept_and_returns_bytes(mocked: Callable[..., Fetcher]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return html(ETag='"abc"', **{"Last-Modified": "Mon, 02 Jun 2025 10:00:00 GMT",
                                     "X-Mixed-Case": "yes"})

    result = mocked(handler).fetch("https://news.example/a", accept="text/html")
    assert result.outcome == "ok" and result.status == 200
    assert result.body == b"<html>hi</html>"
    assert result.final_url == "https://news.example/a"
    assert result.headers["x-mixed-case"] == "yes"
    assert (result.etag, result.last_modified) == ('"abc"', "Mon, 02 Jun 2025 10:00:00 GMT")
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert seen[0].headers["accept"] == "text/html"
    assert "if-none-match" not in seen[0].headers
    [attempt] = result.attempts
    assert (attempt.url, attempt.status, attempt.error, attempt.bytes) == (
        "https://news.example/a", 200, None, len(b"<html>hi</html>"))
    assert attempt.fetched_at.tzinfo is not None


def test_conditional_get_and_not_modified(mocked: Callable[..., Fetcher]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304)

    result = mocked(handler).fetch("https://news.example/feed", etag='"v7"',
                                   last_modified="Tue, 03 Jun 2025 00:00:00 GMT")
    assert seen[0].headers["if-none-match"] == '"v7"'
    assert seen[0].headers["if-modified-since"] == "Tue, 03 Jun 2025 00:00:00 GMT"
    assert result.outcome == "not_modified" and result.status == 304 and result.body is None
    assert (result.etag, result.last_modified) == ('"v7"', "Tue, 03 Jun 2025 00:00:00 GMT")


def test_5xx_is_retried_then_reported(mocked: Callable[..., Fetcher]) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return html(b"down", status=502)

    result = mocked(handler, retries=2).fetch("https://news.example/a")
    assert (result.outcome, result.status, len(calls)) == ("http_error", 502, 3)
    assert [a.status for a in result.attempts] == [502, 502, 502]


def test_transport_error_is_retried_until_success(mocked: Callable[..., Fetcher]) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if len(calls) == 2:
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return html()

    result = mocked(handler).fetch("https://news.example/a")
    assert result.outcome == "ok" and len(result.attempts) == 3
    assert result.attempts[0].status is None and "ConnectError" in (result.attempts[0].error or "")
    assert "RemoteProtocolError" in (result.attempts[1].error or "")


def test_transport_error_gives_up(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("reset", request=request)

    result = mocked(handler, retries=1).fetch("https://news.example/a")
    assert result.outcome == "transport_error" and len(result.attempts) == 2
    assert result.status is None and "reset" in (result.error or "")


@pytest.mark.parametrize("status", [403, 404, 410, 400])
def test_4xx_fails_fast(mocked: Callable[..., Fetcher], status: int) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return html(status=status)

    result = mocked(handler).fetch("https://news.example/a")
    assert (result.outcome, result.status, len(calls)) == ("http_error", status, 1)
    assert result.error == f"HTTP {status}"


def test_429_defers_the_host_without_sleeping(mocked: Callable[..., Fetcher]) -> None:
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        if request.url.host == "busy.example":
            return html(status=429, **{"Retry-After": "120"})
        return html()

    fetcher = mocked(handler)
    started = time.monotonic()
    first = fetcher.fetch("https://busy.example/1")
    assert (first.outcome, first.status, first.retry_after) == ("deferred", 429, 120.0)
    later = fetcher.fetch("https://busy.example/2")
    assert later.outcome == "deferred" and 119 < (later.retry_after or 0) <= 120
    assert later.attempts[0].status is None and "deferred" in (later.attempts[0].error or "")
    assert fetcher.fetch("https://calm.example/1").outcome == "ok"
    assert hits == ["https://busy.example/1", "https://calm.example/1"]
    assert time.monotonic() - started < 1


def test_429_with_http_date_and_without_header(mocked: Callable[..., Fetcher]) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=300), usegmt=True)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "dated.example":
            return html(status=429, **{"Retry-After": when})
        return html(status=429)

    fetcher = mocked(handler)
    dated = fetcher.fetch("https://dated.example/")
    assert dated.outcome == "deferred" and 290 < (dated.retry_after or 0) <= 300
    bare = fetcher.fetch("https://bare.example/")
    assert bare.outcome == "deferred" and bare.retry_after == 60.0


def test_503_with_retry_after_defers_and_without_is_retried(mocked: Callable[..., Fetcher]) -> None:
    calls: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        calls[host] = calls.get(host, 0) + 1
        if host == "maint.example":
            return html(status=503, **{"Retry-After": "30"})
        return html(status=503)

    fetcher = mocked(handler)
    maint = fetcher.fetch("https://maint.example/")
    assert (maint.outcome, maint.retry_after, calls["maint.example"]) == ("deferred", 30.0, 1)
    flaky = fetcher.fetch("https://flaky.example/")
    assert (flaky.outcome, flaky.status, calls["flaky.example"]) == ("http_error", 503, 3)


def test_deferral_ends(mocked: Callable[..., Fetcher]) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return html(status=429, **{"Retry-After": "0"}) if len(calls) == 1 else html()

    fetcher = mocked(handler)
    assert fetcher.fetch("https://soon.example/").retry_after == 0.0
    assert fetcher.fetch("https://soon.example/").outcome == "ok"


@pytest.mark.parametrize(("value", "expected"), [
    ("120", 120.0), (" 0 ", 0.0), ("-5", 0.0), ("soon", None), ("", None), (None, None),
    ("nan", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_future_date() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 00:01:30 GMT", now=now) == 90.0


def test_redirect_chain_with_relative_locations(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/a":
            return httpx.Response(301, headers={"Location": "b?x=1#frag"})
        if path == "/b":
            return httpx.Response(302, headers={"Location": "https://other.example/c"})
        return html()

    result = mocked(handler).fetch("https://news.example/a")
    assert result.outcome == "ok"
    assert result.final_url == "https://other.example/c"
    assert [(a.url, a.status) for a in result.attempts] == [
        ("https://news.example/a", 301), ("https://news.example/b?x=1", 302),
        ("https://other.example/c", 200)]


def test_redirect_limit(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/again"})

    result = mocked(handler, max_redirects=3).fetch("https://news.example/start")
    assert result.outcome == "too_many_redirects" and result.status == 302
    assert len(result.attempts) == 4


def test_redirect_to_metadata_is_refused_before_connecting(mocked: Callable[..., Fetcher]) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    result = mocked(handler).fetch("https://news.example/a")
    assert result.outcome == "refused"
    assert "169.254.169.254" in (result.error or "")
    assert result.final_url == "http://169.254.169.254/latest/meta-data/"
    last = result.attempts[-1]
    assert last.status is None and (last.error or "").startswith("refused: ")
    assert seen == ["https://news.example/a"]


def test_private_resolution_refused_unless_allowed(mocked: Callable[..., Fetcher]) -> None:
    def private(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return html()

    refused = mocked(handler, resolve=private).fetch("https://intranet.example/")
    assert refused.outcome == "refused" and "10.1.2.3" in (refused.error or "") and not calls
    by_network = mocked(handler, resolve=private, allow_private_networks="10.0.0.0/8")
    assert by_network.fetch("https://intranet.example/").outcome == "ok"
    by_host = mocked(handler, resolve=private, allow_private_networks="intranet.example")
    assert by_host.fetch("https://intranet.example/").outcome == "ok"
    assert len(calls) == 2


@pytest.mark.parametrize("url", ["ftp://news.example/a", "file:///etc/passwd", "http://",
                                 "not a url", "gopher://x/", "http://[::1/"])
def test_other_schemes_and_junk_are_refused(mocked: Callable[..., Fetcher], url: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    result = mocked(handler).fetch(url)
    assert result.outcome == "refused" and result.attempts[0].status is None


def test_dns_failure_is_a_transport_error(mocked: Callable[..., Fetcher]) -> None:
    def missing(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = mocked(lambda r: html(), resolve=missing).fetch("https://gone.example/")
    assert result.outcome == "transport_error" and "gone.example" in (result.error or "")
    assert len(result.attempts) == 3


def test_unencodable_name_is_a_transport_error(mocked: Callable[..., Fetcher]) -> None:
    def picky(host: str, port: int) -> list[str]:
        raise UnicodeError("label empty or too long")

    result = mocked(lambda r: html(), resolve=picky, retries=0).fetch("https://a..b/")
    assert result.outcome == "transport_error"


def test_declared_length_over_cap_is_refused_early(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(10**9)}, content=b"")

    result = mocked(handler, max_body_bytes=1000).fetch("https://news.example/")
    assert result.outcome == "too_large" and result.body is None
    assert "Content-Length" in (result.error or "")


def test_streamed_body_over_cap(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b"x" * 600, b"x" * 600]))

    result = mocked(handler, max_body_bytes=1000).fetch("https://news.example/")
    assert result.outcome == "too_large" and result.attempts[0].bytes == 1200


def test_gzip_and_deflate_bodies_are_decoded(mocked: Callable[..., Fetcher]) -> None:
    text = b"<html>" + b"news " * 1000 + b"</html>"
    bodies = {"/gzip": ("gzip", gzip.compress(text)), "/zlib": ("deflate", zlib.compress(text)),
              "/raw": ("deflate", zlib.compress(text)[2:-4]), "/none": ("identity", text)}

    def handler(request: httpx.Request) -> httpx.Response:
        coding, body = bodies[request.url.path]
        return httpx.Response(200, headers={"Content-Encoding": coding}, content=body)

    fetcher = mocked(handler)
    for path in bodies:
        assert fetcher.fetch(f"https://news.example{path}").body == text, path


def test_gzip_bomb_stops_at_the_cap(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"},
                              content=gzip_bomb(256 * 1024 * 1024))

    result = mocked(handler, max_body_bytes=1_000_000).fetch("https://news.example/")
    assert result.outcome == "too_large"
    assert result.attempts[0].bytes <= 1_000_000 + 64 * 1024


def test_corrupt_gzip_is_a_transport_error(mocked: Callable[..., Fetcher]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=iter([b"not gzip"]))

    assert mocked(handler, retries=0).fetch("https://news.example/").outcome == "transport_error"


def test_concurrency_is_bounded_overall_and_per_host(mocked: Callable[..., Fetcher]) -> None:
    lock = threading.Lock()
    active: dict[str, int] = {}
    peaks: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        with lock:
            active[host] = active.get(host, 0) + 1
            active["*"] = active.get("*", 0) + 1
            for key in (host, "*"):
                peaks[key] = max(peaks.get(key, 0), active[key])
        time.sleep(0.03)
        with lock:
            active[host] -= 1
            active["*"] -= 1
        return html()

    fetcher = mocked(handler, max_connections=3, per_host_connections=2)
    urls = [f"https://h{i % 3}.example/{i}" for i in range(24)]
    threads = [threading.Thread(target=fetcher.fetch, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peaks["*"] <= 3 and peaks["*"] >= 2
    assert all(peaks[f"h{i}.example"] <= 2 for i in range(3))


# --- real sockets, real time (hostile server) ---

DEADLINE = 2.0


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    settings = Settings(allow_private_networks="127.0.0.1", request_deadline=DEADLINE,
                        max_body_bytes=2 * 1024 * 1024, connect_timeout=2, read_timeout=10)
    with Fetcher(settings, backoff=0.01) as built:
        yield built


def timed(fetcher: Fetcher, url: str, **kwargs: str) -> tuple[FetchResult, float]:
    started = time.monotonic()
    result = fetcher.fetch(url, **kwargs)
    return result, time.monotonic() - started


@pytest.mark.parametrize("path", ["/drip?bytes=30", "/hang?seconds=30", "/drip-headers"])
def test_slow_servers_end_at_the_deadline(server: HostileServer, fetcher: Fetcher,
                                          path: str) -> None:
    result, took = timed(fetcher, server.url(path))
    assert result.outcome == "timeout", result.error
    assert DEADLINE - 0.1 <= took < DEADLINE + 2
    assert len(result.attempts) == 1 and "deadline" in (result.attempts[0].error or "")


@pytest.mark.parametrize(("path", "error"), [
    ("/huge", "Content-Length"), ("/huge?length=0", "exceeds"), ("/gzip-bomb", "exceeds")])
def test_big_bodies_stop_at_the_cap_in_bounded_memory(server: HostileServer, fetcher: Fetcher,
                                                      path: str, error: str) -> None:
    tracemalloc.start()
    try:
        result, took = timed(fetcher, server.url(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "too_large" and error in (result.error or "")
    assert took < 2 and peak < 8 * 1024 * 1024
    assert len(result.attempts) == 1 and result.attempts[0].status == 200


def test_page_and_conditional_get(server: HostileServer, fetcher: Fetcher) -> None:
    first = fetcher.fetch(server.url("/page"))
    assert (first.outcome, first.body, first.etag) == ("ok", PAGE, '"v1"')
    again = fetcher.fetch(server.url("/page"), etag=first.etag)
    assert (again.outcome, again.status) == ("not_modified", 304)
    by_date = fetcher.fetch(server.url("/page"), last_modified=first.last_modified)
    assert by_date.outcome == "not_modified"


def test_status_routes(server: HostileServer, fetcher: Fetcher) -> None:
    missing = fetcher.fetch(server.url("/status/404"))
    assert (missing.outcome, missing.status, len(missing.attempts)) == ("http_error", 404, 1)
    broken = fetcher.fetch(server.url("/status/500"))
    assert (broken.outcome, broken.status, len(broken.attempts)) == ("http_error", 500, 3)
    flaky = fetcher.fetch(server.url("/flaky?key=test-fetching&failures=1"))
    assert (flaky.outcome, [a.status for a in flaky.attempts]) == ("ok", [500, 200])


def test_truncated_body_is_retried_then_a_transport_error(server: HostileServer,
                                                          fetcher: Fetcher) -> None:
    before = server.hits("/truncated")
    result, took = timed(fetcher, server.url("/truncated"))
    assert result.outcome == "transport_error" and len(result.attempts) == 3
    assert server.hits("/truncated") - before == 3 and took < 2


def test_redirects_against_the_server(server: HostileServer, fetcher: Fetcher) -> None:
    chain = fetcher.fetch(server.url("/redirect-chain?n=3"))
    assert chain.outcome == "ok" and chain.final_url == server.url("/redirect-chain?n=0")
    assert len(chain.attempts) == 4
    loop = fetcher.fetch(server.url("/redirect-loop"))
    assert loop.outcome == "too_many_redirects" and len(loop.attempts) == 21
    metadata = fetcher.fetch(server.url("/redirect-metadata"))
    assert metadata.outcome == "refused" and "169.254.169.254" in (metadata.error or "")


def test_bodies_come_back_as_bytes(server: HostileServer, fetcher: Fetcher) -> None:
    binary = fetcher.fetch(server.url("/binary"))
    assert binary.outcome == "ok" and len(binary.body or b"") == 64 * 1024
    assert binary.headers["content-type"] == "text/html"
    latin1 = fetcher.fetch(server.url("/latin1"))
    assert latin1.body == LATIN1_PAGE


def test_deferral_against_the_server() -> None:
    with HostileServer() as own, Fetcher(Settings(allow_private_networks="127.0.0.1")) as fetcher:
        assert fetcher.fetch(own.url("/503?retry_after=30")).outcome == "deferred"
        assert fetcher.fetch(own.url("/page")).outcome == "deferred"
        assert own.hits("/page") == 0


def test_loopback_refused_by_default(server: HostileServer) -> None:
    before = len(server.requests)
    with Fetcher(Settings()) as strict:
        result = strict.fetch(server.url("/page"))
    assert result.outcome == "refused" and "127.0.0.1" in (result.error or "")
    assert len(server.requests) == before


def test_connects_to_the_checked_address_resolving_once(server: HostileServer) -> None:
    """The name is resolved once per hop and the socket goes to that address (no rebinding)."""
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"] if len(lookups) == 1 else ["10.9.9.9"]

    with Fetcher(Settings(allow_private_networks="127.0.0.1"), resolve=resolve) as fetcher:
        result = fetcher.fetch(f"http://newsroom.test:{server.port}/page")
    assert result.outcome == "ok" and result.body == PAGE
    assert lookups == ["newsroom.test"]


def test_shared_between_threads(server: HostileServer, fetcher: Fetcher) -> None:
    results: list[FetchResult] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        result = fetcher.fetch(server.url(f"/redirect-chain?n={i % 3}"))
        with lock:
            results.append(result)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.outcome for r in results] == ["ok"] * 16
