"""From a fetched page to everything tipwatch stores about it, in one picklable call.

This is the unit of CPU work that runs in an extraction worker process: page
extraction, relevance and metrics together, so a page crosses the process
boundary once and comes back as plain data.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from extractors.metrics import EXTRACTOR_VERSION, Metric, extract_metrics
from extractors.pages import Page, extract_page, find_byline
from extractors.relevance import assess_relevance


@dataclass(frozen=True)
class ArticleInput:
    """What the fetch step knows about an article."""

    url: str  # canonical
    source_url: str
    final_url: str
    feed: str | None
    body: bytes
    content_type: str | None
    http_status: int | None
    fetched_at: datetime
    feed_title: str | None = None
    feed_published: datetime | None = None
    feed_language: str | None = None


@dataclass(frozen=True)
class ArticleRecord:
    """One `articles` row and its `metrics`, ready to load."""

    url: str
    source_url: str
    final_url: str | None
    feed: str | None
    status: str
    error: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    published_source: str | None = None
    language: str | None = None
    site_name: str | None = None
    text: str | None = None
    raw_html: bytes | None = None
    relevant: bool | None = None
    relevance_score: float | None = None
    relevance_terms: tuple[str, ...] = ()
    extractor_version: str | None = None
    fetched_at: datetime | None = None
    extracted_at: datetime | None = None
    metrics: tuple[Metric, ...] = field(default_factory=tuple)


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 3)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)


def analyse_text(
    title: str | None, text: str, language: str | None, published: date | None
) -> tuple[bool, float, tuple[str, ...], tuple[Metric, ...]]:
    """Relevance, then metrics for relevant text only."""
    relevance = assess_relevance(title, text, language)
    metrics: tuple[Metric, ...] = ()
    if relevance.relevant:
        metrics = tuple(extract_metrics(text, language=language, published=published, title=title))
    return relevance.relevant, relevance.score, relevance.terms, metrics


def process_article(item: ArticleInput, max_bytes: int = 5 * 1024 * 1024) -> ArticleRecord:
    """Extract, judge and measure one fetched page. Never raises for bad input.

    The body's byline is searched for relevant pages only: most news is not
    about trafficking, and that search costs a quarter of a page's extraction.
    """
    page: Page = extract_page(
        item.body,
        url=item.final_url,
        content_type=item.content_type,
        feed_published=item.feed_published,
        feed_language=item.feed_language,
        max_bytes=max_bytes,
        search_byline=False,
    )
    relevant: bool | None = None
    score: float | None = None
    terms: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    title = page.title or item.feed_title
    if page.status == "ok" and page.text:
        published = page.published_at.date() if page.published_at else item.fetched_at.date()
        relevant, score, terms, metrics = analyse_text(title, page.text, page.language, published)
        if relevant and page.author is None:
            page = replace(page, author=find_byline(item.body, item.content_type))
    return ArticleRecord(
        url=item.url,
        source_url=item.source_url,
        final_url=item.final_url,
        feed=item.feed,
        status=page.status,
        error=page.error,
        http_status=item.http_status,
        content_type=item.content_type,
        title=title,
        author=page.author,
        published_at=page.published_at,
        published_source=page.published_source,
        language=page.language or item.feed_language,
        site_name=page.site_name,
        text=page.text,
        raw_html=compress(item.body) if item.body else None,
        relevant=relevant,
        relevance_score=score,
        relevance_terms=terms,
        extractor_version=EXTRACTOR_VERSION,
        fetched_at=item.fetched_at,
        extracted_at=datetime.now(UTC),
        metrics=metrics,
    )


def failed_record(item: ArticleInput, status: str, error: str | None) -> ArticleRecord:
    """The record of a page whose extraction worker was killed or failed."""
    return ArticleRecord(
        url=item.url,
        source_url=item.source_url,
        final_url=item.final_url,
        feed=item.feed,
        status=status,
        error=error,
        http_status=item.http_status,
        content_type=item.content_type,
        title=item.feed_title,
        published_at=item.feed_published,
        published_source="feed" if item.feed_published else None,
        language=item.feed_language,
        raw_html=compress(item.body) if item.body else None,
        extractor_version=EXTRACTOR_VERSION,
        fetched_at=item.fetched_at,
        extracted_at=datetime.now(UTC),
    )
