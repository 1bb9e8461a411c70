"""A local news site built from the shared corpus of real pages, and a fast loopback server for it.

The pages are read by path from ``<shared>/corpus/pages`` (never copied into the
repository), de-duplicated by content, written decompressed into a temporary
folder and spread round-robin over `FEEDS` RSS feeds. A site at scale N holds N
copies of every page; each copy ends with its own HTML comment, so every served
page has a distinct URL and hash while trafilatura sees the same document.

`BenchServer` is a threaded HTTP/1.1 server with keep-alive, `sendfile` and
precomputed ETags (If-None-Match -> 304), so serving costs far less CPU than
extracting; it counts the requests it answers by kind and status.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

FEEDS = 40
SOURCES = ("scrapinghub-aeb", "trafilatura-eval", "newspaper")


def shared_root(repo: Path) -> Path | None:
    """`TIPWATCH_SHARED` or `<repo>/../shared`, if it holds the page corpus."""
    root = Path(os.environ.get("TIPWATCH_SHARED") or repo.parent / "shared")
    return root if (root / "corpus" / "pages").is_dir() else None


@dataclass(frozen=True)
class CorpusPage:
    source: str
    path: Path  # the .gz file in the shared corpus
    sha: str


def corpus_pages(shared: Path, limit: int | None = None) -> list[CorpusPage]:
    """Distinct pages of the three page sets, in a stable order (by source, then file name)."""
    pages: list[CorpusPage] = []
    seen: set[str] = set()
    for source in SOURCES:
        for path in sorted((shared / "corpus" / "pages" / source).rglob("*.gz")):
            sha = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
            if sha not in seen:
                seen.add(sha)
                pages.append(CorpusPage(source, path, sha))
    if limit is not None and limit < len(pages):  # an even sample of every source
        step = len(pages) / limit
        pages = [pages[int(i * step)] for i in range(limit)]
    return pages


@dataclass(frozen=True)
class SitePage:
    url_path: str  # /a/c0/newspaper/0a12df42.html
    file: Path
    feed: int
    source: str


@dataclass
class Site:
    root: Path
    scale: int
    pages: list[SitePage] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(p.file.stat().st_size for p in self.pages)

    def feed_names(self) -> list[str]:
        return [f"feed-{i:02d}" for i in range(FEEDS)]


def build_site(corpus: list[CorpusPage], dest: Path, scale: int = 1) -> Site:
    """Write `scale` distinct copies of every corpus page under `dest` and the feeds listing them."""
    site = Site(root=dest, scale=scale)
    n = 0
    for copy in range(scale):
        for page in corpus:
            body = gzip.decompress(page.path.read_bytes())
            body += f"\n<!-- tipwatch-bench copy {copy} of {page.sha[:16]} -->\n".encode("ascii")
            rel = f"a/c{copy}/{page.source}/{page.sha[:16]}.html"
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            site.pages.append(SitePage("/" + rel, target, n % FEEDS, page.source))
            n += 1
    return site


def feed_xml(site: Site, feed: int, base: str) -> bytes:
    """RSS 2.0 listing the feed's pages, newest first, with titles and dates."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    items = []
    for i, page in enumerate(site.pages):
        if page.feed != feed:
            continue
        link = escape(base + page.url_path)
        when = format_datetime(start + timedelta(minutes=i))
        items.append(f"<item><title>Article {i}</title><link>{link}</link>"
                     f"<guid>{link}</guid><pubDate>{when}</pubDate></item>")
    items.reverse()
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Bench feed {feed}</title><link>{escape(base)}/</link>"
            f"<description>tipwatch benchmark</description>{''.join(items)}</channel></rss>\n").encode()


def feeds_toml(site: Site, base: str) -> str:
    return "".join(
        f'[[feeds]]\nname = "{name}"\nurl = "{base}/feeds/{name}.xml"\nlanguage = "en"\ninterval = "5m"\n\n'
        for name in site.feed_names()
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    routes: dict[str, tuple[str, bytes | Path, str, int]]  # path -> (kind, body or file, etag, size)
    counts: Counter[tuple[str, int]]
    counts_lock: threading.Lock

    def handle_error(self, request: object, client_address: object) -> None:
        """A client closing a kept-alive connection is normal; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "tipwatch-bench/1"
    timeout = 30

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        route = self.server.routes.get(path)
        if route is None:
            self._count("other", 404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind, body, etag, size = route
        if etag in (self.headers.get("If-None-Match") or ""):
            self._count(kind, 304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._count(kind, 200)
        self.send_response(200)
        # Like many real servers, pages go out without a charset: the client must sniff it.
        self.send_header("Content-Type", "application/rss+xml" if kind == "feed" else "text/html")
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", etag)
        self.end_headers()
        if isinstance(body, bytes):
            self.wfile.write(body)
        else:
            with body.open("rb") as f:
                self.connection.sendfile(f)

    def _count(self, kind: str, status: int) -> None:
        with self.server.counts_lock:
            self.server.counts[(kind, status)] += 1


@dataclass
class Serving:
    base: str
    server: _Server

    def counts(self) -> dict[str, int]:
        with self.server.counts_lock:
            return {f"{kind}_{status}": n for (kind, status), n in sorted(self.server.counts.items())}

    def requests(self, kind: str | None = None) -> int:
        with self.server.counts_lock:
            return sum(n for (k, _), n in self.server.counts.items() if kind is None or k == kind)

    def reset(self) -> None:
        with self.server.counts_lock:
            self.server.counts.clear()


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[Serving]:
    """Serve `site` on `host`, any free port; feeds carry the bound base URL."""
    server = _Server((host, 0), _Handler)
    base = f"http://{host}:{server.server_address[1]}"
    routes: dict[str, tuple[str, bytes | Path, str, int]] = {}
    for page in site.pages:
        size = page.file.stat().st_size
        routes[page.url_path] = ("article", page.file, f'"{page.url_path}-{size}"', size)
    for i, name in enumerate(site.feed_names()):
        body = feed_xml(site, i, base)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        routes[f"/feeds/{name}.xml"] = ("feed", body, etag, len(body))
    server.routes = routes
    server.counts = Counter()
    server.counts_lock = threading.Lock()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Serving(base, server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
