"""Score relevance + metrics on the bundled demo site against tipwatch/demo/expected.toml.

The demo's annotation was written independently of the extractor's tuning, so it
is a check of generalisation. Pages go through the same page extraction the
pipeline uses (`extractors.pages.extract_page`, with the feed's date and
language), then relevance and metrics; expected.toml is converted in memory to
the gold rows `extractors.evaluation.evaluate` takes. No server, no warehouse.

    PYTHONPATH=. python benchmarks/demo_eval.py
"""

from __future__ import annotations

import sys
import tomllib
from datetime import datetime
from typing import Any

from extractors.evaluation import evaluate, render_report
from extractors.metrics import Metric
from extractors.pages import extract_page
from extractors.article import analyse_text
from tipwatch.demo import EXPECTED_FILE, SITE_ROOT


def gold_rows(expected: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """expected.toml's articles and facts as devset-style gold lines (path = the page's file)."""
    articles, metrics = [], []
    for article in expected["articles"]:
        articles.append({"path": article["file"], "language": article["language"], "relevant": article["relevant"]})
        for fact in article.get("facts", []):
            metrics.append({**fact, "path": article["file"], "country": fact.get("country")})
    return articles, metrics


def predict(expected: dict[str, Any]) -> tuple[dict[str, bool | None], dict[str, list[Metric]]]:
    languages = {f["name"]: f["language"] for f in expected["feeds"]}
    relevance: dict[str, bool | None] = {}
    metrics: dict[str, list[Metric]] = {}
    for article in expected["articles"]:
        published = datetime.fromisoformat(article["published"])
        page = extract_page(
            (SITE_ROOT / article["file"]).read_bytes(),
            url=article["url"].replace("{BASE}", "http://127.0.0.1:8790"),
            content_type="text/html; charset=utf-8",
            feed_published=published,
            feed_language=languages[article["feeds"][0]],
        )
        if page.status != "ok" or not page.text:
            relevance[article["file"]] = None
            continue
        day = page.published_at.date() if page.published_at else published.date()
        relevant, _, _, found = analyse_text(page.title, page.text, page.language, day)
        relevance[article["file"]] = relevant
        metrics[article["file"]] = list(found)
    return relevance, metrics


def main() -> int:
    expected = tomllib.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
    gold_articles, gold_metrics = gold_rows(expected)
    relevance, metrics = predict(expected)
    print(render_report(evaluate(gold_articles, gold_metrics, relevance, metrics)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
