"""The bundled demo site keeps the promises written in tipwatch/demo/expected.toml."""

from __future__ import annotations

import re
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
import trafilatura

from tipwatch.demo import EXPECTED_FILE, SITE_ROOT, demo_feeds_file
from tipwatch.registry import load_feeds
from tipwatch.sitehost import serve_site

EXPECTED: dict[str, Any] = tomllib.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = EXPECTED["articles"]
FEEDS: list[dict[str, Any]] = EXPECTED["feeds"]
UNFETCHABLE = {u["url"] for u in EXPECTED["unfetchable"]}
METRICS = {"victims_identified", "arrests", "investigations", "prosecutions", "convictions",
           "prevention_actions", "estimated_victims"}
QUALIFIERS = {"exact", "more_than", "at_least", "about", "up_to", "less_than"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_site(SITE_ROOT) as url:
        yield url


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("feed", FEEDS, ids=[f["name"] for f in FEEDS])
def test_feed_parses_and_links_where_expected(base: str, feed: dict[str, Any]) -> None:
    raw = (SITE_ROOT / feed["file"]).read_bytes()
    assert b"{BASE}" in raw
    served = fetch(f"{base}/{feed['file']}")
    assert b"{BASE}" not in served
    parsed = feedparser.parse(served)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version.startswith(feed["format"])
    links = [entry.link for entry in parsed.entries]
    assert links == [u.replace("{BASE}", base) for u in feed["items"]]
    for link in links:
        assert link.startswith(base + "/") or link in UNFETCHABLE, link
    assert all(entry.get("published_parsed") for entry in parsed.entries)


def test_every_item_is_an_article_or_declared_unfetchable() -> None:
    article_urls = {a["url"] for a in ARTICLES} | {u for a in ARTICLES for u in a.get("also_linked_as", [])}
    items = [u for f in FEEDS for u in f["items"]]
    assert set(items) == article_urls | UNFETCHABLE
    for article in ARTICLES:
        for name in article["feeds"]:
            feed = next(f for f in FEEDS if f["name"] == name)
            assert any(u.split("?")[0] == article["url"] for u in feed["items"]), (article["id"], name)


def test_demo_has_what_the_pipeline_must_cope_with() -> None:
    """The cases the demo exists to show, so that an edit cannot quietly drop one."""
    items = [u for f in FEEDS for u in f["items"]]
    assert any("utm_source=" in u for u in items)
    assert any("/index.php/" in u for u in items) and any(
        re.match(r"\{BASE\}/(en|es|fr|pt)/", u) for u in items)
    assert "http://169.254.169.254/latest/meta-data/" in UNFETCHABLE
    assert any(u.endswith(".pdf") for u in UNFETCHABLE)
    assert {a["language"] for a in ARTICLES} == {"en", "es", "fr", "pt"}
    assert any(len(a["feeds"]) > 1 for a in ARTICLES)
    relevant = [a for a in ARTICLES if a["relevant"]]
    assert len(relevant) >= 6 and len(ARTICLES) - len(relevant) >= 4
    assert {f["metric"] for a in relevant for f in a.get("facts", [])} == METRICS


@pytest.mark.parametrize("unfetchable", EXPECTED["unfetchable"], ids=[u["expect"] for u in EXPECTED["unfetchable"]])
def test_unfetchable_items_behave_as_declared(base: str, unfetchable: dict[str, Any]) -> None:
    url = unfetchable["url"].replace("{BASE}", base)
    if unfetchable["expect"] == "refused":
        assert not url.startswith(base)  # never requested here: it is the fetcher's job to refuse it
    elif unfetchable["expect"] == "http_error":
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(url)
        assert info.value.code == 404
        info.value.close()
    else:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.read().startswith(b"%PDF-")


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_article_page_states_its_facts(base: str, article: dict[str, Any]) -> None:
    assert (SITE_ROOT / article["file"]).is_file()
    page = fetch(article["url"].replace("{BASE}", base)).decode("utf-8")
    assert f'<meta property="article:published_time" content="{article["published"]}"' in page
    text = trafilatura.extract(page, include_comments=False)
    assert text is not None and len(text.split()) >= 120
    body = squash(text)
    metadata = trafilatura.extract_metadata(page)
    assert metadata is not None and metadata.date == article["published"][:10]
    facts = article.get("facts", [])
    assert bool(facts) == article["relevant"]  # only relevant articles state facts
    for fact in facts:
        assert fact["metric"] in METRICS and fact["qualifier"] in QUALIFIERS
        assert fact["unit"] in {"persons", "cases", "actions"}
        assert squash(fact["evidence"]) in body, fact["evidence"]
        assert fact["text"] in fact["evidence"]
        digits = re.sub(r"[ ,.\u00a0]", "", fact["text"])
        if digits.isdigit():
            assert int(digits) == fact["value"]
        elif fact["text"].endswith("millones"):
            assert fact["value"] == round(float(fact["text"].split()[0].replace(",", ".")) * 1_000_000)
        assert 2000 <= fact["year"] <= int(article["published"][:4])
        assert fact.get("country") is None or re.fullmatch(r"[A-Z]{3}", fact["country"])


def test_demo_registry_loads(tmp_path: Path) -> None:
    base = "http://127.0.0.1:8765"
    path = demo_feeds_file(base, tmp_path / "sub" / "feeds.toml")
    feeds = load_feeds(path)
    assert [f.name for f in feeds] == [f["name"] for f in FEEDS]
    for feed, declared in zip(feeds, FEEDS, strict=True):
        assert feed.url == f"{base}/{declared['file']}"
        assert feed.language == declared["language"]
    assert demo_feeds_file(base + "/", tmp_path / "again.toml").read_text() == path.read_text()
