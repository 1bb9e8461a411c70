"""Scoring: strict keys, per-language and per-metric splits, duplicates, rendering."""

from __future__ import annotations

from extractors.evaluation import evaluate, render_report
from extractors.metrics import Metric

ARTICLES = [
    {"path": "a/en/1.html", "language": "en", "relevant": True},
    {"path": "a/es/2.html", "language": "es", "relevant": True},
    {"path": "a/en/3.html", "language": "en", "relevant": False},
]
GOLD = [
    {"path": "a/en/1.html", "metric": "arrests", "value": 5, "year": 2021, "country": "KEN", "evidence": "E1"},
    {"path": "a/en/1.html", "metric": "convictions", "value": 2, "year": 2021, "country": "KEN", "evidence": "E2"},
    {"path": "a/es/2.html", "metric": "investigations", "value": 9, "year": 2020, "country": None, "evidence": "E3"},
]


def metric(name: str, value: int, year: int | None, country: str | None) -> Metric:
    return Metric(name, value, "persons", "exact", year, country, "ev", 0, 2, 0.9)


def test_scores() -> None:
    report = evaluate(
        ARTICLES,
        GOLD,
        {"a/en/1.html": True, "a/es/2.html": True, "a/en/3.html": True},
        {
            "a/en/1.html": [metric("arrests", 5, 2021, "KEN"), metric("arrests", 5, 2021, "KEN"),
                            metric("convictions", 2, 2020, "KEN")],
            "a/es/2.html": [{"metric": "investigations", "value": 9, "year": 2020, "country": ""}],
        },
    )
    assert (report.relevance_correct, report.relevance_total) == (2, 3)
    assert report.relevance_errors == ("a/en/3.html",)
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (2, 1, 1)
    assert report.duplicates == 1
    assert report.per_language["es"].f1 == 1.0
    assert report.per_metric["convictions"].recall == 0.0
    assert [f.evidence for f in report.misses] == ["E2"]
    assert [(f.metric, f.year) for f in report.false_hits] == [("convictions", 2020)]
    assert abs(report.overall.f1 - 2 / 3) < 1e-9
    text = render_report(report)
    assert "relevance: 2/3" in text and "overall" in text and "duplicate facts: 1" in text


def test_empty_predictions() -> None:
    report = evaluate(ARTICLES, GOLD, {}, {})
    assert report.relevance_correct == 0
    assert report.overall.precision == 0.0 and report.overall.recall == 0.0 and report.overall.f1 == 0.0
    assert "misses: 3" in render_report(report)
