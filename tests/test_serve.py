"""`tipwatch serve`: a real local Prefect server fires a scheduled run; SIGTERM leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psutil
import pytest
from backfill_site import Article, rss, serve, write_site

from tipwatch.errors import WarehouseError

PAGES = [Article("first", date(2024, 3, 5), victims=40), Article("second", date(2024, 3, 6), victims=8)]


def article_count(db: Path) -> int:
    from warehouse.connection import open_reader

    try:
        with open_reader(db, timeout=5) as con:
            return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])  # type: ignore[index]
    except WarehouseError:
        return 0  # not created yet, or a table still missing while the first run migrates


def alive(pids: set[int]) -> list[psutil.Process]:
    out = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_scheduled_run_loads_the_warehouse_and_sigterm_stops_everything(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, PAGES, {"feed.xml": rss(PAGES)})
    db = tmp_path / "serve.duckdb"
    env = {**os.environ, "TIPWATCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.1", "TIPWATCH_EXTRACT_WORKERS": "1",
           "PREFECT_HOME": str(tmp_path / "client-home"), "PREFECT_LOGGING_LEVEL": "WARNING",
           # test speed only: the server's scheduler and the runner look for due runs every few seconds
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2", "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "serve.log"
    with serve(root) as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "local"\nurl = "{site.base}/feed.xml"\nlanguage = "en"\n')
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tipwatch.cli", "serve", "--feeds", str(feeds), "--db", str(db),
                 "--data-dir", str(tmp_path / "prefect"), "--ingest-interval", "5", "--no-ui"],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        seen: set[int] = set()
        try:
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline and article_count(db) < len(PAGES):
                assert proc.poll() is None, log.read_text()
                try:
                    seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
                except psutil.NoSuchProcess:
                    pass
                time.sleep(1)
            assert article_count(db) == len(PAGES), log.read_text()
            assert len(seen) >= 2, "a Prefect server and at least one flow-run process"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()
            time.sleep(0.5)
            assert alive(seen) == [], f"orphans: {alive(seen)}"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            for orphan in alive(seen):
                orphan.kill()
    output = log.read_text()
    assert "Prefect server at http://127.0.0.1:" in output
    assert "stopped: schedules' runner and Prefect server shut down" in output
    assert "Traceback" not in output
