"""Every table and view as one Parquet or CSV file, for pandas, R or a notebook.

This is tipwatch's own SQL, not the user's, so it may write files: DuckDB's
`COPY (SELECT ...) TO` on a read-only connection (no writer lock taken, so it runs
beside ingestion). Each file is written under a temporary name and renamed, so a
half-written export never looks complete.

`articles.raw_html` (zlib-compressed page bytes) is left out unless asked for:
it is most of the file's size and of no use outside `tipwatch reextract`. When
included it is a binary column in Parquet and base64 text in CSV.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tipwatch.errors import TipwatchError
from warehouse.connection import open_reader

FORMATS = ("parquet", "csv")


class ExportError(TipwatchError):
    """The export folder cannot be written, or DuckDB failed to write a file."""


@dataclass(frozen=True)
class Exported:
    relation: str
    kind: str  # table | view
    path: Path
    rows: int


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') of the warehouse's user-facing relations, tables first."""
    rows = con.execute(
        """SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END
             FROM information_schema.tables
            WHERE table_schema = 'main' AND table_catalog = current_database()
            ORDER BY table_type, table_name"""
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _select(con: duckdb.DuckDBPyConnection, relation: str, fmt: str, raw_html: bool) -> str:
    columns = [
        str(r[0]) for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
            [relation],
        ).fetchall()
    ]
    parts: list[str] = []
    for column in columns:
        if relation == "articles" and column == "raw_html":
            if not raw_html:
                continue
            if fmt == "csv":
                parts.append(f"to_base64({_quote_ident(column)}) AS {_quote_ident(column)}")
                continue
        parts.append(_quote_ident(column))
    return f"SELECT {', '.join(parts)} FROM {_quote_ident(relation)}"


def export(db: str | Path, out_dir: str | Path, fmt: str, *, raw_html: bool = False) -> list[Exported]:
    """Write one `<relation>.<fmt>` per table and view into `out_dir` (created if needed)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    folder = Path(out_dir).expanduser()
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
    done: list[Exported] = []
    with open_reader(db) as con:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create {folder}: {exc.strerror}") from None
        con.execute("SET TimeZone = 'UTC'").fetchall()
        con.execute("SET enable_progress_bar = false").fetchall()  # library code prints nothing
        for relation, kind in relations(con):
            target = folder / f"{relation}.{fmt}"
            partial = folder / f".{relation}.{fmt}.partial"
            query = _select(con, relation, fmt, raw_html)
            try:
                # COPY answers with the number of rows it wrote
                copied = con.execute(f"COPY ({query}) TO {_quote_literal(str(partial))} ({options})").fetchall()
                rows = copied[0][0] if copied else 0
            except duckdb.Error as exc:
                partial.unlink(missing_ok=True)
                raise ExportError(f"exporting {relation}: {' '.join(str(exc).split())}") from None
            os.replace(partial, target)
            done.append(Exported(relation, kind, target, int(rows)))
    return done
