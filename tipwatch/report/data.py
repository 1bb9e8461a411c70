"""What the report shows, read from the analyst views in a few small queries.

Kept apart from the rendering so the numbers can be tested without parsing HTML,
and so the report reads exactly what an analyst would get from the same views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

#: countries charted per metric, chosen by support (sources, then articles)
TOP_COUNTRIES = 6
#: rows in the conflicting-facts table
MAX_CONFLICTS = 300


@dataclass(frozen=True)
class Point:
    """One consolidated figure: a mark on a chart and a row under it."""

    country: str | None
    year: int
    value: int
    unit: str
    qualifier: str
    n_articles: int
    n_sources: int
    conflicting: bool
    alternatives: tuple[int, ...]
    evidence: str
    evidence_url: str


@dataclass(frozen=True)
class MetricChart:
    metric: str
    countries: list[str | None]
    points: list[Point]


@dataclass(frozen=True)
class Month:
    month: dt.date
    articles: int
    relevant: int


@dataclass(frozen=True)
class Conflict:
    metric: str
    country: str | None
    year: int | None
    value: int
    qualifier: str
    unit: str
    n_articles: int
    n_sources: int
    chosen: bool
    evidence: str
    evidence_url: str


@dataclass
class ReportData:
    charts: list[MetricChart] = field(default_factory=list)
    coverage: list[Month] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    articles: int = 0
    relevant: int = 0
    facts: int = 0

    @property
    def empty(self) -> bool:
        return self.articles == 0


def _charts(con: duckdb.DuckDBPyConnection) -> list[MetricChart]:
    rows = con.execute(
        """WITH support AS (
               SELECT metric, country, sum(n_sources) AS s, sum(n_articles) AS a
                 FROM report_consolidated WHERE year IS NOT NULL GROUP BY ALL),
           top AS (
               SELECT metric, country,
                      row_number() OVER (PARTITION BY metric
                                         ORDER BY s DESC, a DESC, country NULLS LAST) AS rank
                 FROM support)
           SELECT m.metric, t.rank, m.country, m.year, m.value, m.unit, m.qualifier, m.n_articles,
                  m.n_sources, m.conflicting, m.alternative_values, m.evidence, m.evidence_url
             FROM report_consolidated m
             JOIN top t ON t.metric = m.metric AND t.country IS NOT DISTINCT FROM m.country
            WHERE t.rank <= ? AND m.year IS NOT NULL
            ORDER BY m.metric, t.rank, m.year""",
        [TOP_COUNTRIES],
    ).fetchall()
    charts: dict[str, MetricChart] = {}
    for metric, _rank, country, year, value, unit, qualifier, arts, srcs, conflicting, alts, ev, url in rows:
        chart = charts.setdefault(metric, MetricChart(metric, [], []))
        if country not in chart.countries:
            chart.countries.append(country)
        chart.points.append(Point(country, year, value, unit, qualifier, arts, srcs, conflicting,
                                  tuple(alts), ev, url))
    return list(charts.values())


def _coverage(con: duckdb.DuckDBPyConnection) -> list[Month]:
    rows = con.execute(
        """SELECT month, sum(articles), sum(relevant_articles)
             FROM coverage WHERE month IS NOT NULL GROUP BY month ORDER BY month"""
    ).fetchall()
    return [Month(month, int(a), int(r)) for month, a, r in rows]


def _conflicts(con: duckdb.DuckDBPyConnection) -> list[Conflict]:
    rows = con.execute(
        """SELECT f.metric, f.country, f.year, f.value, f.qualifier, f.unit, f.n_articles, f.n_sources,
                  f.value = c.value AS chosen, f.evidence, f.evidence_url
             FROM report_conflicts f
             JOIN report_consolidated c
               ON c.metric = f.metric AND c.country IS NOT DISTINCT FROM f.country
              AND c.year IS NOT DISTINCT FROM f.year
            ORDER BY f.metric, f.country NULLS LAST, f.year DESC NULLS LAST, chosen DESC,
                     f.n_sources DESC, f.value
            LIMIT ?""",
        [MAX_CONFLICTS],
    ).fetchall()
    return [Conflict(*row) for row in rows]


def load(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Everything the page needs; an empty warehouse gives an empty ReportData."""
    articles, relevant = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE relevant IS TRUE) FROM articles"
    ).fetchall()[0]
    data = ReportData(articles=int(articles), relevant=int(relevant))
    if data.empty:
        return data
    # each view is computed once: temporary tables work on the read-only connection
    con.execute("CREATE OR REPLACE TEMP TABLE report_conflicts AS "
                "SELECT * FROM metric_facts WHERE conflicting").fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE report_consolidated AS "
                "SELECT * FROM metrics_by_country_year").fetchall()
    # every distinct fact is one value of one consolidated row
    data.facts = int(con.execute("SELECT coalesce(sum(n_values), 0) FROM report_consolidated").fetchall()[0][0])
    data.charts = _charts(con)
    data.coverage = _coverage(con)
    data.conflicts = _conflicts(con)
    return data
