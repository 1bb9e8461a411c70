"""`tipwatch demo`: the real pipeline against a bundled news site served on loopback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tipwatch.commands.output import console, print_summary, progress_bars
from tipwatch.errors import TipwatchError

DEMO_PORT = 8765
SAMPLE_QUERY = (
    "SELECT m.metric, m.value, m.qualifier, m.year, m.country, a.title\n"
    "  FROM metrics m JOIN articles a ON a.url = m.article_url\n"
    " ORDER BY m.country, m.year, m.metric;"
)


def allow_loopback(host: str) -> None:
    """The demo serves on loopback, which the fetcher refuses unless allowed."""
    current = [h for h in os.environ.get("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "").split(",") if h]
    if host not in current:
        os.environ["TIPWATCH_ALLOW_PRIVATE_NETWORKS"] = ",".join([*current, host])


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        db: Annotated[Path, typer.Option("--db", help="Warehouse file to load.")] = Path("tipwatch-demo.duckdb"),
        port: Annotated[int, typer.Option(
            help="Loopback port for the demo site; fixed so reruns see the same URLs.")] = DEMO_PORT,
        progress: Annotated[bool | None, typer.Option(help="Show progress bars.")] = None,
    ) -> None:
        """Serve the bundled offline news site on 127.0.0.1, ingest it, and show what landed.

        Safe to rerun: the second pass finds nothing new and adds no row.
        """
        from flows.ingest import ingest
        from tipwatch.demo import SITE_ROOT, demo_feeds_file
        from tipwatch.sitehost import serve_site
        from warehouse.connection import open_reader

        allow_loopback("127.0.0.1")
        try:
            server = serve_site(SITE_ROOT, host="127.0.0.1", port=port)
            base = server.__enter__()
        except OSError as exc:
            raise TipwatchError(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); "
                                "pass --port with a free port") from None
        try:
            with tempfile.TemporaryDirectory() as tmp:
                feeds = demo_feeds_file(base, Path(tmp) / "feeds.toml")
                console.print(f"demo site at {base}, warehouse {db}")
                with progress_bars(progress):
                    summary = ingest(feeds_path=str(feeds), db_path=str(db), kind="demo")
        finally:
            server.__exit__(None, None, None)
        print_summary(summary)
        with open_reader(db) as con:
            rows = con.execute(
                """SELECT f.name, count(a.url), count(*) FILTER (WHERE a.relevant),
                          count(m.article_url)
                     FROM feeds f
                     LEFT JOIN articles a ON a.feed = f.name
                     LEFT JOIN (SELECT DISTINCT article_url FROM metrics) m ON m.article_url = a.url
                    GROUP BY f.name ORDER BY f.name"""
            ).fetchall()
            facts = con.execute(
                "SELECT metric, value, qualifier, year, country FROM metrics ORDER BY country, year, metric"
            ).fetchall()
        table = Table("feed", "articles", "relevant", "with metrics", title="What landed")
        for name, articles, relevant, with_metrics in rows:
            table.add_row(name, str(articles), str(relevant), str(with_metrics))
        console.print(table)
        facts_table = Table("metric", "value", "qualifier", "year", "country", title=f"{len(facts)} metrics")
        for metric, value, qualifier, year, country in facts:
            facts_table.add_row(metric, f"{value:,}", qualifier, str(year), country or "—")
        console.print(facts_table)
        console.print(f"Try: tipwatch sql --db {db} \"{SAMPLE_QUERY}\"", highlight=False, soft_wrap=True)
