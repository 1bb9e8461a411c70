"""How passes look on a terminal: progress while they run, a short summary after."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tipwatch.progress import reporting
from warehouse.runs import RunSummary

console = Console()
err_console = Console(stderr=True)


@contextmanager
def progress_bars(enabled: bool | None = None) -> Iterator[None]:
    """Render flow progress on stderr when a person is watching: counts, rate, time left."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield
        return
    with Progress(
        TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        TextColumn("[progress.data.speed]{task.fields[rate]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, advance: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total, rate="")
            elif total is not None:
                bars.update(tasks[stage], total=total)
            if advance:
                bars.advance(tasks[stage], advance)
            speed = bars.tasks[tasks[stage]].speed
            bars.update(tasks[stage], rate=f"{speed:.1f}/s" if speed else "")

        with reporting(update):
            yield


def print_summary(summary: RunSummary) -> None:
    skipped = f", {summary.feeds_skipped} not due" if summary.feeds_skipped else ""
    console.print(
        f"feeds: {summary.feeds_ok} ok, {summary.feeds_failed} failed{skipped} | "
        f"articles: {summary.articles_new} new, {summary.articles_relevant} relevant"
        f"{f', {summary.articles_failed} to retry' if summary.articles_failed else ''} | "
        f"metrics: {summary.metrics} | requests: {summary.requests} | "
        f"{summary.seconds:.1f}s (run {summary.run_id})",
        highlight=False, soft_wrap=True,
    )
