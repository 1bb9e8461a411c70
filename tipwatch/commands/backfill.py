"""`tipwatch backfill`: load the articles published in a past window."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tipwatch.commands.output import console, err_console, progress_bars

MAX_PROBLEMS_SHOWN = 10


def _check_inputs(feeds: Path | None, urls: Path | None, since: str, until: str, wayback: bool) -> None:
    """Bad input fails before Prefect starts, as one line (and no flow-run log)."""
    from tipwatch.discovery.urllists import read_url_list
    from tipwatch.discovery.window import Window
    from tipwatch.errors import ConfigError
    from tipwatch.registry import load_feeds

    Window.parse(since, until)
    if feeds is None and urls is None:
        raise ConfigError("backfill needs --feeds FILE, --urls FILE or both")
    if wayback and feeds is None:
        raise ConfigError("--wayback needs --feeds (it looks up archived copies of those feeds)")
    if feeds is not None:
        load_feeds(feeds)
    if urls is not None:
        read_url_list(urls)


def register(app: typer.Typer) -> None:
    @app.command()
    def backfill(
        since: Annotated[str, typer.Option("--since", help="First day of the window, YYYY-MM-DD (UTC).")],
        until: Annotated[str, typer.Option("--until", help="Day after the window, YYYY-MM-DD (excluded).")],
        db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")] = Path(
            "tipwatch.duckdb"),
        feeds: Annotated[Path | None, typer.Option(
            "--feeds", help="Feed registry: the feeds' items and their sites' sitemaps.")] = None,
        urls: Annotated[Path | None, typer.Option(
            "--urls", help="File of article URLs, one a line ('#' comments).")] = None,
        wayback: Annotated[bool, typer.Option(
            "--wayback", help="Also read the Internet Archive's copies of the feeds from the window.")] = False,
        sitemaps: Annotated[bool, typer.Option(help="Read the feeds' sites' sitemaps.")] = True,
        keep_undated: Annotated[bool, typer.Option(
            help="Also load pages whose publication date cannot be found.")] = False,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="List what would be fetched; fetch no article, write nothing.")] = False,
        progress: Annotated[bool | None, typer.Option(
            help="Show progress bars (default: when stderr is a terminal).")] = None,
    ) -> None:
        """Find and load the articles published in [--since, --until).

        Sources: the feeds' items and their sites' sitemaps (--feeds), archived
        copies of the feeds (--wayback), a URL list (--urls). Articles go through
        the same fetch, extraction and load as `tipwatch run`; pages published
        outside the window are dropped before loading, and so are pages with no
        date unless --keep-undated. Articles already stored are skipped, so a
        rerun resumes. Rows are marked with the run (runs.kind = 'backfill').
        """
        _check_inputs(feeds, urls, since, until, wayback)
        from flows.backfill import backfill as backfill_flow

        with progress_bars(progress):
            result = backfill_flow(
                db_path=str(db), since=since, until=until,
                feeds_path=str(feeds) if feeds else None, urls_path=str(urls) if urls else None,
                sitemaps=sitemaps, wayback=wayback, keep_undated=keep_undated, dry_run=dry_run,
            )
        found = ", ".join(f"{n} from {origin}" for origin, n in sorted(result.found.items())) or "nothing"
        console.print(f"window {result.window}: found {found}; {result.outside_before_fetch} dated "
                      f"outside the window; {result.already_loaded} already loaded", highlight=False, soft_wrap=True)
        for problem in result.problems[:MAX_PROBLEMS_SHOWN]:
            err_console.print(f"  skipped source: {problem}", highlight=False, soft_wrap=True)
        if len(result.problems) > MAX_PROBLEMS_SHOWN:
            err_console.print(f"  ... and {len(result.problems) - MAX_PROBLEMS_SHOWN} more", highlight=False, soft_wrap=True)
        if dry_run:
            for item, origin in result.planned:
                when = item.published.date().isoformat() if item.published else "undated"
                console.print(f"{when:<10}  {origin:<7}  {item.source_url}", highlight=False, soft_wrap=True)
            console.print(f"would fetch {len(result.planned)} articles (dry run: nothing fetched or written)",
                          highlight=False, soft_wrap=True)
            return
        assert result.summary is not None
        console.print(f"dropped after extraction: {result.outside_after_extract} published outside "
                      f"the window, {result.undated} undated", highlight=False, soft_wrap=True)
        summary = result.summary
        console.print(
            f"articles: {summary.articles_new} new, {summary.articles_relevant} relevant | "
            f"metrics: {summary.metrics} | requests: {summary.requests} | "
            f"{summary.seconds:.1f}s (run {summary.run_id})", highlight=False, soft_wrap=True)
        if result.summary.articles_failed:
            console.print(f"{result.summary.articles_failed} articles failed for now; rerun the same "
                          "command to retry them", highlight=False, soft_wrap=True)
