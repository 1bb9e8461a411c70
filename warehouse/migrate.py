"""Named, transactional schema migrations recorded in the warehouse itself.

Each `migrations/NNNN_name.sql` file runs once, inside a transaction together
with its row in `schema_migrations`, so a crash mid-migration leaves the
previous schema intact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import duckdb


def available() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with this version, in order."""
    folder = resources.files("warehouse.migrations")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def applied(con: duckdb.DuckDBPyConnection) -> set[str]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
    )
    return {row[0] for row in con.execute("SELECT name FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the missing migrations; return their names."""
    done = applied(con)
    ran: list[str] = []
    for name, sql in available():
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, datetime.now(UTC)]).fetchall()
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        ran.append(name)
    return ran
