"""The `ingest` flow end to end against real HTTP servers on 127.0.0.1.

One hostile site carries every bad case beside good articles; the assertions
say what each case must leave in the warehouse and that the good ones land.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import ingest
from hostile_server import HostileServer
from tipwatch.sitehost import serve_site
from warehouse.connection import open_reader
from warehouse.writer import WarehouseWriter

pytestmark = pytest.mark.usefixtures("prefect_harness")

STORY = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2024-03-0{day}T10:00:00+00:00"></head>
<body><nav>Home | World | Sport</nav><article><h1>{title}</h1>
<p>Police in Ruritania said on Monday that they had rescued 23 victims of human trafficking
during raids on farms, in one of the largest operations against trafficking in persons
this year.</p>
<p>Officers arrested 7 suspected traffickers, and prosecutors opened 12 investigations into
forced labour, according to the national anti-trafficking office.</p>
<p>Campaigners said the country still lacked shelters for survivors of trafficking and
called for more labour inspections on farms and in factories across the region.</p>
</article><footer>Copyright</footer></body></html>"""

FOOTBALL = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cup final</title>
<meta property="article:published_time" content="2024-03-02T10:00:00+00:00"></head><body><article>
<h1>Cup final</h1><p>The home side won the cup final 3-1 in front of 40,000 fans on Saturday,
with two goals from their captain in the second half.</p><p>Heavy traffic delayed many
supporters on their way to the stadium, and the kick-off was pushed back by fifteen
minutes while the crowd found its seats.</p></article></body></html>"""


def rss(items: list[str]) -> bytes:
    body = "".join(f"<item><title>{u.rsplit('/', 1)[-1]}</title><link>{u}</link>"
                   f"<pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate></item>" for u in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>http://example.org/</link><description>d</description>{body}</channel></rss>").encode()


def feeds_toml(path: Path, feeds: dict[str, str]) -> Path:
    path.write_text("".join(
        f'[[feeds]]\nname = "{name}"\nurl = "{url}"\nlanguage = "en"\n\n' for name, url in feeds.items()
    ))
    return path


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(db) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    monkeypatch.setenv("TIPWATCH_REQUEST_DEADLINE", "2")
    monkeypatch.setenv("TIPWATCH_READ_TIMEOUT", "1")
    monkeypatch.setenv("TIPWATCH_MAX_BODY_BYTES", str(2 * 1024 * 1024))
    monkeypatch.setenv("TIPWATCH_RETRIES", "1")
    monkeypatch.setenv("TIPWATCH_EXTRACT_WORKERS", "1")
    monkeypatch.setenv("TIPWATCH_BATCH_SIZE", "4")


@pytest.fixture
def site(env: None) -> Iterator[HostileServer]:
    with HostileServer() as server:
        html = {"Content-Type": "text/html; charset=utf-8"}
        server.add_route("/news/raid.html", 200, html, STORY.format(title="Farm raids free 23", day=1).encode())
        server.add_route("/news/cup.html", 200, html, FOOTBALL.encode())
        server.add_route("/doc.pdf", 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")
        u = server.url
        good = [u("/news/raid.html"), u("/news/cup.html"), u("/latin1")]
        bad = [u("/status/404"), u("/status/500"), u("/huge?size=50000000"), u("/gzip-bomb?size=1073741824"),
               u("/drip?bytes=30&interval=1"), u("/redirect-loop"), u("/redirect-metadata"),
               "http://169.254.169.254/latest/meta-data/", u("/binary"), u("/doc.pdf")]
        server.add_route("/feed-a.xml", 200, {"Content-Type": "application/rss+xml"}, rss(good + bad))
        # the same story again, behind tracking parameters and a fragment
        server.add_route("/feed-b.xml", 200, {"Content-Type": "application/rss+xml"},
                         rss([u("/news/raid.html?utm_source=rss&utm_medium=feed#top")]))
        server.add_route("/feed-broken.xml", 200, {"Content-Type": "application/rss+xml"},
                         b"<html><body><h1>Not a feed</h1><p>Just a page.</p></body></html>")
        yield server


def test_one_pass_loads_good_articles_and_records_every_failure(site: HostileServer, tmp_path: Path) -> None:
    feeds = feeds_toml(tmp_path / "feeds.toml", {
        "a": site.url("/feed-a.xml"), "b": site.url("/feed-b.xml"),
        "broken": site.url("/feed-broken.xml"), "gone": site.url("/status/404"),
    })
    db = tmp_path / "w.duckdb"
    summary = ingest(feeds_path=str(feeds), db_path=str(db))

    assert (summary.feeds_ok, summary.feeds_failed) == (2, 2)
    status = dict(rows(db, "SELECT regexp_replace(url, '^http://127.0.0.1:[0-9]+', ''), status FROM articles"))
    assert status == {
        "/news/raid.html": "ok", "/news/cup.html": "ok", "/latin1": "ok",
        "/status/404": "http_error", "/huge?size=50000000": "too_large",
        "/gzip-bomb?size=1073741824": "too_large", "/redirect-loop": "too_many_redirects",
        "/redirect-metadata": "refused", "http://169.254.169.254/latest/meta-data/": "refused",
        "/binary": "not_html", "/doc.pdf": "not_html",
    }
    # transient failures (500, a dripping server) are not stored: the next pass retries them
    assert summary.articles_failed == 2
    relevant = dict(rows(db, "SELECT regexp_replace(url, '^http://127.0.0.1:[0-9]+', ''), relevant FROM articles WHERE status = 'ok'"))
    assert relevant == {"/news/raid.html": True, "/news/cup.html": False, "/latin1": True}
    (latin1_text,) = rows(db, "SELECT text FROM articles WHERE url LIKE '%/latin1'")[0]
    assert "rescató" in latin1_text and "Señal" in latin1_text
    # the duplicate behind tracking parameters is one article, owned by the first feed
    assert rows(db, "SELECT feed FROM articles WHERE url LIKE '%/news/raid.html'") == [("a",)]
    assert rows(db, "SELECT count(*) FROM metrics m JOIN articles a ON a.url = m.article_url "
                    "WHERE a.relevant IS NOT TRUE") == [(0,)]
    # the metadata address was never contacted; every attempt is recorded with an outcome
    outcomes = dict(rows(db, "SELECT regexp_replace(url, '^http://127.0.0.1:[0-9]+', ''), outcome FROM fetches "
                             "WHERE outcome NOT IN ('retried', 'redirected')"))
    assert outcomes["http://169.254.169.254/latest/meta-data/"] == "refused"
    assert outcomes["/drip?bytes=30&interval=1"] == "timeout"
    assert outcomes["/status/500"] == "http_error"
    feed_status = dict(rows(db, "SELECT name, last_status FROM feeds"))
    assert feed_status == {"a": "ok", "b": "ok", "broken": "malformed", "gone": "http_error"}
    assert rows(db, "SELECT status, articles_new FROM runs") == [("ok", 11)]


def test_second_pass_fetches_only_what_failed_transiently(site: HostileServer, tmp_path: Path) -> None:
    feeds = feeds_toml(tmp_path / "feeds.toml", {"a": site.url("/feed-a.xml"), "b": site.url("/feed-b.xml")})
    db = tmp_path / "w.duckdb"
    ingest(feeds_path=str(feeds), db_path=str(db))
    before = rows(db, "SELECT count(*), (SELECT count(*) FROM metrics) FROM articles")
    hits_before = site.hits("/news/raid.html")
    second = ingest(feeds_path=str(feeds), db_path=str(db))
    assert rows(db, "SELECT count(*), (SELECT count(*) FROM metrics) FROM articles") == before
    assert site.hits("/news/raid.html") == hits_before
    assert second.articles_new == 0
    # feed b has nothing pending: its unchanged body is not parsed again
    assert dict(rows(db, "SELECT name, last_status FROM feeds"))["b"] == "unchanged"


def write_site(root: Path, n: int) -> None:
    (root / "feeds").mkdir(parents=True)
    (root / "news").mkdir()
    links = []
    for i in range(1, n + 1):
        (root / "news" / f"{i}.html").write_text(STORY.format(title=f"Raid {i}", day=i % 9 + 1))
        links.append(f"{{BASE}}/news/{i}.html")
    (root / "feeds" / "main.xml").write_bytes(rss(links))


def test_unchanged_feed_costs_one_conditional_request(env: None, tmp_path: Path) -> None:
    write_site(tmp_path / "site", 3)
    db = tmp_path / "w.duckdb"
    with serve_site(tmp_path / "site") as base:
        feeds = feeds_toml(tmp_path / "feeds.toml", {"main": f"{base}/feeds/main.xml"})
        first = ingest(feeds_path=str(feeds), db_path=str(db))
        second = ingest(feeds_path=str(feeds), db_path=str(db))
    assert first.articles_new == 3 and second.articles_new == 0
    assert second.requests == 1
    assert rows(db, "SELECT last_status, last_http_status FROM feeds") == [("not_modified", 304)]


def test_an_interrupted_pass_is_completed_by_the_next(env: None, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tmp_path / "site", 9)
    with serve_site(tmp_path / "site") as base:
        feeds = feeds_toml(tmp_path / "feeds.toml", {"main": f"{base}/feeds/main.xml"})
        clean = tmp_path / "clean.duckdb"
        ingest(feeds_path=str(feeds), db_path=str(clean))

        broken = tmp_path / "broken.duckdb"
        real_load = WarehouseWriter.load_batch
        loads = {"n": 0}

        def dying_load(self: WarehouseWriter, *args: Any, **kwargs: Any) -> None:
            loads["n"] += 1
            if loads["n"] == 2:
                raise OSError(28, "No space left on device")
            real_load(self, *args, **kwargs)

        monkeypatch.setattr(WarehouseWriter, "load_batch", dying_load)
        with pytest.raises(OSError):
            ingest(feeds_path=str(feeds), db_path=str(broken))
        monkeypatch.setattr(WarehouseWriter, "load_batch", real_load)
        partial = rows(broken, "SELECT count(*) FROM articles")[0][0]
        assert 0 < partial < 9
        assert rows(broken, "SELECT status FROM runs") == [("failed",)]
        ingest(feeds_path=str(feeds), db_path=str(broken))

    query = ("SELECT a.url, a.status, a.relevant, m.metric, m.value, m.year, m.country FROM articles a "
             "LEFT JOIN metrics m ON m.article_url = a.url ORDER BY ALL")
    assert rows(broken, query) == rows(clean, query)
    assert rows(broken, "SELECT count(*) - count(DISTINCT url) FROM articles") == [(0,)]
