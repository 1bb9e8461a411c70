"""`tipwatch backfill`: discovery, the date window before and after extraction, resuming, Wayback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from backfill_site import Article, rss, serve, urlset, write_site

from extractors.article import ArticleRecord
from tipwatch.discovery.select import WindowFilter, select
from tipwatch.discovery.sources import Found
from tipwatch.discovery.window import Window

WINDOW = Window(date(2024, 3, 1), date(2024, 4, 1))
D = datetime


def test_select_dedups_prefers_feeds_and_applies_known_dates() -> None:
    found = [
        Found("https://n.example/a?utm_source=x", "sitemap", lastmod=D(2024, 3, 9, tzinfo=UTC)),
        Found("https://n.example/a", "feed", published=D(2024, 3, 8, tzinfo=UTC), feed="f", title="A"),
        Found("https://n.example/old", "sitemap", lastmod=D(2024, 2, 1, tzinfo=UTC)),
        Found("https://n.example/late", "feed", published=D(2024, 4, 1, tzinfo=UTC)),
        Found("https://n.example/modified-later", "sitemap", lastmod=D(2024, 6, 1, tzinfo=UTC)),
        Found("https://n.example/undated", "list"),
        Found("not a url", "list"),
    ]
    chosen = select(found, WINDOW)
    by_url = {i.source_url: i for i in chosen.items}
    assert set(by_url) == {"https://n.example/a", "https://n.example/modified-later", "https://n.example/undated"}
    assert by_url["https://n.example/a"].feed == "f" and by_url["https://n.example/a"].title == "A"
    assert chosen.outside == 2 and chosen.invalid == 1
    assert chosen.found == {"feed": 2, "sitemap": 2, "list": 1}
    assert chosen.items[0].source_url == "https://n.example/a"  # dated first


def test_window_filter_after_extraction() -> None:
    def record(published: datetime | None) -> ArticleRecord:
        return ArticleRecord(url="u", source_url="u", final_url="u", feed=None, status="ok", published_at=published)

    keep = WindowFilter(WINDOW)
    assert keep(record(D(2024, 3, 31, 23, tzinfo=UTC)))
    assert not keep(record(D(2024, 4, 1, tzinfo=UTC)))
    assert not keep(record(None))
    assert (keep.outside, keep.undated) == (1, 1)
    assert WindowFilter(WINDOW, keep_undated=True)(record(None))


# The site: what each article is, and how the feed and sitemaps describe it.
IN_FEED = Article("in-feed", date(2024, 3, 5), victims=30)
NEWS_ONLY = Article("news-sitemap", date(2024, 3, 20), victims=14)
OLD = Article("old-lastmod", date(2024, 2, 10))
LATE_PAGE = Article("late-page-date", date(2024, 5, 2))  # sitemap says nothing; page date is outside
PAGE_DATED = Article("page-dated", date(2024, 3, 15), victims=21)
UNDATED = Article("undated", None)
FEED_LATE = Article("feed-late", date(2024, 4, 2))
ARCHIVED = Article("archived", date(2024, 3, 25), victims=9)  # only in an archived copy of the feed
EXPECTED = {IN_FEED, NEWS_ONLY, PAGE_DATED}


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    monkeypatch.setenv("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    monkeypatch.setenv("TIPWATCH_EXTRACT_WORKERS", "1")
    root = tmp_path / "site"
    articles = [IN_FEED, NEWS_ONLY, OLD, LATE_PAGE, PAGE_DATED, UNDATED, FEED_LATE, ARCHIVED]
    write_site(root, articles, {
        "feed.xml": rss([IN_FEED, FEED_LATE]),
        "robots.txt": "User-agent: *\nDisallow: /private/\nSitemap: /sitemap-index.xml\n",
        "sitemap-index.xml": (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<sitemap><loc>{BASE}/sitemap-news.xml</loc></sitemap>"
            "<sitemap><loc>{BASE}/sitemap-2023.xml</loc><lastmod>2023-12-31</lastmod></sitemap>"
            "<sitemap><loc>{BASE}/sitemap-missing.xml</loc></sitemap></sitemapindex>"),
        "sitemap-news.xml": urlset([(NEWS_ONLY, "news"), (OLD, "lastmod"), (LATE_PAGE, "bare"),
                                    (PAGE_DATED, "bare"), (IN_FEED, "lastmod")]),
        "sitemap-2023.xml": "never fetched",
    })
    capture = ["example", "20240326000000", "{BASE}/feed.xml", "application/rss+xml", "200", "D1", "9"]
    with serve(root, cdx=None) as server:
        capture[2] = f"{server.base}/feed.xml"
        server.cdx = [["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"], capture]
        server.archive = {f"/web/20240326000000id_/{server.base}/feed.xml": rss([ARCHIVED, IN_FEED])}
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "example"\nurl = "{server.base}/feed.xml"\nlanguage = "en"\n')
        monkeypatch.setenv("TIPWATCH_WAYBACK_URL", server.base)
        yield server.base, feeds
        assert not any("sitemap-2023" in hit for hit in server.hits)


def loaded(db: Path) -> dict[str, tuple[str | None, str]]:
    from warehouse.connection import open_reader

    with open_reader(db) as con:
        rows = con.execute("SELECT a.url, a.feed, r.kind FROM articles a JOIN runs r USING (run_id)").fetchall()
    return {url.rsplit("/", 1)[-1].removesuffix(".html"): (feed, kind) for url, feed, kind in rows}


@pytest.mark.usefixtures("prefect_harness")
def test_backfill_loads_exactly_the_window_and_resumes(site: tuple[str, Path], tmp_path: Path) -> None:
    from flows.backfill import backfill

    base, feeds = site
    db = tmp_path / "w.duckdb"
    plan = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", feeds_path=str(feeds), dry_run=True)
    assert not db.exists()  # a dry run writes nothing
    assert {i.source_url.rsplit("/", 1)[-1] for i, _ in plan.planned} == {
        "in-feed.html", "news-sitemap.html", "late-page-date.html", "page-dated.html"}
    assert any("sitemap-missing.xml" in p for p in plan.problems)

    first = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", feeds_path=str(feeds))
    assert first.summary is not None and first.summary.status == "ok", first
    assert set(loaded(db)) == {a.slug for a in EXPECTED}
    assert {kind for _, kind in loaded(db).values()} == {"backfill"}
    assert loaded(db)["in-feed"][0] == "example"
    assert first.outside_after_extract == 1 and first.undated == 0
    assert first.summary.articles_new == 3

    again = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", feeds_path=str(feeds))
    assert again.summary is not None and again.summary.articles_new == 0
    assert again.already_loaded == 3  # resumed: nothing loaded twice

    urls = tmp_path / "urls.txt"
    urls.write_text(f"# by hand\n{base}/news/undated.html\n{base}/news/old-lastmod.html\n")
    listed = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", urls_path=str(urls))
    assert listed.undated == 1 and listed.outside_after_extract == 1
    assert set(loaded(db)) == {a.slug for a in EXPECTED}
    keep = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", urls_path=str(urls),
                    keep_undated=True)
    assert keep.summary is not None and keep.summary.articles_new == 1
    assert loaded(db)["undated"] == (None, "backfill")


@pytest.mark.usefixtures("prefect_harness")
def test_wayback_finds_articles_gone_from_the_live_feed(site: tuple[str, Path], tmp_path: Path) -> None:
    from flows.backfill import backfill

    _, feeds = site
    db = tmp_path / "w.duckdb"
    result = backfill(db_path=str(db), since="2024-03-01", until="2024-04-01", feeds_path=str(feeds),
                      sitemaps=False, wayback=True)
    assert result.found["wayback"] == 1
    assert set(loaded(db)) == {"in-feed", "archived"}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tipwatch.cli", *args], capture_output=True, text=True, check=False,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2024-3-1", "--until", "2024-04-01", "--urls", "x"], "--since '2024-3-1' is not a date as YYYY-MM-DD"),
    (["--since", "2024-04-01", "--until", "2024-03-01", "--urls", "x"], "must be after --since"),
    (["--since", "2024-03-01", "--until", "2024-04-01"], "needs --feeds FILE, --urls FILE or both"),
    (["--since", "2024-03-01", "--until", "2024-04-01", "--urls", "/nonexistent"], "does not exist"),
])
def test_bad_input_is_one_line(args: list[str], message: str) -> None:
    done = cli("backfill", "--db", "/tmp/never.duckdb", *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"tipwatch: error: {done.stderr.split('error: ', 1)[1].strip()}"]
    assert message in done.stderr and "Traceback" not in done.stderr


def test_cli_dry_run_and_backfill(site: tuple[str, Path], tmp_path: Path) -> None:
    _, feeds = site
    db = tmp_path / "cli.duckdb"
    env = {k: v for k, v in os.environ.items() if k.startswith("TIPWATCH_")}
    dry = cli("backfill", "--db", str(db), "--feeds", str(feeds), "--since", "2024-03-01",
              "--until", "2024-04-01", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would fetch 4 articles" in dry.stdout and "2024-03-20  sitemap" in dry.stdout
    assert not db.exists()
    done = cli("backfill", "--db", str(db), "--feeds", str(feeds), "--since", "2024-03-01",
               "--until", "2024-04-01", env=env)
    assert done.returncode == 0, done.stderr
    assert "articles: 3 new" in done.stdout and "1 published outside the window" in done.stdout
    assert "Traceback" not in done.stderr
