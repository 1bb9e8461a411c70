"""Query results as CSV, JSON or a plain-text table, streamed chunk by chunk.

Why streamed: an analyst's `SELECT * FROM metrics` may return millions of rows;
rows are pulled with `fetchmany` (DuckDB streams the result) and written as they
come, so memory stays flat whatever the size. Writers take any text stream; the
command decides whether that is stdout or a file.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import duckdb

#: rows pulled from DuckDB per chunk
CHUNK_ROWS = 10_000
#: widest column in the streamed plain-text table
MAX_WIDTH = 40

Row = tuple[Any, ...]


@dataclass
class ResultStream:
    """Column names and an iterator of row chunks, consumed once."""

    columns: list[str]
    chunks: Iterator[list[Row]]


def stream(cursor: duckdb.DuckDBPyConnection, chunk_rows: int = CHUNK_ROWS) -> ResultStream:
    """Wrap an executed cursor; rows are fetched lazily, `chunk_rows` at a time."""
    columns = [d[0] for d in (cursor.description or [])]

    def chunks() -> Iterator[list[Row]]:
        if not columns:
            cursor.fetchall()  # a statement without a result still has to finish
            return
        while rows := cursor.fetchmany(chunk_rows):
            yield rows

    return ResultStream(columns, chunks())


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def to_json(value: object) -> str:
    """JSON text of one value: timestamps ISO 8601, bytes base64, decimals as numbers."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def cell_text(value: object) -> str:
    """How one value reads in CSV or a text table: NULL empty, lists and maps as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, list | tuple | dict | bytes | bytearray | memoryview):
        return to_json(value)
    return str(value)


def write_csv(result: ResultStream, out: TextIO) -> int:
    """RFC 4180 CSV with a header row; returns the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    count = 0
    for rows in result.chunks:
        writer.writerows([cell_text(v) for v in row] for row in rows)
        count += len(rows)
    return count


def write_json(result: ResultStream, out: TextIO, *, lines: bool = False) -> int:
    """A JSON array of objects (or JSON Lines, one object per line), written as it streams."""
    count = 0
    out.write("" if lines else "[")
    for rows in result.chunks:
        for row in rows:
            text = to_json(dict(zip(result.columns, row, strict=True)))
            if lines:
                out.write(text + "\n")
            else:
                out.write(("\n" if count == 0 else ",\n") + text)
            count += 1
    if not lines:
        out.write("\n]\n" if count else "]\n")
    return count


def _fit(value: object, width: int) -> str:
    """A cell cut to its column; numbers are never cut (a wrong number is worse than a ragged row)."""
    text = cell_text(value).replace("\n", " ")
    if len(text) <= width or isinstance(value, int | float | decimal.Decimal):
        return text
    return text[: width - 1] + "…"


def _widths(columns: Sequence[str], rows: Iterable[Row]) -> list[int]:
    widths = [min(len(c), MAX_WIDTH) for c in columns]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = min(MAX_WIDTH, max(widths[i], len(cell_text(value))))
    return widths


def write_text_table(result: ResultStream, out: TextIO, first: list[Row] | None = None) -> int:
    """A plain aligned table for results too big for a rich table.

    Column widths come from the first chunk (so printing starts at once), are
    capped at MAX_WIDTH, and longer cells are cut with an ellipsis.
    """
    first = first if first is not None else next(result.chunks, [])
    widths = _widths(result.columns, first)
    out.write("  ".join(_fit(c, w).ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip())
    out.write("\n" + "  ".join("-" * w for w in widths) + "\n")
    count = 0

    def emit(rows: list[Row]) -> None:
        nonlocal count
        for row in rows:
            cells = (_fit(v, w) for v, w in zip(row, widths, strict=True))
            out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")
        count += len(rows)

    emit(first)
    for rows in result.chunks:
        emit(rows)
    out.write(f"({count:,} rows)\n")
    return count
