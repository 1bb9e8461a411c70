"""`tipwatch sql`, `tipwatch report`, `tipwatch export`: the warehouse for analysts.

Presentation only: the read-only fences live in `warehouse.readonly`, result
streaming in `warehouse.analyst`, files in `warehouse.export` and
`tipwatch.report`. Refused or failing SQL is one line on stderr and exit code 2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from tipwatch.errors import WarehouseError
from warehouse.analyst import (
    ResultStream,
    cell_text,
    stream,
    write_csv,
    write_json,
    write_text_table,
)
from warehouse.readonly import QueryError, check_read_only, execute, one_line, open_query_connection

#: results up to this many rows get a rich table; longer ones stream as plain text
RICH_ROWS = 1000
HISTORY = Path("~/.tipwatch_sql_history")

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (opened read-only).")]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


def _refuse(message: str) -> typer.Exit:
    print(f"tipwatch: error: {message}", file=sys.stderr)
    return typer.Exit(2)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.expanduser().open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _rich_table(result: ResultStream, rows: list[tuple[object, ...]], out: TextIO) -> None:
    table = Table(*result.columns, show_lines=False, highlight=False)
    for row in rows:
        table.add_row(*("NULL" if v is None else cell_text(v) for v in row))
    console = Console(file=out, width=None if out.isatty() else 160, highlight=False)
    console.print(table)
    console.print(f"({len(rows):,} row{'s' if len(rows) != 1 else ''})", highlight=False)


def write_result(result: ResultStream, fmt: Format, out: TextIO) -> int:
    """Write one result in `fmt`; tables of more than RICH_ROWS rows stream as plain text."""
    if fmt is Format.csv:
        return write_csv(result, out)
    if fmt in (Format.json, Format.jsonl):
        return write_json(result, out, lines=fmt is Format.jsonl)
    if not result.columns:
        return 0
    first: list[tuple[object, ...]] = []
    for chunk in result.chunks:
        first.extend(chunk)
        if len(first) > RICH_ROWS:
            return write_text_table(result, out, first)
    _rich_table(result, first, out)
    return len(first)


def run_query(db: Path, query: str, fmt: Format, out: TextIO) -> int:
    statements = check_read_only(query)  # nothing runs unless every statement reads
    if len(statements) > 1:
        raise QueryError(f"one query at a time, got {len(statements)} statements")
    with open_query_connection(db) as con:
        cursor = execute(con, statements[0])
        try:
            return write_result(stream(cursor), fmt, out)
        except duckdb.Error as exc:  # errors can surface while streaming
            raise QueryError(one_line(str(exc))) from None


def _complete(buffer: str) -> bool:
    return buffer.rstrip().endswith(";")


def builtin_prompt(db: Path, read: Callable[[str], str], out: TextIO, err: TextIO) -> None:
    """A small REPL: statements end with `;`, `.quit` or end of input leaves."""
    with open_query_connection(db) as con:
        buffer = ""
        while True:
            try:
                line = read("tipwatch> " if not buffer else "     ...> ")
            except EOFError:
                break
            except KeyboardInterrupt:
                buffer = ""
                err.write("\n")
                continue
            if not buffer and line.strip() in (".quit", ".exit", "\\q"):
                break
            buffer = f"{buffer}\n{line}" if buffer else line
            if not buffer.strip():
                buffer = ""
                continue
            if not _complete(buffer):
                continue
            sql, buffer = buffer, ""
            try:
                for statement in check_read_only(sql):
                    cursor = execute(con, statement)
                    try:
                        write_result(stream(cursor), Format.table, out)
                    except duckdb.Error as exc:
                        raise QueryError(one_line(str(exc))) from None
            except QueryError as exc:
                err.write(f"error: {exc}\n")
            out.flush()


def _interactive(db: Path, builtin: bool) -> None:
    if not db.expanduser().exists():
        raise WarehouseError(f"warehouse {db} does not exist (run `tipwatch run` or `tipwatch demo` first)")
    cli = shutil.which("duckdb")
    if cli and not builtin:
        fence = "SET enable_external_access = false; SET lock_configuration = true;"
        raise typer.Exit(subprocess.call([cli, "-readonly", "-cmd", fence, str(db)]))
    interactive = sys.stdin.isatty()
    history = HISTORY.expanduser()
    if interactive:
        try:
            import readline

            if history.exists():
                readline.read_history_file(history)
        except (ImportError, OSError):
            interactive = False
        print("tipwatch sql (read-only): end statements with ';', .quit to leave", file=sys.stderr)

    def read(prompt: str) -> str:
        return input(prompt) if interactive else _read_line(sys.stdin)

    try:
        builtin_prompt(db, read, sys.stdout, sys.stderr)
    finally:
        if interactive:
            import readline

            try:
                readline.write_history_file(history)
            except OSError:
                pass


def _read_line(stdin: TextIO) -> str:
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def register(app: typer.Typer) -> None:
    @app.command()
    def sql(
        query: Annotated[str | None, typer.Argument(
            help="One read-only SQL query. Without it, an interactive prompt opens.")] = None,
        db: DbOption = Path("tipwatch.duckdb"),
        format: Annotated[Format, typer.Option(
            "--format", "-f", help="table (default), csv, json (one array) or jsonl (one object per line).")
        ] = Format.table,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
        builtin_prompt: Annotated[bool, typer.Option(
            "--builtin-prompt", help="Use tipwatch's prompt even when the duckdb CLI is installed.")] = False,
    ) -> None:
        """Run a read-only SQL query on the warehouse; writes, settings and file access are refused.

        Results stream, so a query returning millions of rows needs little memory.
        Tables: articles, metrics, feeds, fetches, runs; views: metric_facts,
        metrics_by_country_year, coverage, feed_health, article_sources (see docs/warehouse.md).
        """
        if query is None:
            _interactive(db, builtin_prompt)
            return
        try:
            check_read_only(query)
            with _output(out) as handle:
                run_query(db, query, format, handle)
        except QueryError as exc:
            if out is not None:
                out.expanduser().unlink(missing_ok=True)
            raise _refuse(str(exc)) from None
        except BrokenPipeError:
            # the reader (`| head`) has seen enough: stop quietly, as other Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return

    @app.command()
    def report(
        db: DbOption = Path("tipwatch.duckdb"),
        out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
        title: Annotated[str, typer.Option(help="Page title.")] = "tipwatch report",
    ) -> None:
        """Write a self-contained HTML report: figures by year, coverage, conflicts, with evidence.

        The file has no scripts and needs no network: charts are inline SVG.
        """
        from tipwatch.report import build_report

        result = build_report(db, out, title=title)
        summary = "no data yet" if result.data.empty else (
            f"{len(result.data.charts)} metric charts, {len(result.data.coverage)} months, "
            f"{len(result.data.conflicts)} conflicting facts")
        print(f"wrote {result.path} ({result.bytes:,} bytes; {summary})")

    @app.command()
    def export(
        db: DbOption = Path("tipwatch.duckdb"),
        format: Annotated[ExportFormat, typer.Option("--format", "-f", help="parquet or csv.")
                          ] = ExportFormat.parquet,
        out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write (created).")] = Path("export"),
        raw_html: Annotated[bool, typer.Option(
            "--raw-html", help="Include articles.raw_html (binary in Parquet, base64 in CSV).")] = False,
    ) -> None:
        """Write every table and view as one file each, for pandas, R or a notebook."""
        from warehouse.export import export as run_export

        for item in run_export(db, out, format.value, raw_html=raw_html):
            print(f"{item.kind:5} {item.relation:<24} {item.rows:>10,} rows  {item.path}")
