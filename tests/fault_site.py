"""Helpers for the failure-handling suites: good articles, feeds, and a small route server.

`RouteServer` is the piece `hostile_server.HostileServer` does not cover: it
binds any loopback address (127.0.0.2 is a second *host* for the fetcher's
per-host deferral, while still being this machine), its routes can be swapped
between passes, and it can answer slowly (`delay`) so that a crash test's
kills land in the middle of a pass. Stdlib only, port 0, threads joined on exit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}

STORY = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
{date_meta}</head><body><nav>Home | World</nav><article><h1>{title}</h1>
<p>Police in Ruritania said on Monday that they had rescued {victims} victims of human trafficking
during raids on farms, in one of the largest operations against trafficking in persons
this year.</p>
<p>Officers arrested {arrests} suspected traffickers, and prosecutors opened 12 investigations into
forced labour, according to the national anti-trafficking office.</p>
<p>Campaigners said the country still lacked shelters for survivors of trafficking and
called for more labour inspections on farms and in factories across the region.</p>
</article><footer>Copyright</footer></body></html>"""


def story(title: str, *, victims: int = 23, arrests: int = 7, day: int | None = 1) -> bytes:
    """A relevant English article with figures; `day=None` gives a page without any date."""
    meta = ("" if day is None else
            f'<meta property="article:published_time" content="2024-03-{day:02d}T10:00:00+00:00">')
    return STORY.format(title=title, victims=victims, arrests=arrests, date_meta=meta).encode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rss(items: Iterable[str | tuple[str, str, str | None]]) -> bytes:
    """An RSS 2.0 feed; an item is a URL, or (url, title, pubDate or None)."""
    parts = []
    for item in items:
        url, title, date = (item, url_title(item), "Mon, 04 Mar 2024 10:00:00 GMT") \
            if isinstance(item, str) else item
        parts.append(f"<item><title>{_xml_escape(title)}</title><link>{_xml_escape(url)}</link>"
                     + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            "<link>http://example.org/</link><description>d</description>"
            + "".join(parts) + "</channel></rss>").encode()


def url_title(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or "item"


def feeds_toml(path: Any, feeds: Mapping[str, str]) -> Any:
    """A registry of English feeds, in the given order."""
    path.write_text("".join(
        f'[[feeds]]\nname = "{name}"\nurl = "{url}"\nlanguage = "en"\n\n' for name, url in feeds.items()))
    return path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: RouteServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at shutdown
    timeout = 10.0

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        answer = owner._hit(path)
        if owner.delay:
            time.sleep(owner.delay)
        status, headers, body = answer or (404, {"Content-Type": "text/plain"}, b"no such route\n")
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


class RouteServer:
    """Static answers by exact path, replaceable at any time; counts every request."""

    def __init__(self, host: str = "127.0.0.1", *, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self._hits: dict[str, int] = {}
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        with self._lock:
            self._routes[path] = (status, dict(headers), body)

    def hits(self, prefix: str = "/") -> int:
        """Requests received for paths starting with `prefix`."""
        with self._lock:
            return sum(n for path, n in self._hits.items() if path.startswith(prefix))

    def _hit(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            return self._routes.get(path)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
