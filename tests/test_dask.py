"""Scale-out: the ingest flow's tasks on a Dask cluster load what the thread runner loads."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from backfill_site import Article, rss, serve, write_site

PAGES = [Article(f"dask-{i}", date(2024, 3, i + 1), victims=10 + i) for i in range(6)]


def snapshot(db: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    from warehouse.connection import open_reader

    with open_reader(db) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
        metrics = con.execute(
            "SELECT article_url, metric, value, qualifier, year, country, evidence FROM metrics ORDER BY ALL"
        ).fetchall()
    return urls, metrics


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_local_dask_cluster_matches_the_thread_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest

    monkeypatch.setenv("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    monkeypatch.setenv("TIPWATCH_BATCH_SIZE", "2")  # three batches spread over the workers
    root = tmp_path / "site"
    write_site(root, PAGES, {"feed.xml": rss(PAGES)})
    with serve(root) as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "local"\nurl = "{site.base}/feed.xml"\nlanguage = "en"\n')
        on_dask = ingest.with_options(task_runner=DaskTaskRunner(cluster_kwargs={
            "n_workers": 2, "threads_per_worker": 2, "processes": False, "dashboard_address": None}))
        dask_summary = on_dask(feeds_path=str(feeds), db_path=str(tmp_path / "dask.duckdb"))
        thread_summary = ingest(feeds_path=str(feeds), db_path=str(tmp_path / "threads.duckdb"))
    assert dask_summary.status == "ok" and dask_summary.articles_new == len(PAGES)
    assert snapshot(tmp_path / "dask.duckdb") == snapshot(tmp_path / "threads.duckdb")
    assert thread_summary.metrics == dask_summary.metrics


@pytest.mark.slow
def test_cli_task_runner_dask_with_worker_processes(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, PAGES, {"feed.xml": rss(PAGES)})
    env = {**os.environ, "TIPWATCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.1", "TIPWATCH_BATCH_SIZE": "2",
           "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    with serve(root) as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "local"\nurl = "{site.base}/feed.xml"\nlanguage = "en"\n')
        done = subprocess.run(
            [sys.executable, "-m", "tipwatch.cli", "run", "--feeds", str(feeds), "--db", str(tmp_path / "d.duckdb"),
             "--task-runner", "dask", "--dask-workers", "2"],
            capture_output=True, text=True, check=False, timeout=180, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"articles: {len(PAGES)} new" in done.stdout
    assert "Traceback" not in done.stderr
