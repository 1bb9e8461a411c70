"""`tipwatch run`: one ingestion pass, then exit."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from tipwatch.commands.output import print_summary, progress_bars

FeedsOption = Annotated[Path, typer.Option("--feeds", help="Feed registry (TOML with [[feeds]] entries).")]
DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")]

if TYPE_CHECKING:
    from prefect import Flow

    from warehouse.runs import RunSummary


class TaskRunnerChoice(str, Enum):
    thread = "thread"
    dask = "dask"


def scaled(flow: Flow[Any, Any], runner: TaskRunnerChoice, address: str | None, workers: int) -> Flow[Any, Any]:
    """The flow with its fetch and extract tasks on Dask: an existing cluster or a local one.

    Only the tasks move; the flow body, the warehouse's single writer, stays here.
    """
    if runner is TaskRunnerChoice.thread and address is None:
        return flow
    from prefect_dask.task_runners import DaskTaskRunner

    dask = DaskTaskRunner(address=address) if address else DaskTaskRunner(cluster_kwargs={
        "n_workers": workers, "threads_per_worker": 4, "processes": True, "dashboard_address": None,
    })
    return flow.with_options(task_runner=dask)  # type: ignore[arg-type]  # PrefectHQ/prefect#16938


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        feeds: FeedsOption = Path("feeds.toml"),
        db: DbOption = Path("tipwatch.duckdb"),
        respect_intervals: Annotated[bool, typer.Option(
            help="Skip feeds polled less than their interval ago (what scheduled runs do).")] = False,
        progress: Annotated[bool | None, typer.Option(
            help="Show progress bars (default: when stderr is a terminal).")] = None,
        task_runner: Annotated[TaskRunnerChoice, typer.Option(
            help="Where fetch and extract tasks run: local threads, or a Dask cluster.")] = TaskRunnerChoice.thread,
        dask_address: Annotated[str | None, typer.Option(
            help="Scheduler of an existing Dask cluster (tcp://host:8786); implies --task-runner dask.")] = None,
        dask_workers: Annotated[int, typer.Option(
            help="Workers of the local Dask cluster started by --task-runner dask.")] = 2,
    ) -> None:
        """Poll every feed once, fetch and extract new articles, load them, print a summary.

        A failing feed or article is recorded and never fails the pass; the exit
        code is non-zero only when the pass cannot run at all.
        """
        from flows.ingest import ingest
        from tipwatch.registry import load_feeds
        from tipwatch.settings import Settings

        load_feeds(feeds)  # bad input fails here, in one line, before any flow starts
        Settings.from_env()
        flow = scaled(ingest, task_runner, dask_address, dask_workers)
        with progress_bars(progress):
            summary = cast("RunSummary", flow(feeds_path=str(feeds), db_path=str(db),
                                              respect_intervals=respect_intervals))
        print_summary(summary)
