"""`reextract`: rerun extraction from stored raw HTML, atomically and idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flows.ingest import ingest
from flows.reextract import reextract
from tipwatch.sitehost import serve_site
from warehouse.connection import open_reader, open_writer

pytestmark = pytest.mark.usefixtures("prefect_harness")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Raid {n}</title>
<meta property="article:published_time" content="2024-05-0{n}T08:00:00+00:00"></head><body><article>
<h1>Raid {n}</h1><p>Border police in Ruritania rescued {victims} victims of human trafficking
last year and arrested {arrests} suspected traffickers, the interior ministry said.</p>
<p>Campaigners said trafficking in persons remained widespread in the region's farms.</p>
</article></body></html>"""


def contents(db: Path) -> list[tuple[Any, ...]]:
    with open_reader(db) as con:
        return con.execute(
            "SELECT a.url, a.relevant, a.extractor_version, m.metric, m.value, m.year, m.evidence "
            "FROM articles a LEFT JOIN metrics m ON m.article_url = a.url ORDER BY ALL"
        ).fetchall()


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    items = ""
    for n in range(1, 4):
        (site / "news" / f"{n}.html").write_text(PAGE.format(n=n, victims=10 * n + 4, arrests=n + 1))
        items += f"<item><title>Raid {n}</title><link>{{BASE}}/news/{n}.html</link></item>"
    (site / "feed.xml").write_text(f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>')
    db = tmp_path / "w.duckdb"
    with serve_site(site) as base:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "main"\nurl = "{base}/feed.xml"\nlanguage = "en"\n')
        ingest(feeds_path=str(feeds), db_path=str(db))
    return db


def test_reextract_restores_what_an_older_extractor_left(loaded: Path) -> None:
    original = contents(loaded)
    assert len({row[0] for row in original}) == 3 and any(row[3] == "arrests" for row in original)
    with open_writer(loaded) as con:
        stale = con.execute("SELECT min(url) FROM articles").fetchall()[0][0]
        con.execute("UPDATE articles SET extractor_version = 'old', text = NULL WHERE url = ?", [stale]).fetchall()
        con.execute("DELETE FROM metrics WHERE article_url = ?", [stale]).fetchall()

    summary = reextract(db_path=str(loaded))
    assert summary.articles_new == 1
    assert contents(loaded) == original


def test_reextract_is_idempotent(loaded: Path) -> None:
    original = contents(loaded)
    assert reextract(db_path=str(loaded)).articles_new == 0
    everything = reextract(db_path=str(loaded), everything=True)
    assert everything.articles_new == 3
    assert contents(loaded) == original
    with open_reader(loaded) as con:
        kinds = con.execute("SELECT kind, status FROM runs ORDER BY started_at").fetchall()
    assert kinds == [("ingest", "ok"), ("reextract", "ok"), ("reextract", "ok")]
