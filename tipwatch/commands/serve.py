"""`tipwatch serve`: the single-box unattended mode (schedules, a local Prefect server)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import psutil
import typer

from tipwatch.commands.output import console

INGEST_CRON = "0 * * * *"
REEXTRACT_CRON = "30 3 * * *"


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop_children(timeout: float = 10.0) -> None:
    """Flow runs the runner started and that outlived it: terminate, wait, kill."""
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)


def deployments(feeds: Path, db: Path, *, ingest_cron: str, reextract_cron: str,
                ingest_interval: float | None) -> list[Any]:
    """The same two deployments as deploy/prefect.yaml, with their schedules, served in-process."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    from flows.ingest import ingest
    from flows.reextract import reextract

    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    schedule: dict[str, Any] = (
        {"interval": timedelta(seconds=ingest_interval)} if ingest_interval else {"cron": ingest_cron})
    served = [
        ingest.to_deployment(
            name="hourly", **schedule, parameters={
                "feeds_path": str(feeds), "db_path": str(db), "respect_intervals": True},
            concurrency_limit=one_at_a_time, entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["tipwatch"]),
        reextract.to_deployment(
            name="daily", cron=reextract_cron, parameters={"db_path": str(db)},
            concurrency_limit=one_at_a_time, entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["tipwatch"]),
    ]
    # `to_deployment` is sync-compatible: called from sync code it returns the deployment
    return [d for d in served if isinstance(d, RunnerDeployment)]


@contextmanager
def prefect_api(data_dir: Path, port: int | None, ui: bool) -> Iterator[str]:
    """The configured Prefect API, or a local server started (and stopped) for this session."""
    from prefect.settings import PREFECT_API_URL

    configured = PREFECT_API_URL.value()
    if configured:
        console.print(f"using the Prefect API at {configured}", highlight=False, soft_wrap=True)
        yield str(configured)
        return
    from tipwatch.localserver import local_prefect_server

    console.print(f"starting a local Prefect server (data in {data_dir}) ...", highlight=False, soft_wrap=True)
    with local_prefect_server(data_dir, port=port, ui=ui) as server:
        console.print(f"Prefect server at {server.api_url.removesuffix('/api')} "
                      f"(log {server.log_path})", highlight=False, soft_wrap=True)
        yield server.api_url


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        feeds: Annotated[Path, typer.Option("--feeds", help="Feed registry (TOML).")] = Path("feeds.toml"),
        db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file.")] = Path("tipwatch.duckdb"),
        ingest_cron: Annotated[str, typer.Option(
            help="When to run an ingestion pass (cron, UTC).")] = INGEST_CRON,
        reextract_cron: Annotated[str, typer.Option(
            help="When to re-extract outdated articles (cron, UTC).")] = REEXTRACT_CRON,
        port: Annotated[int | None, typer.Option(
            help="Port of the local Prefect server on 127.0.0.1 (default: a free one).")] = None,
        data_dir: Annotated[Path | None, typer.Option(
            help="Where the local Prefect server keeps its SQLite database and log "
                 "(default: ~/.local/share/tipwatch/prefect).")] = None,
        ui: Annotated[bool, typer.Option(help="Serve Prefect's web UI from the local server.")] = True,
        ingest_interval: Annotated[float | None, typer.Option(
            hidden=True, help="Seconds between ingestion passes, instead of the cron (tests).")] = None,
    ) -> None:
        """Run the ingestion and re-extraction schedules until stopped (Ctrl-C or SIGTERM).

        Without PREFECT_API_URL, a local Prefect server is started on 127.0.0.1
        (schedules need one) and stopped again on exit. Passes never overlap:
        a run that comes due while another is going waits its turn.
        """
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from tipwatch.errors import ConfigError, WarehouseError
        from tipwatch.localserver import default_data_dir
        from tipwatch.registry import load_feeds

        load_feeds(feeds)  # a bad feeds file fails now, not at the first scheduled run
        if not db.expanduser().resolve().parent.is_dir():
            raise WarehouseError(f"folder {db.expanduser().resolve().parent} does not exist")
        if ingest_interval is not None and ingest_interval < 1:
            raise ConfigError("--ingest-interval must be at least 1 second")
        feeds, db = feeds.expanduser().resolve(), db.expanduser().resolve()
        data_dir = data_dir or default_data_dir()
        previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
        stopped = False
        try:
            with prefect_api(data_dir, port, ui) as api_url:
                os.environ["PREFECT_API_URL"] = api_url  # flow-run subprocesses inherit it
                with temporary_settings(updates={PREFECT_API_URL: api_url}):
                    from prefect import serve as prefect_serve

                    served = deployments(feeds, db, ingest_cron=ingest_cron, reextract_cron=reextract_cron,
                                         ingest_interval=ingest_interval)
                    every = f"every {ingest_interval:g}s" if ingest_interval else f"at '{ingest_cron}'"
                    console.print(f"serving: ingest {every}, reextract at '{reextract_cron}' (UTC) "
                                  f"into {db}; Ctrl-C to stop", highlight=False, soft_wrap=True)
                    prefect_serve(*served, pause_on_shutdown=False, print_starting_message=False,
                                  limit=2)
                    # the runner handled the signal and returned: shut down without interruption
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    stopped = True
        except KeyboardInterrupt:
            stopped = True
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop_children()
            signal.signal(signal.SIGTERM, previous)
        if stopped:
            console.print("stopped: schedules' runner and Prefect server shut down", highlight=False, soft_wrap=True)
