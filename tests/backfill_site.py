"""A small dated news site on 127.0.0.1 for the serve, backfill, overlap and Dask tests.

Every page states its publication date the way real sites do (an
`article:published_time` meta tag), the feed and sitemaps state theirs, and
`{BASE}` in any served text file becomes the server's base URL. `delay` slows
article pages down, so two passes really overlap.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BODY = """<p>Authorities in {country} said on {day} that police had rescued {victims} victims of
human trafficking during a national operation against trafficking networks, and that
{arrests} suspects were arrested for trafficking in persons.</p>
<p>The prosecutor's office opened {cases} investigations into human trafficking cases this year,
according to the statement. Officials said the victims, including minors, received shelter,
medical care and legal assistance from specialised services.</p>
<p>The operation followed months of work by investigators who tracked recruitment
through fake job offers abroad. Non-governmental organisations welcomed the rescue and asked for
more resources for victim identification and protection.</p>"""

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
{meta}</head><body><header><nav><a href="/">Home</a></nav></header>
<article><h1>{title}</h1>{body}</article><footer>Example News</footer></body></html>"""


@dataclass(frozen=True)
class Article:
    slug: str
    published: date | None
    victims: int = 12

    @property
    def path(self) -> str:
        return f"/news/{self.slug}.html"

    def html(self) -> str:
        meta = (f'<meta property="article:published_time" content="{self.published.isoformat()}T09:00:00+00:00">'
                if self.published else "")
        day = self.published.strftime("%d %B %Y") if self.published else "Tuesday"
        title = f"Police rescue {self.victims} trafficking victims ({self.slug})"
        body = BODY.format(country="Colombia", day=day, victims=self.victims, arrests=self.victims // 3 + 1,
                           cases=self.victims // 2 + 2)
        return PAGE.format(title=title, meta=meta, body=body)


def rss(items: list[Article], title: str = "Example News") -> str:
    entries = "".join(
        f"<item><title>Police rescue {a.victims} victims</title><link>{{BASE}}{a.path}</link>"
        f"<guid>{{BASE}}{a.path}</guid>"
        + (f"<pubDate>{a.published.strftime('%a, %d %b %Y')} 09:00:00 +0000</pubDate>" if a.published else "")
        + "</item>"
        for a in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{{BASE}}/</link><description>News</description>{entries}</channel></rss>")


def urlset(entries: list[tuple[Article, str]]) -> str:
    """`(article, how)`: how is 'news' (publication date), 'lastmod' or 'bare'."""
    rows = []
    for a, how in entries:
        extra = ""
        if how == "news" and a.published:
            extra = (f"<news:news><news:publication><news:name>Example</news:name><news:language>en"
                     f"</news:language></news:publication><news:publication_date>{a.published.isoformat()}"
                     f"</news:publication_date><news:title>{a.slug}</news:title></news:news>")
        elif how == "lastmod" and a.published:
            extra = f"<lastmod>{a.published.isoformat()}</lastmod>"
        rows.append(f"<url><loc>{{BASE}}{a.path}</loc>{extra}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>")


def write_site(root: Path, articles: list[Article], files: dict[str, str] | None = None) -> None:
    for a in articles:
        target = root / a.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(a.html(), encoding="utf-8")
    for name, text in (files or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    base: str
    delay: float
    cdx: list[list[str]] | None
    archive: dict[str, str]
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.hits.append(self.path)
        if parts.path == "/cdx/search/cdx" and self.server.cdx is not None:
            query = parse_qs(parts.query)
            assert query["output"] == ["json"] and query["collapse"] == ["digest"]
            self._send(json.dumps(self.server.cdx).encode(), "application/json")
            return
        if parts.path.startswith("/web/"):
            text = self.server.archive.get(parts.path)
            if text is None:
                self._send(b"not archived", "text/plain", HTTPStatus.NOT_FOUND)
            else:
                self._send(text.replace("{BASE}", self.server.base).encode(), "application/rss+xml")
            return
        target = (self.server.root / parts.path.lstrip("/")).resolve()
        if not target.is_relative_to(self.server.root) or not target.is_file():
            self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)
            return
        body = target.read_bytes()
        if target.suffix == ".html":
            time.sleep(self.server.delay)
            kind = "text/html; charset=utf-8"
        else:
            body = body.replace(b"{BASE}", self.server.base.encode())
            kind = "application/xml" if target.suffix == ".xml" else "text/plain"
        self._send(body, kind)

    def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(root: Path, *, delay: float = 0.0, cdx: list[list[str]] | None = None,
          archive: dict[str, str] | None = None) -> Iterator[_Server]:
    """Serve `root` (and a fake Wayback CDX API and archive) on 127.0.0.1, any free port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.root, server.delay, server.cdx, server.archive, server.hits = (
        root.resolve(), delay, cdx, archive or {}, [])
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
