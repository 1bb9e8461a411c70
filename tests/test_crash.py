"""Crash safety of `tipwatch run` as a real process: SIGKILL at random moments, and a full disk.

Every kill must leave a warehouse that opens, holds no duplicate or half-written
article, and is completed by the next run into exactly what an uninterrupted
run loads. Each run is a fresh interpreter, so the runs share one `prefect
server` started for this module instead of each starting Prefect's temporary
server (~10 s apiece).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from fault_site import HTML, RSS, RouteServer, feeds_toml, rss, story

from tipwatch.localserver import local_prefect_server
from warehouse.connection import open_reader

pytestmark = pytest.mark.slow

SEED = 20250601
KILLS = 20
ROUNDS = 5  # at most KILLS / ROUNDS kills per warehouse, so kills keep landing in full passes
ARTICLES = 30
FEEDS = 3


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with local_prefect_server(tmp_path_factory.mktemp("prefect"), ui=False) as server:
        yield server.api_url


@pytest.fixture(scope="module")
def site() -> Iterator[RouteServer]:
    """~30 articles in a few feeds, each page answered after a short delay so kills land mid-pass."""
    with RouteServer(delay=0.1) as server:
        for f in range(FEEDS):
            links = []
            for i in range(f, ARTICLES, FEEDS):
                path = f"/news/{i}.html"
                server.route(path, 200, HTML, story(f"Raid {i}", victims=10 + i, arrests=2 + i % 5,
                                                    day=i % 9 + 1))
                links.append(server.url(path))
            server.route(f"/feeds/{f}.xml", 200, RSS, rss(links))
        yield server


def environment(api: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPWATCH_", "PREFECT_"))}
    env.update({
        "PREFECT_API_URL": api, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1", "TIPWATCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.1",
        "TIPWATCH_BATCH_SIZE": "5", "TIPWATCH_EXTRACT_WORKERS": "1",
    })
    return env


def command(feeds: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "tipwatch.cli", "run", "--feeds", str(feeds), "--db", str(db)]


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(db, timeout=10) as con:
        return con.execute(sql).fetchall()


def content(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    articles = [(url, status, relevant, hashlib.sha256((text or "").encode()).hexdigest())
                for url, status, relevant, text in rows(
                    db, "SELECT url, status, relevant, text FROM articles ORDER BY url")]
    metrics = rows(db, "SELECT article_url, metric, value, unit, qualifier, year, country, evidence "
                       "FROM metrics ORDER BY ALL")
    return articles, metrics


def check_consistent(db: Path) -> int:
    """The warehouse opens and holds only whole articles; returns how many."""
    if not db.exists():
        return 0
    [(total, distinct, textless, orphans)] = rows(db, """
        SELECT count(*), count(DISTINCT url),
               count(*) FILTER (WHERE status = 'ok' AND (text IS NULL OR length(text) = 0)),
               (SELECT count(*) FROM metrics WHERE article_url NOT IN (SELECT url FROM articles))
          FROM articles""")
    assert total == distinct, "duplicate article"
    assert textless == 0, "an ok article without text"
    assert orphans == 0, "metrics of an article that is not stored"
    return int(total)


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run, then each process it had started (extraction fork server, workers), by pid."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(children, timeout=10)


def timed_run(cmd: list[str], env: dict[str, str], site: RouteServer) -> tuple[float, float]:
    """Run to completion; return (seconds until the first feed request, seconds in all)."""
    before, started, first = site.hits("/feeds/"), time.monotonic(), None
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        if first is None and site.hits("/feeds/") > before:
            first = time.monotonic() - started
        time.sleep(0.05)
    assert proc.returncode == 0
    total = time.monotonic() - started
    return (first or total / 2), total


@pytest.mark.timeout(900)
def test_sigkill_at_random_moments_then_rerun_equals_an_uninterrupted_run(
        prefect_api: str, site: RouteServer, tmp_path: Path) -> None:
    env = environment(prefect_api, tmp_path / "home")
    feeds = feeds_toml(tmp_path / "feeds.toml", {f"f{f}": site.url(f"/feeds/{f}.xml") for f in range(FEEDS)})
    clean = tmp_path / "clean.duckdb"
    timed_run(command(feeds, tmp_path / "warm.duckdb"), env, site)  # first run pays for cold caches
    startup, pass_seconds = timed_run(command(feeds, clean), env, site)
    expected = content(clean)
    assert len(expected[0]) == ARTICLES and expected[1]

    # Kills fall between the first request and the end of a full pass: the interpreter's
    # start-up writes nothing, so killing there proves nothing.
    rng = random.Random(SEED)
    killed_at: list[float] = []
    rounds, test_started = 0, time.monotonic()
    while len(killed_at) < KILLS:
        db = tmp_path / f"crash-{rounds}.duckdb"
        rounds += 1
        for _ in range(KILLS // ROUNDS):
            delay = rng.uniform(startup * 0.9, pass_seconds)
            proc = subprocess.Popen(command(feeds, db), env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                kill_tree(proc)
                killed_at.append(delay)
            check_consistent(db)
            if proc.returncode == 0 or len(killed_at) >= KILLS:
                break  # finished before its kill: the rest of this round would be idle passes
        done = subprocess.run(command(feeds, db), env=env, capture_output=True, timeout=180)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        assert check_consistent(db) == ARTICLES
        assert content(db) == expected
    print(f"{len(killed_at)} kills over {rounds} rounds, at {min(killed_at):.1f}-{max(killed_at):.1f} s "
          f"into a {pass_seconds:.1f} s pass (first request at {startup:.1f} s); "
          f"{time.monotonic() - test_started:.0f} s in all")


# --- disk full -------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs (needs root); skipped where mounting is not allowed."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?); test_ingest_flow simulates ENOSPC instead")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def big_story(i: int) -> bytes:
    words = random.Random(i).choices(["victims", "police", "raid", "farm", "court", "labour", "region",
                                      "shelter", "trafficking", "office", "report", "border"], k=150_000)
    paragraphs = "".join(f"<p>{' '.join(words[j:j + 80])}.</p>" for j in range(0, len(words), 80))
    return story(f"Long report {i}").replace(b"<footer>", paragraphs.encode() + b"<footer>")


@pytest.mark.timeout(300)
def test_disk_full_is_one_line_and_the_warehouse_still_opens(
        prefect_api: str, site: RouteServer, small_disk: Path, tmp_path: Path) -> None:
    env = environment(prefect_api, tmp_path / "home")
    db = small_disk / "w.duckdb"
    feeds = feeds_toml(tmp_path / "feeds.toml", {"f0": site.url("/feeds/0.xml")})
    first = subprocess.run(command(feeds, db), env=env, capture_output=True, timeout=180)
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    stored = check_consistent(db)
    assert stored == ARTICLES // FEEDS

    for i in range(12):
        site.route(f"/big/{i}.html", 200, HTML, big_story(i))
    site.route("/feeds/big.xml", 200, RSS, rss([site.url(f"/big/{i}.html") for i in range(12)]))
    feeds_toml(feeds, {"f0": site.url("/feeds/0.xml"), "big": site.url("/feeds/big.xml")})
    full = subprocess.run(command(feeds, db), env=env, capture_output=True, timeout=180)
    err = full.stderr.decode()
    assert full.returncode == 4, err[-2000:]
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tipwatch: error: ")
    assert "No space left on device" in lines[0]
    assert check_consistent(db) >= stored
