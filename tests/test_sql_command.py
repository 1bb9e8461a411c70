"""`tipwatch sql`: read-only, refusals in one line with exit code 2, formats, --out, the prompt."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_views import known_warehouse

from tipwatch.cli import main
from warehouse.connection import open_reader

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_warehouse(tmp_path / "w.duckdb")


def tipwatch(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def counts(db: Path) -> tuple[int, int, int]:
    with open_reader(db) as con:
        (result,) = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM metrics), "
            "(SELECT count(*) FROM information_schema.tables)").fetchall()
    return result


REFUSED = {
    "delete": "DELETE FROM articles",
    "drop": "DROP TABLE articles",
    "copy to": "COPY articles TO '{tmp}/stolen.csv'",
    "copy query to": "COPY (SELECT * FROM articles) TO '{tmp}/stolen.csv' (FORMAT csv)",
    "attach": "ATTACH '{tmp}/other.duckdb' AS other",
    "detach": "DETACH other",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "create": "CREATE TABLE x AS SELECT 1",
    "create temp": "CREATE TEMP TABLE x AS SELECT 1",
    "update": "UPDATE articles SET title = 'x'",
    "insert": "INSERT INTO articles (url, status) VALUES ('u', 'ok')",
    "alter": "ALTER TABLE articles ADD COLUMN x INTEGER",
    "set": "SET enable_external_access = true",
    "set variable": "SET VARIABLE x = 1",
    "pragma": "PRAGMA enable_external_access",
    "pragma read": "PRAGMA table_info('articles')",
    "call": "CALL checkpoint()",
    "checkpoint": "CHECKPOINT",
    "export": "EXPORT DATABASE '{tmp}/dump'",
    "smuggled": "SELECT 1; DROP TABLE articles",
    "smuggled comment": "SELECT 1 /* harmless */ ; DELETE FROM metrics --",
    "explain analyze": "EXPLAIN ANALYZE DELETE FROM metrics",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "query function": "SELECT * FROM query('DROP TABLE articles')",
    "two selects": "SELECT 1; SELECT 2",
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_writes_and_file_access_are_refused_in_one_line(
    sql: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(db)
    code = tipwatch("sql", sql.format(tmp=tmp_path), "--db", str(db))
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("tipwatch: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert counts(db) == before
    assert not (tmp_path / "stolen.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_refusal_names_the_statement(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("sql", "SELECT 1; DROP TABLE articles", "--db", str(db)) == 2
    assert "refused DROP statement" in capsys.readouterr().err


def test_bad_sql_is_duckdbs_message_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("sql", "SELEC metric FROM metrics", "--db", str(db)) == 2
    err = capsys.readouterr().err
    assert err.startswith("tipwatch: error: Parser Error: syntax error") and err.count("\n") == 1
    assert tipwatch("sql", "SELECT nope FROM metrics", "--db", str(db)) == 2
    assert 'Referenced column "nope" not found' in capsys.readouterr().err


def test_missing_warehouse_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = tipwatch("sql", "SELECT 1", "--db", str(tmp_path / "missing.duckdb"))
    err = capsys.readouterr().err
    assert code != 0 and "does not exist" in err and err.count("\n") == 1
    assert not (tmp_path / "missing.duckdb").exists()


QUERY = "SELECT metric, value, country, sources FROM metric_facts WHERE metric = 'prosecutions'"


def test_table_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("sql", QUERY, "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert "metric" in out and "prosecutions" in out and "CUB" in out and "(1 row)" in out


def test_csv_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("sql", QUERY, "--db", str(db), "--format", "csv") == 0
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == [
        ["metric", "value", "country", "sources"],
        ["prosecutions", "6", "CUB", '["Radio Habana Cuba", "cubadebate.cu"]'],
    ]


def test_json_and_jsonl_formats(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = {"metric": "prosecutions", "value": 6, "country": "CUB",
                "sources": ["Radio Habana Cuba", "cubadebate.cu"]}
    assert tipwatch("sql", QUERY, "--db", str(db), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [expected]
    assert tipwatch("sql", QUERY, "--db", str(db), "--format", "jsonl") == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [expected]
    assert tipwatch("sql", "SELECT 1 AS x WHERE false", "--db", str(db), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_out_writes_the_file_not_stdout(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "facts.json"
    assert tipwatch("sql", "SELECT first_seen FROM metric_facts WHERE metric = 'prosecutions'",
                    "--db", str(db), "--format", "json", "--out", str(target)) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text(encoding="utf-8")) == [{"first_seen": "2023-03-10T12:00:00+00:00"}]


def test_large_results_stream_as_a_plain_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tipwatch("sql", "SELECT i, repeat('x', 100) AS wide FROM range(25000) t(i)", "--db", str(db)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["i", "wide"] and lines[-1] == "(25,000 rows)"
    assert len(lines) == 25003 and lines[-2].startswith("24999") and lines[-2].endswith("…")


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tipwatch.cli", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=120, check=False)


def test_interactive_prompt_reads_statements_until_eof(db: Path) -> None:
    result = run_cli("sql", "--db", str(db), "--builtin-prompt", stdin=(
        "SELECT count(*) AS n\n  FROM metric_facts;\n"
        "DROP TABLE articles;\n"
        "SELECT * FROM read_csv('/etc/passwd');\n"
        "SELECT 'still here' AS s;\n"
    ))
    assert result.returncode == 0, result.stderr
    assert "6" in result.stdout and "still here" in result.stdout
    assert "refused DROP statement" in result.stderr and "Permission Error" in result.stderr
    assert counts(db)[0] == 9


def test_interactive_prompt_quits_on_dot_quit(db: Path) -> None:
    result = run_cli("sql", "--db", str(db), "--builtin-prompt", stdin=".quit\nSELECT 'after' AS a;\n")
    assert result.returncode == 0 and "after" not in result.stdout


def test_a_warehouse_not_yet_migrated_gets_temporary_views(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    from warehouse.migrate import available

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(available()[0][1])  # only 0001, as an older tipwatch left it
    con.close()
    assert tipwatch("sql", "SELECT count(*) AS n FROM metric_facts", "--db", str(db), "-f", "csv") == 0
    assert capsys.readouterr().out == "n\n0\n"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [(0,)]
    con.close()
