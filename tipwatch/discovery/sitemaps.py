"""robots.txt `Sitemap:` lines, sitemap indexes, url sets and Google News sitemaps.

`lastmod` is when a page last changed, so it can only rule a page *out* (changed
before the window means published before it); `news:publication_date` is a
publication date and filters both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from tipwatch.discovery.urllists import parse_url_list
from tipwatch.discovery.xmlsafe import (
    DiscoveryError,
    child_text,
    gunzip_capped,
    local_name,
    parse_w3c_datetime,
    parse_xml,
)


@dataclass(frozen=True)
class SitemapEntry:
    """One `<url>`: a page and what the sitemap says about its dates."""

    loc: str
    lastmod: datetime | None = None
    published: datetime | None = None  # news:publication_date
    title: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class SitemapRef:
    """One `<sitemap>` of an index: a child sitemap to fetch."""

    loc: str
    lastmod: datetime | None = None


@dataclass(frozen=True)
class Sitemap:
    entries: list[SitemapEntry] = field(default_factory=list)
    children: list[SitemapRef] = field(default_factory=list)


def _absolute(base_url: str, loc: str | None) -> str | None:
    if not loc:
        return None
    url = urljoin(base_url, loc.strip())
    return url if urlsplit(url).scheme in {"http", "https"} else None


def site_root(url: str) -> str:
    """`https://host[:port]` of a URL: where robots.txt and the default sitemap live."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """Every `Sitemap:` line of a robots.txt, absolute, in order, without duplicates."""
    text = gunzip_capped(body, 1024 * 1024).decode("utf-8", errors="replace")
    found: list[str] = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap":
            url = _absolute(base_url, value.split("#", 1)[0].strip())
            if url and url not in found:
                found.append(url)
    return found


def robots_rules(body: bytes | None) -> RobotFileParser:
    """The site's rules for crawlers; an absent or unreadable robots.txt allows everything."""
    rules = RobotFileParser()
    text = body.decode("utf-8", errors="replace") if body else ""
    rules.parse(text.splitlines())
    return rules


def _news(url_element: object) -> tuple[datetime | None, str | None, str | None]:
    from lxml import etree

    assert isinstance(url_element, etree._Element)
    for child in url_element:
        if local_name(child) != "news":
            continue
        published = parse_w3c_datetime(child_text(child, "publication_date"))
        title = child_text(child, "title")
        language = None
        for sub in child:
            if local_name(sub) == "publication":
                language = child_text(sub, "language")
        return published, title, language
    return None, None, None


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A `<urlset>`, a `<sitemapindex>`, or a plain-text sitemap (one URL a line)."""
    data = gunzip_capped(body)
    if data.lstrip()[:1] != b"<":
        urls = [u for u in (_absolute(base_url, line) for line in parse_url_list(
            data.decode("utf-8", errors="replace"), strict=False)) if u]
        return Sitemap(entries=[SitemapEntry(loc=u) for u in urls])
    root = parse_xml(data)
    kind = local_name(root)
    if kind == "sitemapindex":
        children = []
        for element in root:
            if local_name(element) == "sitemap":
                loc = _absolute(base_url, child_text(element, "loc"))
                if loc:
                    children.append(SitemapRef(loc, parse_w3c_datetime(child_text(element, "lastmod"))))
        return Sitemap(children=children)
    if kind != "urlset":
        raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    entries = []
    for element in root:
        if local_name(element) != "url":
            continue
        loc = _absolute(base_url, child_text(element, "loc"))
        if not loc:
            continue
        published, title, language = _news(element)
        entries.append(SitemapEntry(
            loc=loc, lastmod=parse_w3c_datetime(child_text(element, "lastmod")),
            published=published, title=title, language=language,
        ))
    return Sitemap(entries=entries)
