"""The analyst views on a warehouse filled with known facts give exactly the expected rows.

`known_warehouse` is also used by the sql, report and export tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warehouse.connection import open_reader, open_writer

T = datetime(2023, 3, 10, 12, 0, tzinfo=UTC)

# url, site_name, published_at, fetched_at, relevant, feed
ARTICLES: list[tuple[str, str | None, datetime | None, datetime, bool | None, str]] = [
    ("https://www.radiohc.cu/news/1", "Radio Habana Cuba", T, T, True, "radiohc"),
    ("https://cubadebate.cu/a/2", None, T + timedelta(days=2), T + timedelta(days=2), True, "cubadebate"),
    ("https://granma.cu/x/3", "Granma", datetime(2023, 4, 1, tzinfo=UTC), T, True, "granma"),
    ("https://www.14ymedio.com/y/4", "14ymedio", datetime(2023, 5, 1, tzinfo=UTC), T, True, "14ymedio"),
    ("https://www.14ymedio.com/y/5", "14ymedio", None, datetime(2023, 6, 2, tzinfo=UTC), True, "14ymedio"),
    ("https://www.radiohc.cu/news/6", "Radio Habana Cuba", T + timedelta(days=10), T, False, "radiohc"),
    ("https://news.example.org/c/7", "Example News", datetime(2023, 1, 1, tzinfo=UTC), T, True, "example"),
    ("https://other.example.net/c/8", "Other", datetime(2023, 2, 1, tzinfo=UTC), T, True, "other"),
    ("https://other.example.net/c/9", "Other", datetime(2023, 2, 3, tzinfo=UTC), T, None, "other"),
]

# url, metric, value, unit, qualifier, year, country, evidence, confidence
METRICS: list[tuple[str, str, int, str, str, int, str | None, str, float]] = [
    # two outlets, the same figure: one fact, two sources, not conflicting
    ("https://www.radiohc.cu/news/1", "prosecutions", 6, "cases", "exact", 2022, "CUB",
     "six cases were tried", 0.9),
    ("https://cubadebate.cu/a/2", "prosecutions", 6, "cases", "exact", 2022, "CUB",
     "se juzgaron seis casos", 0.95),
    # different figures for the same arrests: 200 has two articles, 179 one
    ("https://granma.cu/x/3", "arrests", 179, "persons", "exact", 2022, "CUB", "179 arrests", 0.8),
    ("https://www.14ymedio.com/y/4", "arrests", 200, "persons", "about", 2022, "CUB", "about 200 arrests", 0.8),
    ("https://www.14ymedio.com/y/5", "arrests", 200, "persons", "more_than", 2022, "CUB",
     "more than 200 arrests", 0.8),
    # an irrelevant article's figure never counts
    ("https://www.radiohc.cu/news/6", "arrests", 999, "persons", "exact", 2022, "CUB", "999 arrests", 0.99),
    # equal support: the most recent report wins
    ("https://news.example.org/c/7", "convictions", 10, "persons", "exact", 2021, "USA", "10 convicted", 0.7),
    ("https://other.example.net/c/8", "convictions", 12, "persons", "exact", 2021, "USA", "12 convicted", 0.7),
    # a worldwide figure (no country)
    ("https://granma.cu/x/3", "estimated_victims", 27_600_000, "persons", "about", 2021, None,
     "27.6 million victims", 0.6),
]


def known_warehouse(db: Path) -> Path:
    """A warehouse (migrated by open_writer) holding ARTICLES and METRICS."""
    with open_writer(db) as con:
        for url, site, published, fetched, relevant, feed in ARTICLES:
            con.execute(
                "INSERT INTO articles (url, feed, status, site_name, published_at, fetched_at, relevant, "
                "title, text, raw_html) VALUES (?, ?, 'ok', ?, ?, ?, ?, ?, 'text', ?)",
                [url, feed, site, published, fetched, relevant, f"Title {url[-1]}", b"\x78\x9c\x00raw"],
            ).fetchall()
        for url, metric, value, unit, qualifier, year, country, evidence, confidence in METRICS:
            con.execute(
                "INSERT INTO metrics (article_url, metric, value, unit, qualifier, year, country, evidence, "
                "confidence, extractor_version, extracted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 't', ?)",
                [url, metric, value, unit, qualifier, year, country, evidence, confidence, T],
            ).fetchall()
    return db


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return known_warehouse(tmp_path / "known.duckdb")


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(db) as con:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        return con.execute(sql).fetchall()


def test_the_same_figure_from_two_outlets_is_one_fact_with_two_sources(warehouse: Path) -> None:
    assert rows(warehouse, """
        SELECT metric, country, year, value, unit, qualifier, n_articles, n_sources, sources,
               first_seen, last_seen, evidence, evidence_url, n_values, conflicting
          FROM metric_facts WHERE metric = 'prosecutions'""") == [(
        "prosecutions", "CUB", 2022, 6, "cases", "exact", 2, 2, ["Radio Habana Cuba", "cubadebate.cu"],
        T, T + timedelta(days=2),
        "se juzgaron seis casos", "https://cubadebate.cu/a/2",  # the higher confidence
        1, False,
    )]


def test_different_figures_are_kept_side_by_side_and_flagged(warehouse: Path) -> None:
    assert rows(warehouse, """
        SELECT value, qualifier, qualifiers, n_articles, n_sources, first_seen, last_seen,
               evidence, evidence_url, n_values, conflicting
          FROM metric_facts WHERE metric = 'arrests' ORDER BY value""") == [
        (179, "exact", ["exact"], 1, 1, datetime(2023, 4, 1, tzinfo=UTC), datetime(2023, 4, 1, tzinfo=UTC),
         "179 arrests", "https://granma.cu/x/3", 2, True),
        # two qualifiers once each: the tie goes to the alphabetically first; earliest evidence wins
        (200, "about", ["about", "more_than"], 2, 1, datetime(2023, 5, 1, tzinfo=UTC),
         datetime(2023, 6, 2, tzinfo=UTC), "about 200 arrests", "https://www.14ymedio.com/y/4", 2, True),
    ]


def test_metrics_by_country_year_picks_the_best_supported_value(warehouse: Path) -> None:
    assert rows(warehouse, """
        SELECT metric, country, year, value, unit, qualifier, n_articles, n_sources, conflicting,
               n_values, alternative_values, evidence_url
          FROM metrics_by_country_year ORDER BY metric, country NULLS LAST""") == [
        ("arrests", "CUB", 2022, 200, "persons", "about", 2, 1, True, 2, [179],
         "https://www.14ymedio.com/y/4"),
        ("convictions", "USA", 2021, 12, "persons", "exact", 1, 1, True, 2, [10],  # the most recent
         "https://other.example.net/c/8"),
        ("estimated_victims", None, 2021, 27_600_000, "persons", "about", 1, 1, False, 1, [],
         "https://granma.cu/x/3"),
        ("prosecutions", "CUB", 2022, 6, "cases", "exact", 2, 2, False, 1, [], "https://cubadebate.cu/a/2"),
    ]


def test_irrelevant_articles_figures_do_not_count(warehouse: Path) -> None:
    assert rows(warehouse, "SELECT count(*) FROM metric_facts WHERE value = 999") == [(0,)]
    assert rows(warehouse, "SELECT count(*) FROM metric_facts") == [(6,)]


def test_coverage_counts_articles_per_source_and_month(warehouse: Path) -> None:
    assert rows(warehouse, """
        SELECT source, month, articles, relevant_articles, articles_with_metrics, metrics
          FROM coverage ORDER BY source, month""") == [
        ("14ymedio", date(2023, 5, 1), 1, 1, 1, 1),
        ("14ymedio", date(2023, 6, 1), 1, 1, 1, 1),  # no publication date: the fetch month
        ("Example News", date(2023, 1, 1), 1, 1, 1, 1),
        ("Granma", date(2023, 4, 1), 1, 1, 1, 2),
        ("Other", date(2023, 2, 1), 2, 1, 1, 1),  # the unclassified article counts, not as relevant
        ("Radio Habana Cuba", date(2023, 3, 1), 2, 1, 1, 1),
        ("cubadebate.cu", date(2023, 3, 1), 1, 1, 1, 1),  # no site name: the host, without www.
    ]


def test_feed_health_on_known_rows(tmp_path: Path) -> None:
    db = tmp_path / "feeds.duckdb"
    now = datetime.now(UTC)
    with open_writer(db) as con:
        con.executemany(
            "INSERT INTO feeds (name, url, state, last_status, last_success_at, consecutive_failures, "
            "failure_score, next_poll_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ["ok-feed", "https://a.example/rss", "active", "ok", now - timedelta(hours=1), 0, 0.0,
                 now + timedelta(hours=1)],
                ["failing", "https://b.example/rss", "backoff", "http_error", now - timedelta(days=3), 3, 3.0,
                 now + timedelta(hours=8)],
                ["silent", "https://c.example/rss", "dead", "timeout", None, 20, 10.0, None],
            ],
        )
        for i, days in enumerate([1, 2, 40]):
            con.execute(
                "INSERT INTO articles (url, feed, status, fetched_at, relevant) VALUES (?, 'ok-feed', 'ok', ?, ?)",
                [f"https://a.example/{i}", now - timedelta(days=days), i == 0],
            ).fetchall()
        fetches = [("ok-feed", "ok", 1)] * 4 + [("ok-feed", "timeout", 2), ("ok-feed", "timeout", 45),
                                                 ("failing", "http_error", 1), ("failing", "retried", 2)]
        for feed, outcome, days in fetches:
            con.execute(
                "INSERT INTO fetches (url, feed, kind, outcome, fetched_at) VALUES ('u', ?, 'feed', ?, ?)",
                [feed, outcome, now - timedelta(days=days)],
            ).fetchall()
    assert rows(db, """
        SELECT feed, state, consecutive_failures, articles_30d, relevant_articles_30d,
               fetches_30d, fetch_errors_30d, fetch_error_rate_30d
          FROM feed_health ORDER BY feed""") == [
        ("failing", "backoff", 3, 0, 0, 2, 2, 1.0),
        ("ok-feed", "active", 0, 2, 1, 5, 1, 0.2),
        ("silent", "dead", 20, 0, 0, 0, 0, None),
    ]
    (last_success, next_poll), = rows(db, "SELECT last_success_at, next_poll_at FROM feed_health "
                                          "WHERE feed = 'ok-feed'")
    assert last_success == now - timedelta(hours=1) and next_poll == now + timedelta(hours=1)


def test_views_are_documented_column_by_column() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "warehouse.md").read_text(encoding="utf-8")
    db_columns: dict[str, list[str]] = {}
    import duckdb

    from warehouse.migrate import migrate

    con = duckdb.connect()
    migrate(con)
    for view, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name IN (SELECT view_name FROM duckdb_views() WHERE NOT internal)"
    ).fetchall():
        db_columns.setdefault(view, []).append(column)
    con.close()
    assert set(db_columns) == {"article_sources", "metric_facts", "metrics_by_country_year", "coverage",
                               "feed_health"}
    for view, columns in db_columns.items():
        section = doc.split(f"### `{view}`", 1)[1].split("\n### ", 1)[0]
        missing = [c for c in columns if f"`{c}`" not in section]
        assert not missing, f"{view}: undocumented columns {missing}"
