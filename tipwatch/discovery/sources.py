"""Fetching discovery documents through the project's `Fetcher`, one source at a time.

Every function returns a `Discovery`: what it found, the HTTP fetches it made
(stored in the `fetches` table like a normal pass's) and the problems it met.
A source that fails is a problem line, never an exception: one dead sitemap
must not stop a backfill of the other sites.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from extractors.feeds import parse_feed
from tipwatch.discovery.sitemaps import parse_sitemap, robots_rules, robots_sitemaps, site_root
from tipwatch.discovery.wayback import archived_url, cdx_query_url, parse_cdx
from tipwatch.discovery.window import Window
from tipwatch.discovery.xmlsafe import DiscoveryError
from tipwatch.fetching import FetchResult

ROBOTS_AGENT = "tipwatch"
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, application/gzip;q=0.8, */*;q=0.5"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
#: per site: sitemap documents fetched at most (an index of indexes can be enormous)
MAX_SITEMAPS = 200
#: per feed: archived feed copies fetched at most
MAX_CAPTURES = 500


class Fetches(Protocol):
    def fetch(self, url: str, *, accept: str = ...) -> FetchResult: ...


@dataclass(frozen=True)
class Found:
    """A candidate article and what its source said about it."""

    url: str
    origin: str  # feed | sitemap | wayback | list
    published: datetime | None = None
    lastmod: datetime | None = None
    title: str | None = None
    feed: str | None = None
    language: str | None = None


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)
    fetches: list[tuple[FetchResult, str | None, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: Discovery) -> None:
        self.found += other.found
        self.fetches += other.fetches
        self.problems += other.problems


def _why(result: FetchResult) -> str:
    return f"{result.outcome}{f' {result.status}' if result.status else ''}" + (
        f" ({result.error})" if result.error else "")


def _get(fetcher: Fetches, url: str, accept: str, out: Discovery, feed: str | None) -> bytes | None:
    result = fetcher.fetch(url, accept=accept)
    out.fetches.append((result, feed, "discovery"))
    if result.outcome == "ok" and result.body is not None:
        return result.body
    out.problems.append(f"{url}: {_why(result)}")
    return None


def _feed_items(body: bytes, url: str, *, origin: str, feed: str | None, language: str | None,
                out: Discovery) -> None:
    parsed = parse_feed(body, {}, url)
    if not parsed.ok:
        out.problems.append(f"{url}: malformed feed ({parsed.error})")
        return
    out.found += [
        Found(url=i.url, origin=origin, published=i.published, title=i.title, feed=feed, language=language)
        for i in parsed.items
    ]


def from_feed(url: str, fetcher: Fetches, *, feed: str | None = None, language: str | None = None) -> Discovery:
    """The items a feed lists today."""
    out = Discovery()
    body = _get(fetcher, url, FEED_ACCEPT, out, feed)
    if body is not None:
        _feed_items(body, url, origin="feed", feed=feed, language=language, out=out)
    return out


def from_site(url: str, fetcher: Fetches, window: Window, *, feed: str | None = None,
              max_sitemaps: int = MAX_SITEMAPS) -> Discovery:
    """Pages a site's sitemaps list: robots.txt `Sitemap:` lines, else `/sitemap.xml`.

    Child sitemaps last modified before the window are not fetched (nothing in
    them can be newer), and pages robots.txt disallows are left out.
    """
    out = Discovery()
    root = site_root(url)
    robots = _get(fetcher, f"{root}/robots.txt", "text/plain, */*;q=0.5", out, feed)
    if robots is None:
        out.problems.pop()  # no robots.txt is normal; the default sitemap location follows
    rules = robots_rules(robots)
    listed = robots_sitemaps(robots, root) if robots is not None else []
    queue = deque(listed or [f"{root}/sitemap.xml"])
    seen: set[str] = set()
    while queue and len(seen) < max_sitemaps:
        location = queue.popleft()
        if location in seen:
            continue
        seen.add(location)
        body = _get(fetcher, location, SITEMAP_ACCEPT, out, feed)
        if body is None:
            continue
        try:
            sitemap = parse_sitemap(body, location)
        except DiscoveryError as exc:
            out.problems.append(f"{location}: {exc}")
            continue
        queue.extend(c.loc for c in sitemap.children
                     if not (c.lastmod and window.ended_before(c.lastmod)) and c.loc not in seen)
        out.found += [
            Found(url=e.loc, origin="sitemap", published=e.published, lastmod=e.lastmod,
                  title=e.title, feed=feed, language=e.language)
            for e in sitemap.entries if rules.can_fetch(ROBOTS_AGENT, e.loc)
        ]
    if queue:
        out.problems.append(f"{root}: stopped after {max_sitemaps} sitemaps")
    return out


def from_wayback(url: str, fetcher: Fetches, window: Window, base: str, *, feed: str | None = None,
                 language: str | None = None, max_captures: int = MAX_CAPTURES) -> Discovery:
    """Items of the archived copies of a feed captured during the window (plus slack)."""
    out = Discovery()
    body = _get(fetcher, cdx_query_url(base, url, window), "application/json", out, feed)
    if body is None:
        return out
    try:
        captures = parse_cdx(body)
    except DiscoveryError as exc:
        out.problems.append(f"CDX for {url}: {exc}")
        return out
    if len(captures) > max_captures:
        out.problems.append(f"CDX for {url}: {len(captures)} captures, fetching the first {max_captures}")
    for capture in captures[:max_captures]:
        snapshot = archived_url(base, capture)
        copy = _get(fetcher, snapshot, FEED_ACCEPT, out, feed)
        if copy is not None:
            _feed_items(copy, capture.original, origin="wayback", feed=feed, language=language, out=out)
    return out


def from_list(urls: Sequence[str]) -> Discovery:
    return Discovery(found=[Found(url=u, origin="list") for u in urls])
