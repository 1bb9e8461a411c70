"""`tipwatch run`: one ingestion pass, then exit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tipwatch.commands.output import print_summary, progress_bars

FeedsOption = Annotated[Path, typer.Option("--feeds", help="Feed registry (TOML with [[feeds]] entries).")]
DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")]


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        feeds: FeedsOption = Path("feeds.toml"),
        db: DbOption = Path("tipwatch.duckdb"),
        respect_intervals: Annotated[bool, typer.Option(
            help="Skip feeds polled less than their interval ago (what scheduled runs do).")] = False,
        progress: Annotated[bool | None, typer.Option(
            help="Show progress bars (default: when stderr is a terminal).")] = None,
    ) -> None:
        """Poll every feed once, fetch and extract new articles, load them, print a summary.

        A failing feed or article is recorded and never fails the pass; the exit
        code is non-zero only when the pass cannot run at all.
        """
        from flows.ingest import ingest

        with progress_bars(progress):
            summary = ingest(feeds_path=str(feeds), db_path=str(db), respect_intervals=respect_intervals)
        print_summary(summary)
