"""The pipeline's measurements, one function each; `run_all.py` puts them side by side.

Every timed pipeline runs in its own process (as a user would run it), against
the local site of `site_builder`; the benchmark process only serves pages and
samples memory.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psutil

from site_builder import Serving, Site, feeds_toml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIPWATCH = BIN / "tipwatch"


def extract_workers() -> int:
    """The number of extraction processes tipwatch uses (TIPWATCH_EXTRACT_WORKERS, 0 = one per CPU)."""
    from tipwatch.settings import Settings

    return Settings.from_env().extract_workers or os.cpu_count() or 1


# --- baseline: plain trafilatura.extract in a process pool ---

def _warm() -> None:
    import trafilatura  # noqa: F401


def _extract_file(path: str) -> int:
    import trafilatura

    text = trafilatura.extract(Path(path).read_bytes())
    return len(text or "")


def baseline(site: Site, workers: int) -> dict[str, Any]:
    """trafilatura.extract over every page of `site`, `workers` processes, pool start excluded."""
    paths = [str(p.file) for p in site.pages]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_warm) as pool:
        pool.map(_extract_file, paths[:workers * 2], chunksize=1)  # workers up, imports done
        started = time.perf_counter()
        extracted = sum(1 for n in pool.imap_unordered(_extract_file, paths, chunksize=4) if n)
        seconds = time.perf_counter() - started
    return {"pages": len(paths), "with_text": extracted, "seconds": seconds,
            "pages_per_s": len(paths) / seconds, "workers": workers}


# --- the naive script ---

def naive(site: Site, serving: Serving, work: Path) -> dict[str, Any]:
    feed_list = work / "naive-feeds.txt"
    feed_list.write_text("\n".join(f"{serving.base}/feeds/{n}.xml" for n in site.feed_names()))
    db = work / "naive.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "naive_ingest.py"), str(feed_list), str(db)],
                         check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return {**figures, "wall": wall, "pages_per_s": figures["pages"] / figures["seconds"]}


# --- memory of a process tree ---

@dataclass
class TreeSampler:
    """Samples the summed RSS of a process and all its descendants every `interval` seconds."""

    pid: int
    interval: float = 0.1
    peak: int = 0
    peak_breakdown: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    peak_pss: int = 0  # proportional set size: shared pages counted once (sampled every 10th time)
    cpu: dict[int, tuple[str, float]] = field(default_factory=dict)  # pid -> (label, user+system s)
    timeline: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # every 2 s: (s, RSS by kind)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def cpu_by_label(self) -> dict[str, float]:
        """CPU seconds per kind of process, as last sampled (a process's final tick may be missed)."""
        out: dict[str, float] = {}
        for label, seconds in self.cpu.values():
            out[label] = out.get(label, 0.0) + seconds
        return {k: round(v, 2) for k, v in sorted(out.items())}

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        started = time.perf_counter()
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = pss = 0
            breakdown: dict[str, int] = {}
            full = self.samples % 10 == 0
            for proc in procs:
                try:
                    with proc.oneshot():
                        rss = proc.memory_info().rss
                        times = proc.cpu_times()
                        label = self.cpu[proc.pid][0] if proc.pid in self.cpu else _label(proc, root)
                        if full:
                            pss += proc.memory_full_info().pss
                except psutil.Error:
                    continue
                total += rss
                breakdown[label] = breakdown.get(label, 0) + rss
                self.cpu[proc.pid] = (label, times.user + times.system)
            if self.samples % 20 == 0:
                self.timeline.append((round(time.perf_counter() - started, 1), breakdown))
            self.samples += 1
            self.peak_pss = max(self.peak_pss, pss)
            if total > self.peak:
                self.peak, self.peak_breakdown = total, breakdown
            self._stop.wait(self.interval)


def _label(proc: psutil.Process, root: psutil.Process) -> str:
    if proc.pid == root.pid:
        return "tipwatch"
    cmd = " ".join(proc.cmdline())
    if "forkserver" in cmd or "multiprocessing" in cmd or proc.ppid() != root.pid:
        return "extraction workers"
    if "prefect" in cmd or "uvicorn" in cmd:
        return "prefect server"
    return "other"


# --- tipwatch run ---

def tipwatch_env(prefect_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "TIPWATCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.1",
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    env.pop("PREFECT_API_URL", None)  # the ephemeral server, as `tipwatch run` starts it
    return env


NOOP = """
import time
t0 = time.perf_counter()
import tipwatch.prefect_env as e; e.configure()
from prefect import flow
@flow(name="noop")
def noop() -> int:
    return 1
noop()
print(time.perf_counter() - t0)
"""


def noop_flow(env: dict[str, str]) -> dict[str, Any]:
    """A flow run that does nothing, in a fresh process: Prefect's fixed cost per run."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", NOOP], env=env, stdout=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid).start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    return {"wall": wall, "in_process": float(out.strip().splitlines()[-1]), "peak_rss": sampler.peak,
            "cpu_seconds": sampler.cpu_by_label()}


def tipwatch_run(feeds: Path, db: Path, env: dict[str, str], serving: Serving) -> dict[str, Any]:
    """`tipwatch run` in a subprocess: wall time, the flow's own time, requests, peak RSS of the tree."""
    serving.reset()
    started = time.perf_counter()
    proc = subprocess.Popen([str(TIPWATCH), "run", "--feeds", str(feeds), "--db", str(db), "--no-progress"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid).start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"tipwatch run failed ({proc.returncode}):\n{out}\n{err}")
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT started_at, finished_at, articles_new, requests, metrics, articles_relevant "
            "FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        statuses = dict(con.execute("SELECT status, count(*) FROM articles GROUP BY 1").fetchall())
    assert row is not None
    flow_seconds = (row[1] - row[0]).total_seconds()
    return {
        "wall": wall, "flow_seconds": flow_seconds, "prefect_seconds": wall - flow_seconds,
        "articles_new": row[2], "requests_recorded": row[3], "metrics": row[4], "relevant": row[5],
        "statuses": statuses,
        "server_requests": serving.requests(), "server_counts": serving.counts(),
        "article_requests": serving.requests("article"),
        "peak_rss": sampler.peak, "peak_breakdown": sampler.peak_breakdown, "rss_samples": sampler.samples,
        "peak_pss": sampler.peak_pss, "cpu_seconds": sampler.cpu_by_label(),
        "rss_timeline": sampler.timeline,
    }


def write_feeds(site: Site, serving: Serving, path: Path) -> Path:
    path.write_text(feeds_toml(site, serving.base), encoding="utf-8")
    return path


# --- warehouse loading ---

def load_rate(work: Path, articles: int = 1_000, metrics_per_article: int = 200) -> dict[str, Any]:
    """`load_articles` of `articles` records carrying `metrics_per_article` metrics each."""
    from extractors.article import ArticleRecord
    from extractors.metrics import Metric
    from warehouse.connection import open_writer
    from warehouse.load import load_articles

    now = datetime.now(UTC)
    metric = Metric("victims", 120, "persons", "exact", 2023, "NGA", "120 victims were rescued in 2023.",
                    10, 42, 0.9)  # type: ignore[arg-type]
    records = [
        ArticleRecord(
            url=f"https://news.example/{i}", source_url=f"https://news.example/{i}", final_url=None,
            feed="bench", status="ok", title=f"Article {i}", text="x" * 2000, language="en",
            relevant=True, relevance_score=0.9, relevance_terms=("trafficking",),
            extractor_version="bench", fetched_at=now, extracted_at=now,
            metrics=(metric,) * metrics_per_article,
        )
        for i in range(articles)
    ]
    db = work / "load.duckdb"
    db.unlink(missing_ok=True)
    with open_writer(db) as con:
        load_articles(con, records[:10], None, "warm")  # migrations and first-use costs out of the timing
        times = []
        for _ in range(3):
            started = time.perf_counter()
            load_articles(con, records, None, "bench")
            times.append(time.perf_counter() - started)
    best = min(times)
    rows = articles * metrics_per_article
    return {"articles": articles, "metric_rows": rows, "seconds": best,
            "metric_rows_per_s": rows / best, "articles_per_s": articles / best}


# --- the metric extractor against trafilatura, per article ---

FEED_DATE = datetime(2024, 1, 1, tzinfo=UTC)  # the bench feeds date every item

def extractor_cost(site: Site, limit: int | None = None) -> dict[str, Any]:
    """Per article: `extract_page` (trafilatura, as tipwatch calls it) vs relevance + metrics on its text."""
    from extractors.article import analyse_text
    from extractors.pages import extract_page

    pages = site.pages if limit is None else site.pages[:: max(1, len(site.pages) // limit)][:limit]
    t_page = t_text = 0.0
    analysed = relevant = 0
    for page in pages:
        body = page.file.read_bytes()
        t0 = time.perf_counter()
        extracted = extract_page(body, url="http://bench.example" + page.url_path, content_type="text/html",
                                 feed_published=FEED_DATE, search_byline=False)  # as a pass calls it
        t1 = time.perf_counter()
        t_page += t1 - t0
        if extracted.status == "ok" and extracted.text:
            published = extracted.published_at.date() if extracted.published_at else date(2024, 1, 1)
            judged, *_ = analyse_text(extracted.title, extracted.text, extracted.language, published)
            t_text += time.perf_counter() - t1
            analysed += 1
            relevant += bool(judged)
    return {
        "pages": len(pages), "analysed": analysed, "relevant": relevant,
        "trafilatura_ms": 1000 * t_page / len(pages), "metrics_ms": 1000 * t_text / len(pages),
        "ratio": t_text / t_page if t_page else 0.0,
    }
