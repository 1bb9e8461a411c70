"""The warehouse: migrations, idempotent batched loads, one writer at a time."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extractors.article import ArticleRecord
from extractors.metrics import Metric
from tipwatch.errors import WarehouseError, WarehouseLockedError
from warehouse.connection import lock_path, open_reader, open_writer
from warehouse.load import known_urls, load_articles
from warehouse.migrate import available

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def record(url: str, *metrics: Metric, relevant: bool = True) -> ArticleRecord:
    return ArticleRecord(
        url=url, source_url=url + "?utm_source=x", final_url=url, feed="f", status="ok",
        text="Police arrested five people.", raw_html=b"x", relevant=relevant,
        relevance_terms=("trafficking",), metrics=metrics, fetched_at=NOW, extracted_at=NOW,
        extractor_version="test",
    )


def arrests(value: int) -> Metric:
    return Metric("arrests", value, "persons", "exact", 2023, "CUB", "Police arrested people.", 0, 10, 0.9)


def counts(db: Path) -> tuple[int, int]:
    with open_reader(db) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
        metrics = con.execute("SELECT count(*) FROM metrics").fetchall()[0][0]
    return articles, metrics


def test_migrations_are_recorded_and_run_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    for _ in range(2):
        with open_writer(db) as con:
            names = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    assert names == [name for name, _ in available()]


def test_loading_the_same_batch_twice_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    batch = [record("https://a.example/1", arrests(5), arrests(7)), record("https://a.example/2")]
    for _ in range(2):
        with open_writer(db) as con:
            load_articles(con, batch, None, "run-1")
    assert counts(db) == (2, 2)


def test_reloading_an_article_replaces_its_metrics(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db) as con:
        load_articles(con, [record("https://a.example/1", arrests(5), arrests(7))], None, "run-1")
        load_articles(con, [record("https://a.example/1", arrests(9))], None, "run-2")
        values = con.execute("SELECT value, run_id FROM metrics").fetchall()
    assert values == [(9, "run-2")]


def test_known_urls(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db) as con:
        load_articles(con, [record("https://a.example/1")], None, "r")
        assert known_urls(con, ["https://a.example/1", "https://a.example/2"]) == {"https://a.example/1"}
        assert known_urls(con, []) == set()


def test_a_failed_batch_leaves_nothing_half_written(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = record("https://a.example/2", Metric("arrests", 1, "persons", "exact", None, None, None, 0, 0, 1.0))  # type: ignore[arg-type]
    with open_writer(db) as con, pytest.raises(duckdb.ConstraintException):
        load_articles(con, [record("https://a.example/1", arrests(5)), bad], None, "r")
    assert counts(db) == (0, 0)


def test_second_writer_waits_then_says_so(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db):
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError, match="another tipwatch process"):
            with open_writer(db, timeout=0.5):
                pass
        assert 0.4 < time.monotonic() - started < 5


def test_writer_waits_for_a_reader_in_another_process(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db) as con:
        load_articles(con, [record("https://a.example/1")], None, "r")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('open', flush=True); time.sleep(1.5)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with open_writer(db, timeout=20) as con:
            load_articles(con, [record("https://a.example/2")], None, "r")
    finally:
        holder.wait(timeout=20)
        assert holder.stdout is not None
        holder.stdout.close()
    assert counts(db) == (2, 0)


def test_reader_of_a_missing_warehouse_says_so(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist"):
        with open_reader(tmp_path / "nope.duckdb"):
            pass


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(WarehouseError):
        with open_writer(db):
            pass
    assert lock_path(db).name == "w.duckdb.lock"
