"""A tiny static news site on loopback, for the demo, `tipwatch eval` and tests.

Feeds in a fixture folder cannot know the port they will be served on, so they
write their links as ``{BASE}/...`` and this server substitutes the base URL in
every ``.xml`` file it sends. It answers conditional requests (ETag /
If-None-Match -> 304) the way a well-behaved news site does, so a second
ingestion pass over unchanged feeds costs one cheap request per feed, and it
mimics the two URL forms of a PHP front controller (``/index.php/en/...`` and
``/en/...`` name the same page) because real sites such as Radio Habana Cuba
publish both.

It is a test fixture, not a web server: loopback only by intent, HTTP/1.0
(one request per connection, so nothing lingers at shutdown), no directory
listings, nothing outside the root.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

__all__ = ["BASE_PLACEHOLDER", "content_type_for", "serve_site"]

log = logging.getLogger(__name__)

BASE_PLACEHOLDER = b"{BASE}"
#: path segments that a front controller swallows: /index.php/en/x is /en/x
FRONT_CONTROLLERS = ("index.php",)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".toml": "text/plain; charset=utf-8",
}


def content_type_for(path: Path, body: bytes) -> str:
    """The Content-Type a real site would send; feeds are told apart by their root element."""
    suffix = path.suffix.lower()
    if suffix in (".xml", ".rss", ".atom"):
        head = body[:2048].lstrip()
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        if b"<rss" in head or b"<rdf:RDF" in head:
            return "application/rss+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    return _TYPES.get(suffix, "application/octet-stream")


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    base_url: str


class _SiteServer6(_SiteServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    server_version = "tipwatch-sitehost/1"
    protocol_version = "HTTP/1.0"
    #: a stuck client must not keep a worker thread forever
    timeout: ClassVar[float] = 10.0

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet by default: test output and the demo's console stay clean."""
        log.debug("%s " + format, self.address_string(), *args)

    def _respond(self, *, send_body: bool) -> None:
        target = self._resolve()
        if isinstance(target, HTTPStatus):
            self._send_plain(target, send_body=send_body)
            return
        try:
            body = target.read_bytes()
        except OSError:
            self._send_plain(HTTPStatus.NOT_FOUND, send_body=send_body)
            return
        if target.suffix.lower() in (".xml", ".rss", ".atom"):
            body = body.replace(BASE_PLACEHOLDER, self.server.base_url.encode("ascii"))
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if _etag_matches(self.headers.get("If-None-Match"), etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type_for(target, body))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _resolve(self) -> Path | HTTPStatus:
        """Map the request path to a file under the root, or say why not."""
        raw_path = urlsplit(self.path).path
        try:
            decoded = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            return HTTPStatus.BAD_REQUEST
        segments = decoded.split("/")
        if any(s in ("..", ".") for s in segments) or "\\" in decoded or "\x00" in decoded:
            return HTTPStatus.FORBIDDEN
        parts = [s for s in posixpath.normpath("/" + decoded).split("/") if s]
        if parts and parts[0] in FRONT_CONTROLLERS:
            parts = parts[1:]
        root = self.server.root
        if parts:
            candidate = root.joinpath(*parts)
            options = [candidate, candidate.with_name(candidate.name + ".html"), candidate / "index.html"]
        else:
            options = [root / "index.html"]
        for option in options:
            try:
                resolved = option.resolve()
            except (OSError, RuntimeError):
                continue
            if not resolved.is_relative_to(root):
                return HTTPStatus.FORBIDDEN
            if resolved.is_file():
                return resolved
        return HTTPStatus.NOT_FOUND

    def _send_plain(self, status: HTTPStatus, *, send_body: bool) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match uses weak comparison (RFC 9110 13.1.2); `*` matches any current file."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


@contextmanager
def serve_site(root: Path, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `root` on `host`:`port` (0 = any free port) and yield the base URL, no trailing slash.

    Raises OSError when the address cannot be bound, before anything is yielded.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"site root {root} is not a directory")
    server_class = _SiteServer6 if ":" in host else _SiteServer
    server = server_class((host, port), _Handler)
    try:
        server.root = root
        bound_port = server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        server.base_url = f"http://{shown}:{bound_port}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name=f"sitehost-{bound_port}", daemon=True)
        thread.start()
        try:
            yield server.base_url
        finally:
            server.shutdown()
            thread.join(timeout=5)
    finally:
        server.server_close()
