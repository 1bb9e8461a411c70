"""Fetch a batch of new articles and extract them in isolated worker processes.

Fetching is I/O and runs on threads; extraction is CPU-bound and runs in a
process pool with a hard time limit per page. A page that fails for good
(4xx, refused, not HTML...) becomes a record with a status; a page that may
succeed later (timeout, 5xx, deferred host) is left out so the next pass
retries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from extractors.article import ArticleInput, ArticleRecord, failed_record, process_article
from extractors.isolation import IsolatedPool
from tipwatch.fetching import Fetcher, FetchResult

ARTICLE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: fetch outcomes worth retrying on a later pass
TRANSIENT = {"timeout", "transport_error", "deferred"}


@dataclass(frozen=True)
class NewItem:
    """A feed item not in the warehouse yet."""

    url: str  # canonical
    source_url: str
    feed: str | None  # None for a backfill's URL list: no feed listed it
    title: str | None = None
    published: datetime | None = None
    language: str | None = None


@dataclass
class BatchResult:
    records: list[ArticleRecord] = field(default_factory=list)
    fetches: list[tuple[FetchResult, str | None, str]] = field(default_factory=list)
    retry_later: list[NewItem] = field(default_factory=list)


def is_transient(result: FetchResult) -> bool:
    if result.outcome in TRANSIENT:
        return True
    return result.outcome == "http_error" and (result.status or 0) >= 500


def _terminal_record(item: NewItem, result: FetchResult) -> ArticleRecord:
    return ArticleRecord(
        url=item.url, source_url=item.source_url, final_url=result.final_url, feed=item.feed,
        status=result.outcome, error=result.error, http_status=result.status,
        content_type=result.headers.get("content-type"), title=item.title,
        published_at=item.published, published_source="feed" if item.published else None,
        language=item.language,
        fetched_at=result.attempts[-1].fetched_at if result.attempts else None,
    )


def fetch_one(item: NewItem, fetcher: Fetcher) -> tuple[NewItem, FetchResult]:
    return item, fetcher.fetch(item.source_url, accept=ARTICLE_ACCEPT)


def process_batch(
    items: Sequence[NewItem], fetcher: Fetcher, pool: IsolatedPool, *, fetch_threads: int = 8,
    max_bytes: int = 5 * 1024 * 1024,
) -> BatchResult:
    out = BatchResult()
    inputs: list[ArticleInput] = []
    with ThreadPoolExecutor(max_workers=max(1, min(fetch_threads, len(items)))) as threads:
        fetched = list(threads.map(partial(fetch_one, fetcher=fetcher), items))
    for item, result in fetched:
        out.fetches.append((replace(result, body=None), item.feed, "article"))  # the body goes on once
        if result.outcome == "ok" and result.body is not None:
            inputs.append(ArticleInput(
                url=item.url, source_url=item.source_url, final_url=result.final_url,
                feed=item.feed, body=result.body, content_type=result.headers.get("content-type"),
                http_status=result.status, fetched_at=result.attempts[-1].fetched_at,
                feed_title=item.title, feed_published=item.published, feed_language=item.language,
            ))
        elif is_transient(result):
            out.retry_later.append(item)
        else:
            out.records.append(_terminal_record(item, result))
    out.records.extend(extract_all(inputs, pool, max_bytes=max_bytes))
    return out


def extract_all(inputs: Sequence[ArticleInput], pool: IsolatedPool, *, max_bytes: int) -> list[ArticleRecord]:
    """Extract pages in the isolated pool; a killed or failed worker yields a status record."""
    outcomes = pool.map(partial(process_article, max_bytes=max_bytes), list(inputs))
    return [
        outcome.value if outcome.ok else failed_record(item, outcome.reason, outcome.error)
        for item, outcome in zip(inputs, outcomes, strict=True)
    ]
