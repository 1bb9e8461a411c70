"""Discovery parsers (pure) and sources over a fake fetcher: no network, no Prefect."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime

import pytest

from tipwatch.discovery.sitemaps import parse_sitemap, robots_rules, robots_sitemaps, site_root
from tipwatch.discovery.sources import Found, from_list, from_site, from_wayback
from tipwatch.discovery.urllists import parse_url_list, read_url_list
from tipwatch.discovery.wayback import Capture, archived_url, cdx_query_url, parse_cdx
from tipwatch.discovery.window import Window, parse_day
from tipwatch.discovery.xmlsafe import DiscoveryError, gunzip_capped, parse_w3c_datetime
from tipwatch.errors import ConfigError
from tipwatch.fetching import FetchResult

WINDOW = Window(date(2024, 3, 1), date(2024, 4, 1))

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/a</loc><lastmod>2024-03-05T10:00:00+02:00</lastmod></url>
  <url><loc>/relative/b</loc><lastmod>2024-01</lastmod></url>
  <url><loc>https://news.example/c</loc>
    <news:news><news:publication><news:name>N</news:name><news:language>es</news:language></news:publication>
      <news:publication_date>2024-03-10</news:publication_date><news:title>Trata</news:title></news:news>
  </url>
  <url><loc>ftp://news.example/not-http</loc></url>
  <url><lastmod>2024-03-01</lastmod></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/old.xml</loc><lastmod>2023-12-31</lastmod></sitemap>
  <sitemap><loc>https://news.example/new.xml.gz</loc><lastmod>2024-03-31T23:00:00Z</lastmod></sitemap>
  <sitemap><loc>https://news.example/undated.xml</loc></sitemap>
</sitemapindex>"""


def test_window_parses_days_and_rejects_bad_input() -> None:
    assert parse_day("2024-02-29") == date(2024, 2, 29)
    for bad in ["2024-2-3", "yesterday", "2024-02-30", "2024-03-01T00:00"]:
        with pytest.raises(ConfigError, match="YYYY-MM-DD"):
            parse_day(bad, option="--since")
    with pytest.raises(ConfigError, match="must be after"):
        Window.parse("2024-03-01", "2024-03-01")
    assert WINDOW.contains(datetime(2024, 3, 1, tzinfo=UTC))
    assert not WINDOW.contains(datetime(2024, 4, 1, tzinfo=UTC))  # closed-open
    assert WINDOW.contains(datetime(2024, 3, 31, 23, 59))  # naive = UTC
    assert WINDOW.ended_before(datetime(2024, 2, 29, 23, 59, tzinfo=UTC))


def test_w3c_datetimes() -> None:
    assert parse_w3c_datetime("2024") == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_w3c_datetime("2024-03-05T10:00:00+02:00") == datetime(2024, 3, 5, 8, tzinfo=UTC)
    assert parse_w3c_datetime("2024-03-05T10:00Z") == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert parse_w3c_datetime("not a date") is None
    assert parse_w3c_datetime("1870-01-01") is None


def test_urlset_with_news_and_relative_locations() -> None:
    sitemap = parse_sitemap(URLSET, "https://news.example/sitemap.xml")
    assert [e.loc for e in sitemap.entries] == [
        "https://news.example/a", "https://news.example/relative/b", "https://news.example/c"]
    a, b, c = sitemap.entries
    assert a.lastmod == datetime(2024, 3, 5, 8, tzinfo=UTC) and a.published is None
    assert b.lastmod == datetime(2024, 1, 1, tzinfo=UTC)
    assert c.published == datetime(2024, 3, 10, tzinfo=UTC) and c.title == "Trata" and c.language == "es"


def test_index_gzip_and_text_sitemaps() -> None:
    index = parse_sitemap(gzip.compress(INDEX), "https://news.example/sitemap.xml")
    assert [c.loc for c in index.children][1] == "https://news.example/new.xml.gz"
    text = parse_sitemap(b"https://news.example/x\n# comment\nnot a url\n", "https://news.example/s.txt")
    assert [e.loc for e in text.entries] == ["https://news.example/x"]


def test_hostile_xml_is_refused_or_inert() -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
    <urlset><url><loc>https://x.example/&lol2;</loc></url></urlset>"""
    try:
        entries = parse_sitemap(laughs, "https://x.example/").entries
    except DiscoveryError:
        entries = []
    assert all("lollol" not in e.loc for e in entries)
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://x.example/&x;</loc></url></urlset>"""
    try:
        entries = parse_sitemap(xxe, "https://x.example/").entries
    except DiscoveryError:
        entries = []
    assert all("root:" not in e.loc for e in entries)
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"<urlset><url>", "https://x.example/")
    with pytest.raises(DiscoveryError, match="not a sitemap"):
        parse_sitemap(b"<html></html>", "https://x.example/")
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match="larger than"):
        gunzip_capped(bomb, limit=1_000_000)
    with pytest.raises(DiscoveryError, match="corrupt gzip"):
        gunzip_capped(b"\x1f\x8b" + b"garbage")


