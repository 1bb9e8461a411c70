"""`tipwatch reextract`: rerun extraction over stored articles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tipwatch.commands.output import console, progress_bars


def register(app: typer.Typer) -> None:
    @app.command()
    def reextract(
        db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file.")] = Path("tipwatch.duckdb"),
        all_: Annotated[bool, typer.Option("--all", help="Also articles already at the current version.")] = False,
        progress: Annotated[bool | None, typer.Option(help="Show progress bars.")] = None,
    ) -> None:
        """Rerun relevance and metric extraction from the stored raw HTML.

        Each article's text, relevance and metrics are replaced atomically; articles
        already extracted by the current extractor version are skipped unless --all.
        """
        from flows.reextract import reextract as reextract_flow
        from tipwatch.errors import WarehouseError

        if not db.exists():
            raise WarehouseError(f"warehouse {db} does not exist")
        with progress_bars(progress):
            summary = reextract_flow(db_path=str(db), everything=all_)
        console.print(
            f"re-extracted {summary.articles_new} articles: {summary.articles_relevant} relevant, "
            f"{summary.metrics} metrics ({summary.seconds:.1f}s, run {summary.run_id})",
            highlight=False, soft_wrap=True,
        )
