"""Time the analyst views over a synthetic warehouse of 1,000,000 metric rows.

Why: the views are what analysts query for years; they must stay interactive as
the warehouse grows. The data is generated inside DuckDB with `range()` (seconds,
not minutes), shaped like the real thing: 200k articles over ~60 outlets and ten
years, most of them relevant, and metrics whose values repeat across outlets (so
facts group) and sometimes differ (so conflicts exist).

Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_views.py [--metrics N] [--articles N]`
Prints a table of timings (median of 3) and writes benchmarks/results/views.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.connection import open_reader, open_writer

RESULTS = Path(__file__).resolve().parent / "results" / "views.json"

FILL_ARTICLES = """
INSERT INTO articles (url, feed, status, site_name, published_at, fetched_at, relevant, title, extractor_version)
SELECT
    'https://outlet' || (i % 60) || '.example/news/' || i,
    'feed' || (i % 60),
    'ok',
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'Outlet ' || (i % 60) END,
    CASE WHEN i % 10 = 0 THEN NULL
         ELSE TIMESTAMPTZ '2015-01-01 00:00:00+00' + to_seconds((i * 1571) % (3650 * 86400)) END,
    TIMESTAMPTZ '2015-01-01 00:00:00+00' + to_seconds((i * 1571) % (3650 * 86400) + 3600),
    i % 5 <> 0,
    'Article ' || i,
    'bench'
FROM range({articles}) t(i)
"""

FILL_METRICS = """
INSERT INTO metrics (article_url, metric, value, unit, qualifier, year, country, evidence,
                     confidence, extractor_version, extracted_at)
SELECT
    'https://outlet' || ((i % {articles}) % 60) || '.example/news/' || (i % {articles}),
    ['victims_identified', 'arrests', 'investigations', 'prosecutions', 'convictions',
     'prevention_actions', 'estimated_victims'][1 + (i % 7)],
    -- a few plausible values per (metric, country, year): facts repeat, some conflict
    ((hash(i // 7 % 40, (i // 280) % 12) % 5) + 1) * 10 + (i % 7),
    CASE WHEN i % 7 = 5 THEN 'actions' WHEN i % 7 = 3 THEN 'cases' ELSE 'persons' END,
    CASE WHEN i % 11 = 0 THEN 'more_than' WHEN i % 13 = 0 THEN 'about' ELSE 'exact' END,
    2014 + ((i // 280) % 12),
    CASE WHEN i % 97 = 0 THEN NULL
         ELSE ['CUB', 'USA', 'MEX', 'BRA', 'COL', 'ARG', 'PER', 'CHL', 'ESP', 'FRA', 'GBR', 'IND',
               'PHL', 'NGA', 'THA', 'VNM', 'KEN', 'ZAF', 'DEU', 'ITA', 'CAN', 'ECU', 'GTM', 'HND',
               'SLV', 'NIC', 'PAN', 'DOM', 'HTI', 'JAM', 'VEN', 'BOL', 'PRY', 'URY', 'CRI', 'NPL',
               'BGD', 'PAK', 'IDN', 'MYS'][1 + (i // 7 % 40)] END,
    'Authorities reported ' || i || ' figures in the evidence sentence.',
    0.5 + (i % 50) / 100.0,
    'bench',
    TIMESTAMPTZ '2025-01-01 00:00:00+00'
FROM range({metrics}) t(i)
"""

QUERIES: dict[str, str] = {
    "metric_facts (all rows)": "SELECT count(*), sum(n_articles), sum(n_sources) FROM metric_facts",
    "metric_facts (conflicts)": "SELECT count(*) FROM metric_facts WHERE conflicting",
    "metrics_by_country_year (all)": (
        "SELECT count(*), sum(value), sum(len(alternative_values)) FROM metrics_by_country_year"
    ),
    "coverage (all)": "SELECT count(*), sum(articles), sum(relevant_articles) FROM coverage",
    "feed_health": "SELECT count(*), sum(articles_30d) FROM feed_health",
    "prosecutions per year in CUB, with articles": """
        SELECT f.year, f.value, f.n_sources, a.url, a.title
          FROM metrics_by_country_year f
          JOIN metrics m ON m.metric = f.metric AND m.country = f.country
                        AND m.year = f.year AND m.value = f.value
          JOIN articles a ON a.url = m.article_url AND a.relevant
         WHERE f.metric = 'prosecutions' AND f.country = 'CUB'
         ORDER BY f.year, a.url
    """,
}


def fill(db: Path, metrics: int, articles: int) -> float:
    """Create and fill the warehouse; the migrations (views included) run on open."""
    start = time.perf_counter()
    with open_writer(db) as con:
        con.execute(FILL_ARTICLES.format(articles=articles)).fetchall()
        con.execute(FILL_METRICS.format(metrics=metrics, articles=articles)).fetchall()
        con.execute(
            "INSERT INTO feeds (name, url, state, consecutive_failures, last_success_at) "
            "SELECT 'feed' || i, 'https://outlet' || i || '.example/rss', 'active', 0, now() "
            "FROM range(60) t(i)"
        ).fetchall()
        con.execute("CHECKPOINT").fetchall()
    return time.perf_counter() - start


def time_query(con: duckdb.DuckDBPyConnection, sql: str, repeat: int = 3) -> tuple[float, int]:
    """Median wall time of `repeat` full executions (results fetched), and the row count."""
    times: list[float] = []
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = len(con.execute(sql).fetchall())
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        fill_seconds = fill(db, args.metrics, args.articles)
        results: dict[str, dict[str, float | int]] = {}
        with open_reader(db) as con:
            sizes = {
                name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
                for name in ("articles", "metrics", "metric_facts", "metrics_by_country_year", "coverage")
            }
            for name, sql in QUERIES.items():
                seconds, rows = time_query(con, sql)
                results[name] = {"median_seconds": round(seconds, 4), "rows": rows}

    width = max(len(name) for name in results)
    print(f"warehouse: {sizes} (filled in {fill_seconds:.1f}s; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"{'query':<{width}}  median (s)  rows")
    for name, result in results.items():
        print(f"{name:<{width}}  {result['median_seconds']:>10.3f}  {result['rows']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "duckdb": duckdb.__version__,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],  # other work skews wall times
        "sizes": sizes,
        "fill_seconds": round(fill_seconds, 2),
        "queries": results,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