def test_robots_lines_and_rules() -> None:
    robots = b"User-agent: *\nDisallow: /private/\nSitemap: https://news.example/s1.xml\n" \
             b"sitemap: /s2.xml # relative\nSitemap: https://news.example/s1.xml\n"
    assert robots_sitemaps(robots, "https://news.example") == [
        "https://news.example/s1.xml", "https://news.example/s2.xml"]
    rules = robots_rules(robots)
    assert not rules.can_fetch("tipwatch", "https://news.example/private/a")
    assert rules.can_fetch("tipwatch", "https://news.example/a")
    assert robots_rules(None).can_fetch("tipwatch", "https://news.example/private/a")
    assert site_root("https://news.example:8080/feed.xml?x=1") == "https://news.example:8080"


def test_url_lists(tmp_path: pytest.TempPathFactory) -> None:
    text = "# my list\nhttps://a.example/1\n\n  https://a.example/2#frag  # note\nhttps://a.example/1\n"
    assert parse_url_list(text) == ["https://a.example/1", "https://a.example/2#frag"]
    with pytest.raises(ConfigError, match="line 2: 'a.example/3'"):
        parse_url_list("https://a.example/1\na.example/3\n", source="urls.txt")
    with pytest.raises(ConfigError, match="does not exist"):
        read_url_list(tmp_path / "missing.txt")  # type: ignore[operator]


def test_cdx_query_and_answer() -> None:
    query = cdx_query_url("http://127.0.0.1:9/", "https://news.example/feed", WINDOW)
    assert query.startswith("http://127.0.0.1:9/cdx/search/cdx?url=https%3A%2F%2Fnews.example%2Ffeed")
    assert "from=20240301" in query and "to=20240415" in query
    assert "output=json" in query and "filter=statuscode%3A200" in query and "collapse=digest" in query
    body = json.dumps([
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["x", "20240310120000", "https://news.example/feed", "text/xml", "200", "D2", "1"],
        ["x", "20240302000000", "https://news.example/feed", "text/xml", "200", "D1", "1"],
        ["short"],
    ]).encode()
    captures = parse_cdx(body)
    assert [c.timestamp for c in captures] == ["20240302000000", "20240310120000"]
    assert captures[0].captured_at == datetime(2024, 3, 2, tzinfo=UTC)
    assert archived_url("http://a.org/", Capture("20240302000000", "https://n.example/f")) == \
        "http://a.org/web/20240302000000id_/https://n.example/f"
    assert parse_cdx(b"") == [] and parse_cdx(b"[]") == []
    with pytest.raises(DiscoveryError):
        parse_cdx(b"<html>rate limited</html>")


class FakeFetcher:
    """Serves a dict of URL -> body; anything else is a 404."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.requested: list[str] = []

    def fetch(self, url: str, *, accept: str = "*/*") -> FetchResult:
        self.requested.append(url)
        if url in self.pages:
            return FetchResult(url=url, final_url=url, outcome="ok", status=200, body=self.pages[url])
        return FetchResult(url=url, final_url=url, outcome="http_error", status=404)


def test_site_discovery_follows_robots_index_and_skips_old_children() -> None:
    new = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://news.example/new-1</loc></url>
      <url><loc>https://news.example/private/secret</loc></url></urlset>"""
    fetcher = FakeFetcher({
        "https://news.example/robots.txt": b"User-agent: *\nDisallow: /private/\n"
                                           b"Sitemap: https://news.example/index.xml\n",
        "https://news.example/index.xml": INDEX,
        "https://news.example/new.xml.gz": gzip.compress(new),
        "https://news.example/undated.xml": URLSET,
    })
    found = from_site("https://news.example/feed.rss", fetcher, WINDOW, feed="n")
    assert "https://news.example/old.xml" not in fetcher.requested  # lastmod before the window
    urls = [f.url for f in found.found]
    assert "https://news.example/new-1" in urls and "https://news.example/c" in urls
    assert "https://news.example/private/secret" not in urls  # robots.txt disallows it
    assert all(f.origin == "sitemap" and f.feed == "n" for f in found.found)
    assert found.problems == []
    assert len(found.fetches) == 4 and {k for _, _, k in found.fetches} == {"discovery"}


def test_site_without_robots_uses_default_sitemap_and_reports_problems() -> None:
    fetcher = FakeFetcher({"https://n.example/sitemap.xml": b"<urlset><url>"})
    found = from_site("https://n.example/rss", fetcher, WINDOW)
    assert fetcher.requested == ["https://n.example/robots.txt", "https://n.example/sitemap.xml"]
    assert found.found == [] and len(found.problems) == 1 and "not well-formed" in found.problems[0]


def test_wayback_reports_a_bad_cdx_answer_without_raising() -> None:
    base = "http://127.0.0.1:1"
    fetcher = FakeFetcher({cdx_query_url(base, "https://n.example/rss", WINDOW): b"oops"})
    found = from_wayback("https://n.example/rss", fetcher, WINDOW, base)
    assert found.found == [] and "not JSON" in found.problems[0]


def test_url_list_source() -> None:
    assert from_list(["https://a.example/1"]).found == [Found("https://a.example/1", "list")]
