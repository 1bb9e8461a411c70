"""A scheduled-style run and a CLI backfill at the same time, plus an analyst's reader: nothing lost or doubled."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from backfill_site import Article, rss, serve, write_site

from tipwatch.errors import TipwatchError

ARTICLES = [Article(f"story-{i:02d}", date(2024, 3, 1 + i), victims=5 + 3 * i) for i in range(12)]
IN_FEED = ARTICLES[:8]
IN_LIST = ARTICLES[4:]  # 4..7 are in both


def snapshot(db: Path) -> tuple[list[str], list[tuple[object, ...]], int]:
    from warehouse.connection import open_reader

    with open_reader(db) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
        metrics = con.execute(
            "SELECT article_url, metric, value, qualifier, year, country, evidence FROM metrics ORDER BY ALL"
        ).fetchall()
        rows = int(con.execute("SELECT count(*) FROM articles").fetchone()[0])  # type: ignore[index]
    return urls, metrics, rows


def commands(feeds: Path, urls: Path, db: Path) -> list[list[str]]:
    cli = [sys.executable, "-m", "tipwatch.cli"]
    return [
        [*cli, "run", "--feeds", str(feeds), "--db", str(db), "--respect-intervals"],
        [*cli, "backfill", "--urls", str(urls), "--db", str(db), "--since", "2024-03-01", "--until", "2024-04-01"],
    ]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_run_and_backfill_at_once_equal_a_sequential_pass(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, ARTICLES, {"feed.xml": rss(IN_FEED)})
    env = {**os.environ, "TIPWATCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.1", "TIPWATCH_BATCH_SIZE": "2",
           "TIPWATCH_EXTRACT_WORKERS": "1", "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    with serve(root, delay=1.0) as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "local"\nurl = "{site.base}/feed.xml"\nlanguage = "en"\n')
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{site.base}{a.path}\n" for a in IN_LIST))

        sequential = tmp_path / "sequential.duckdb"
        for command in commands(feeds, urls, sequential):
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=180, env=env)
            assert done.returncode == 0, done.stderr

        together = tmp_path / "together.duckdb"
        stop = threading.Event()
        reads: list[int] = []
        failures: list[BaseException] = []

        def analyst() -> None:
            while not stop.is_set():
                if together.exists():
                    try:
                        reads.append(snapshot(together)[2])
                    except (TipwatchError, duckdb.Error) as exc:  # a read must succeed or wait, never fail
                        if "does not exist" not in str(exc) and "Catalog Error" not in str(exc):
                            failures.append(exc)
                time.sleep(0.05)

        reader = threading.Thread(target=analyst, daemon=True)
        reader.start()
        procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for c in commands(feeds, urls, together)]
        outputs = [p.communicate(timeout=180) for p in procs]
        stop.set()
        reader.join(timeout=30)
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out + err
        assert "Traceback" not in err
    assert failures == []
    assert reads, "the analyst never got a read in"
    urls_s, metrics_s, rows_s = snapshot(sequential)
    urls_t, metrics_t, rows_t = snapshot(together)
    assert len(urls_s) == len(ARTICLES) == rows_s
    assert urls_t == urls_s and rows_t == len(urls_t)  # nothing lost, nothing doubled
    assert metrics_t == metrics_s
    assert passes_overlapped(together), "the two passes ran one after the other; slow the pages down"


def passes_overlapped(db: Path) -> bool:
    from warehouse.connection import open_reader

    with open_reader(db) as con:
        spans = con.execute("SELECT kind, started_at, finished_at FROM runs ORDER BY started_at").fetchall()
    assert sorted(kind for kind, _, _ in spans) == ["backfill", "ingest"]
    (_, first_start, first_end), (_, second_start, _) = spans
    return bool(second_start < first_end)
