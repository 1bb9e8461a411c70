"""`tipwatch export`: one Parquet or CSV file per table and view, readable back with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from test_views import known_warehouse

from tipwatch.cli import main
from warehouse.connection import open_reader

RELATIONS = {"articles", "metrics", "feeds", "fetches", "runs", "schema_migrations", "article_sources",
             "metric_facts", "metrics_by_country_year", "coverage", "feed_health"}


def tipwatch(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_warehouse(tmp_path / "w.duckdb")


def expected_counts(db: Path) -> dict[str, int]:
    with open_reader(db) as con:
        return {r: con.execute(f"SELECT count(*) FROM {r}").fetchall()[0][0] for r in RELATIONS}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_one_file_per_relation_readable_back(fmt: str, db: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "export"
    assert tipwatch("export", "--db", str(db), "--format", fmt, "--out", str(out)) == 0
    assert "metric_facts" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {f"{r}.{fmt}" for r in RELATIONS}
    counts = expected_counts(db)
    con = duckdb.connect()
    for relation in RELATIONS:
        path = str(out / f"{relation}.{fmt}")
        assert con.execute("SELECT count(*) FROM read_" + fmt + "(?)", [path]).fetchall()[0][0] == \
            counts[relation], relation
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{out}/articles.{fmt}'").fetchall()]
    assert "raw_html" not in columns and "text" in columns
    facts = con.execute(
        f"SELECT value, n_sources, conflicting FROM '{out}/metric_facts.{fmt}' "
        "WHERE metric = 'arrests' ORDER BY value").fetchall()
    assert facts == [(179, 1, True), (200, 1, True)]
    con.close()


def test_parquet_keeps_types(db: Path, tmp_path: Path) -> None:
    assert tipwatch("export", "--db", str(db), "--out", str(tmp_path / "p")) == 0
    con = duckdb.connect()
    types = dict(con.execute(
        f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{tmp_path}/p/metric_facts.parquet')"
    ).fetchall())
    assert types["sources"] == "VARCHAR[]" and types["first_seen"] == "TIMESTAMP WITH TIME ZONE"
    assert types["conflicting"] == "BOOLEAN"
    con.close()


def test_raw_html_on_request(db: Path, tmp_path: Path) -> None:
    assert tipwatch("export", "--db", str(db), "-f", "csv", "--out", str(tmp_path / "c"), "--raw-html") == 0
    assert tipwatch("export", "--db", str(db), "--out", str(tmp_path / "p"), "--raw-html") == 0
    con = duckdb.connect()
    (b64,), = con.execute(
        f"SELECT DISTINCT raw_html FROM read_csv('{tmp_path}/c/articles.csv', all_varchar=true)").fetchall()
    (raw,), = con.execute(f"SELECT DISTINCT raw_html FROM '{tmp_path}/p/articles.parquet'").fetchall()
    assert b64 == "eJwAcmF3" and raw == b"\x78\x9c\x00raw"
    con.close()


def test_export_of_missing_warehouse_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("export", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "x")) != 0
    err = capsys.readouterr().err
    assert "does not exist" in err and err.count("\n") == 1
