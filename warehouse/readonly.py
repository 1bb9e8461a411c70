"""Running an analyst's SQL without letting it change anything.

Two fences, because either alone has holes:

1. Before anything runs, every statement is parsed by DuckDB itself
   (`duckdb.extract_statements`) and only plain reads (SELECT, and EXPLAIN of a
   SELECT) are let through. A write, a SET, a PRAGMA, a CALL, an ATTACH, an
   INSTALL/LOAD or several statements smuggled after a SELECT are refused with
   one line, and nothing is executed.
2. The connection is read-only (`open_reader`), and before the user's SQL runs it
   sets `enable_external_access = false` and then `lock_configuration = true`:
   no `read_csv('/etc/passwd')`, no `COPY ... TO`, no `ATTACH` of another file,
   no extension install, no Python replacement scans, and no way to switch that
   back on. Session time zone is UTC, so timestamps print as stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from tipwatch.errors import TipwatchError
from warehouse.connection import open_reader
from warehouse.migrate import available

#: statement types that only read
READ_TYPES = {duckdb.StatementType.SELECT}

_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)
_ADVICE = {
    "PRAGMA": " (for table information use DESCRIBE name or SELECT * FROM pragma_table_info('name'))",
    "CALL": " (call table functions as SELECT * FROM function(...))",
    "MULTI": " (write PIVOT with an explicit IN (...) list)",
}


class QueryError(TipwatchError):
    """The query cannot run: DuckDB's own message, in one line."""


class QueryRefused(QueryError):
    """The query would write, change settings or touch files: refused, not run."""


def one_line(message: str) -> str:
    """DuckDB messages span lines (a `LINE 1: ... ^` excerpt follows); the CLI shows one line."""
    head = re.split(r"\n\s*LINE \d+:", message.strip(), maxsplit=1)[0]
    return " ".join(part.strip() for part in head.splitlines() if part.strip())


def _kind(statement: duckdb.Statement) -> str:
    return str(statement.type).rsplit(".", 1)[-1]


def _snippet(sql: str) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def parse(sql: str) -> list[duckdb.Statement]:
    """The statements in `sql`, parsed by DuckDB; a syntax error is a QueryError."""
    try:
        return list(duckdb.extract_statements(sql))
    except duckdb.Error as exc:
        raise QueryError(one_line(str(exc))) from None


def check_read_only(sql: str) -> list[duckdb.Statement]:
    """Refuse `sql` unless every statement in it only reads; return the statements.

    EXPLAIN is allowed for what it explains: `EXPLAIN ANALYZE DELETE ...` would
    run the DELETE, so the explained statement is checked as well.
    """
    statements = parse(sql)
    if not statements:
        raise QueryError("no SQL statement given")
    for statement in statements:
        kind = _kind(statement)
        if kind == "EXPLAIN":
            inner = parse(_EXPLAIN.sub("", statement.query, count=1))
            if len(inner) == 1 and inner[0].type in READ_TYPES:
                continue
            kind = "EXPLAIN of " + (_kind(inner[0]) if inner else "an unknown statement")
        elif statement.type in READ_TYPES:
            continue
        raise QueryRefused(
            f"refused {kind} statement, tipwatch sql only reads: "
            f"{_snippet(statement.query)}{_ADVICE.get(kind, '')}"
        )
    return statements


def fence(con: duckdb.DuckDBPyConnection) -> None:
    """Second fence: no file or network access, settings locked, times in UTC."""
    con.execute("SET TimeZone = 'UTC'").fetchall()
    con.execute("SET enable_progress_bar = false").fetchall()
    con.execute("SET enable_external_access = false").fetchall()
    con.execute("SET lock_configuration = true").fetchall()


def ensure_views(con: duckdb.DuckDBPyConnection) -> None:
    """Give a warehouse not yet migrated to the analyst views temporary copies of them.

    Migrations run on the first write, so a file last written by an older tipwatch
    lacks the views until the next `tipwatch run`; readers should not have to wait
    for that. Temporary views live in the connection only and change nothing on disk.
    """
    present = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'metric_facts'").fetchall()[0][0]
    tables = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('articles', 'metrics', 'feeds', "
        "'fetches') AND schema_name = 'main'").fetchall()[0][0]
    if present or tables < 4:
        return
    for name, sql in available():
        if name.startswith("0002_"):
            con.execute(sql.replace("CREATE VIEW ", "CREATE TEMP VIEW ")).fetchall()


@contextmanager
def open_query_connection(db: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only, fenced connection for user SQL (see the module docstring)."""
    with open_reader(db) as con:
        try:
            ensure_views(con)
        except duckdb.Error as exc:
            raise QueryError(f"cannot set up the analyst views: {one_line(str(exc))}") from None
        fence(con)
        yield con


def execute(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> duckdb.DuckDBPyConnection:
    """Run one already-checked statement; a DuckDB error becomes a one-line QueryError."""
    try:
        return con.execute(statement.query)
    except duckdb.Error as exc:
        raise QueryError(one_line(str(exc))) from None
