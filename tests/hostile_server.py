"""A misbehaving HTTP server on 127.0.0.1 for tests that need real sockets and real time.

`httpx.MockTransport` covers request/response logic; this server covers what
only a socket shows: drip-feeding, hanging, huge and compressed bodies, cut
connections. It is stdlib only, binds port 0, runs each connection on a daemon
thread, records every request, and shuts all connections on exit so no test
leaks a thread or a socket.

Use it as a context manager (or build a pytest fixture around it)::

    with HostileServer() as server:
        fetcher.fetch(server.url("/drip?bytes=30"))
        assert server.hits("/drip") == 1

Remember that tipwatch refuses loopback addresses unless allowed: use
`Settings(allow_private_networks="127.0.0.1")`.

Routes (query parameters optional, defaults shown):

==============================================  =================================================
`/page`                                         200 HTML (utf-8), `ETag: "v1"`, a Last-Modified;
                                                304 if If-None-Match or If-Modified-Since match
`/echo-headers`                                 200 JSON of the request headers (lowercase names)
`/drip?bytes=30&interval=1`                     200 with Content-Length, then one byte per interval
`/drip-headers?interval=1`                      the status line and headers, one byte per interval
`/hang?seconds=60`                              reads the request, then sends nothing
`/huge?size=536870912&length=1`                 `size` bytes made on the fly in 64 KiB pieces;
                                                `length=0` sends them chunked, without a length
`/gzip-bomb?size=1073741824`                    ~1 KiB per MiB gzip (`Content-Encoding: gzip`)
                                                that decodes to `size` zero bytes, made lazily
`/status/<code>`                                that status with a short text body (404, 500...)
`/flaky?key=k&failures=1&status=500`            `status` for the first `failures` hits of `key`,
                                                then the `/page` answer
`/429?retry_after=120`                          429 with `Retry-After: <retry_after>` (any text,
                                                e.g. an HTTP-date; empty omits the header)
`/503?retry_after=120`                          503 likewise
`/redirect?to=<url>&status=302`                 a redirect to `to` (absolute or relative)
`/redirect-loop`                                302 to itself, forever
`/redirect-chain?n=3`                           302 to the relative `redirect-chain?n=<n-1>`;
                                                `n=0` answers like `/page`
`/redirect-metadata`                            302 to http://169.254.169.254/latest/meta-data/
`/binary`                                       64 KiB of random bytes labelled text/html
`/truncated?length=10000&sent=1000`             promises `length` bytes, sends `sent`, closes
`/latin1`                                       an ISO-8859-1 page with no charset anywhere
==============================================  =================================================

`add_route(path, status, headers, body)` registers a static answer for an
exact path (it wins over the routes above), for fixtures of other tests.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

PAGE = (
    b'<!doctype html><html><head><meta charset="utf-8"><title>Hostile page</title></head>'
    b"<body><article><h1>Trafficking report</h1><p>Police freed 42 victims.</p>"
    b"</article></body></html>"
)
PAGE_ETAG = '"v1"'
PAGE_LAST_MODIFIED = "Mon, 02 Jun 2025 10:00:00 GMT"
LATIN1_PAGE = (
    "<html><head><title>Trata de personas</title></head><body><p>Se rescató a 12 víctimas "
    "en la operación «Señal».</p></body></html>"
).encode("latin-1")
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
_MIB = 1 << 20


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with query
    headers: dict[str, str]


def gzip_bomb(size: int) -> Iterator[bytes]:
    """A gzip stream of `size` zero bytes, ~1 KiB per MiB, never held whole in memory.

    One MiB of zeros is compressed once with a full flush; a full flush makes
    the segment independent of what came before, so it can be repeated.
    """
    zeros = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(bytes(size % _MIB)) + compressor.flush()
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    crc = 0
    for _ in range(size // _MIB):
        crc = zlib.crc32(zeros, crc)
        yield segment
    crc = zlib.crc32(bytes(size % _MIB), crc)
    yield tail + struct.pack("<II", crc, size & 0xFFFFFFFF)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-answer is the point of this server: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No request log on stderr."""

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.owner._untrack(self.connection)

    def do_GET(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        owner._record(RecordedRequest(
            "GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
        try:
            static = owner._routes.get(parts.path)
            if static is not None:
                self._answer(*static)
                return
            handler = _ROUTES.get(parts.path)
            if handler is None and parts.path.startswith("/status/"):
                handler = _status
            if handler is None:
                self._answer(404, {"Content-Type": "text/plain"}, b"no such route\n")
                return
            handler(self, query)
        except OSError:  # the client gave up: that is what we test
            self.close_connection = True

    # helpers shared by the routes

    def _answer(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, pieces: Iterator[bytes], *, chunked: bool) -> None:
        stop = self.server.owner._stop
        for piece in pieces:
            if stop.is_set():
                self.close_connection = True
                return
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    @property
    def stop(self) -> threading.Event:
        return self.server.owner._stop


Route = Callable[[_Handler, dict[str, str]], None]


def _page(h: _Handler, q: dict[str, str]) -> None:
    validators = {"ETag": PAGE_ETAG, "Last-Modified": PAGE_LAST_MODIFIED}
    if (h.headers.get("If-None-Match") == PAGE_ETAG
            or h.headers.get("If-Modified-Since") == PAGE_LAST_MODIFIED):
        h._answer(304, validators, b"")
        return
    h._answer(200, {"Content-Type": "text/html; charset=utf-8", **validators}, PAGE)


def _echo(h: _Handler, q: dict[str, str]) -> None:
    body = json.dumps({k.lower(): v for k, v in h.headers.items()}).encode()
    h._answer(200, {"Content-Type": "application/json"}, body)


def _drip(h: _Handler, q: dict[str, str]) -> None:
    size, interval = int(q.get("bytes", "30")), float(q.get("interval", "1"))
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(size))
    h.end_headers()
    h.wfile.flush()
    for _ in range(size):
        if h.stop.wait(interval):
            h.close_connection = True
            return
        h.wfile.write(b"x")
        h.wfile.flush()


def _drip_headers(h: _Handler, q: dict[str, str]) -> None:
    interval = float(q.get("interval", "1"))
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"y" * 120 + b"\r\n\r\n"
    h.close_connection = True
    for byte in head:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        if h.stop.wait(interval):
            return


def _hang(h: _Handler, q: dict[str, str]) -> None:
    h.stop.wait(float(q.get("seconds", "60")))
    h.close_connection = True


def _huge(h: _Handler, q: dict[str, str]) -> None:
    size, with_length = int(q.get("size", str(512 * _MIB))), q.get("length", "1") != "0"
    piece = b"<p>" + b"a" * (64 * 1024 - 8) + b"</p>\n"
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    if with_length:
        h.send_header("Content-Length", str(size))
    else:
        h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()

    def pieces() -> Iterator[bytes]:
        left = size
        while left > 0:
            yield piece[:left]
            left -= len(piece)

    h._stream(pieces(), chunked=not with_length)


def _bomb(h: _Handler, q: dict[str, str]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    h._stream(gzip_bomb(int(q.get("size", str(1024 * _MIB)))), chunked=True)


def _status(h: _Handler, q: dict[str, str]) -> None:
    code = int(h.path.split("?")[0].rsplit("/", 1)[1])
    h._answer(code, {"Content-Type": "text/plain"}, f"status {code}\n".encode())


def _flaky(h: _Handler, q: dict[str, str]) -> None:
    count = h.server.owner._count(q.get("key", ""))
    if count <= int(q.get("failures", "1")):
        code = int(q.get("status", "500"))
        h._answer(code, {"Content-Type": "text/plain"}, b"try again\n")
    else:
        _page(h, q)


def _retry_after(code: int) -> Route:
    def route(h: _Handler, q: dict[str, str]) -> None:
        value = q.get("retry_after", "120")
        headers = {"Content-Type": "text/plain", **({"Retry-After": value} if value else {})}
        h._answer(code, headers, b"slow down\n")
    return route


def _redirect(h: _Handler, q: dict[str, str]) -> None:
    h._answer(int(q.get("status", "302")), {"Location": q.get("to", "/page")}, b"")


def _loop(h: _Handler, q: dict[str, str]) -> None:
    h._answer(302, {"Location": "/redirect-loop"}, b"")


def _chain(h: _Handler, q: dict[str, str]) -> None:
    n = int(q.get("n", "3"))
    if n <= 0:
        _page(h, q)
    else:
        h._answer(302, {"Location": f"redirect-chain?n={n - 1}"}, b"")


def _metadata(h: _Handler, q: dict[str, str]) -> None:
    h._answer(302, {"Location": METADATA_URL}, b"")


def _binary(h: _Handler, q: dict[str, str]) -> None:
    h._answer(200, {"Content-Type": "text/html"}, random.Random(7).randbytes(64 * 1024))


def _truncated(h: _Handler, q: dict[str, str]) -> None:
    length, sent = int(q.get("length", "10000")), int(q.get("sent", "1000"))
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(length))
    h.end_headers()
    h.wfile.write(b"a" * sent)
    h.wfile.flush()
    h.close_connection = True


def _latin1(h: _Handler, q: dict[str, str]) -> None:
    h._answer(200, {"Content-Type": "text/html"}, LATIN1_PAGE)


_ROUTES: dict[str, Route] = {
    "/page": _page, "/echo-headers": _echo, "/drip": _drip, "/drip-headers": _drip_headers,
    "/hang": _hang, "/huge": _huge, "/gzip-bomb": _bomb, "/flaky": _flaky,
    "/429": _retry_after(429), "/503": _retry_after(503), "/redirect": _redirect,
    "/redirect-loop": _loop, "/redirect-chain": _chain, "/redirect-metadata": _metadata,
    "/binary": _binary, "/truncated": _truncated, "/latin1": _latin1,
}


class HostileServer:
    """The server above, started on enter and fully stopped (threads joined) on exit."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self._counts: dict[str, int] = {}
        self._connections: set[socket.socket] = set()
        self.requests: list[RecordedRequest] = []
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="hostile-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return self.base_url + path

    def add_route(self, path: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Answer `path` (exact, without query) with this static response."""
        with self._lock:
            self._routes[path] = (status, dict(headers), body)

    def hits(self, path: str) -> int:
        """Requests received whose path (query ignored) is `path`."""
        with self._lock:
            return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, cut every open connection, join every thread."""
        self._stop.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # called from handler threads

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _count(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
