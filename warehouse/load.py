"""Batched, transactional, idempotent loads.

Every write is one Arrow table per statement inside one transaction, so a batch
lands whole or not at all, and loading the same batch twice changes nothing:
articles are keyed by canonical URL and an article's metrics are replaced
together with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from extractors.article import ArticleRecord
from tipwatch.fetching import FetchResult

_TS = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema([
    ("url", pa.string()), ("feed", pa.string()), ("source_url", pa.string()),
    ("final_url", pa.string()), ("status", pa.string()), ("error", pa.string()),
    ("http_status", pa.int32()), ("content_type", pa.string()), ("title", pa.string()),
    ("author", pa.string()), ("published_at", _TS), ("published_source", pa.string()),
    ("language", pa.string()), ("site_name", pa.string()), ("text", pa.string()),
    ("raw_html", pa.binary()), ("relevant", pa.bool_()), ("relevance_score", pa.float64()),
    ("relevance_terms", pa.list_(pa.string())), ("extractor_version", pa.string()),
    ("fetched_at", _TS), ("extracted_at", _TS), ("run_id", pa.string()),
])

METRIC_SCHEMA = pa.schema([
    ("article_url", pa.string()), ("metric", pa.string()), ("value", pa.int64()),
    ("unit", pa.string()), ("qualifier", pa.string()), ("year", pa.int32()),
    ("country", pa.string()), ("evidence", pa.string()), ("evidence_start", pa.int32()),
    ("evidence_end", pa.int32()), ("language", pa.string()), ("confidence", pa.float64()),
    ("extractor_version", pa.string()), ("extracted_at", _TS), ("run_id", pa.string()),
])

FETCH_SCHEMA = pa.schema([
    ("url", pa.string()), ("feed", pa.string()), ("kind", pa.string()), ("status", pa.int32()),
    ("outcome", pa.string()), ("error", pa.string()), ("bytes", pa.int64()),
    ("elapsed", pa.float64()), ("fetched_at", _TS), ("run_id", pa.string()),
])


@dataclass(frozen=True)
class FeedState:
    """What a poll learnt about a feed; one `feeds` row."""

    name: str
    url: str
    language: str | None
    tags: tuple[str, ...]
    interval_seconds: int
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    last_status: str
    last_http_status: int | None
    last_error: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    failure_score: float
    next_poll_at: datetime | None
    state: str
    items_last_poll: int | None


def article_table(records: Sequence[ArticleRecord], run_id: str) -> pa.Table:
    rows = [
        {
            "url": r.url, "feed": r.feed, "source_url": r.source_url, "final_url": r.final_url,
            "status": r.status, "error": r.error, "http_status": r.http_status,
            "content_type": r.content_type, "title": r.title, "author": r.author,
            "published_at": r.published_at, "published_source": r.published_source,
            "language": r.language, "site_name": r.site_name, "text": r.text,
            "raw_html": r.raw_html, "relevant": r.relevant, "relevance_score": r.relevance_score,
            "relevance_terms": list(r.relevance_terms), "extractor_version": r.extractor_version,
            "fetched_at": r.fetched_at, "extracted_at": r.extracted_at, "run_id": run_id,
        }
        for r in records
    ]
    return pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)


def metric_table(records: Sequence[ArticleRecord], run_id: str) -> pa.Table:
    rows = [
        {
            "article_url": r.url, "metric": m.metric, "value": m.value, "unit": m.unit,
            "qualifier": m.qualifier, "year": m.year, "country": m.country,
            "evidence": m.evidence, "evidence_start": m.start, "evidence_end": m.end,
            "language": r.language, "confidence": m.confidence,
            "extractor_version": r.extractor_version, "extracted_at": r.extracted_at,
            "run_id": run_id,
        }
        for r in records
        for m in r.metrics
    ]
    return pa.Table.from_pylist(rows, schema=METRIC_SCHEMA)


def fetch_table(results: Iterable[tuple[FetchResult, str | None, str]], run_id: str) -> pa.Table:
    """One row per HTTP attempt: a redirect hop reads `redirected`, an attempt that was
    tried again `retried`, the last one the request's outcome."""
    rows = []
    for result, feed, kind in results:
        last = len(result.attempts) - 1
        for i, attempt in enumerate(result.attempts):
            if i == last:
                outcome = result.outcome
            elif attempt.status is not None and 300 <= attempt.status < 400:
                outcome = "redirected"
            else:
                outcome = "retried"
            rows.append({
                "url": attempt.url, "feed": feed, "kind": kind, "status": attempt.status,
                "outcome": outcome, "error": attempt.error,
                "bytes": attempt.bytes, "elapsed": attempt.elapsed,
                "fetched_at": attempt.fetched_at, "run_id": run_id,
            })
    return pa.Table.from_pylist(rows, schema=FETCH_SCHEMA)


def _transaction(con: duckdb.DuckDBPyConnection, statements: Sequence[tuple[str, pa.Table]]) -> None:
    """Run `statements` (SQL with `{batch}` naming its Arrow table) all or nothing."""
    names = [f"_batch_{i}" for i in range(len(statements))]
    for name, (_, table) in zip(names, statements, strict=True):
        con.register(name, table)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            for name, (sql, _) in zip(names, statements, strict=True):
                con.execute(sql.format(batch=name)).fetchall()
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:  # a failed COMMIT (disk full) has already ended the transaction
                pass
            raise
    finally:
        for name in names:
            con.unregister(name)


def load_articles(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[ArticleRecord],
    fetches: pa.Table | None,
    run_id: str,
) -> None:
    """Articles, their metrics and the fetches that produced them, in one transaction.

    An article already stored is replaced with its metrics, so a rerun or a
    concurrent loader of the same URL leaves exactly one copy.
    """
    statements: list[tuple[str, pa.Table]] = []
    if records:
        articles = article_table(records, run_id)
        statements += [
            ("DELETE FROM metrics WHERE article_url IN (SELECT url FROM {batch})", articles),
            ("DELETE FROM articles WHERE url IN (SELECT url FROM {batch})", articles),
            ("INSERT INTO articles BY NAME SELECT * FROM {batch}", articles),
        ]
        metrics = metric_table(records, run_id)
        if metrics.num_rows:
            statements.append(("INSERT INTO metrics BY NAME SELECT * FROM {batch}", metrics))
    if fetches is not None and fetches.num_rows:
        statements.append(("INSERT INTO fetches BY NAME SELECT * FROM {batch}", fetches))
    if statements:
        _transaction(con, statements)


def replace_extraction(con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord], run_id: str) -> None:
    """Re-extraction: new text, relevance and metrics for stored articles, atomically."""
    load_articles(con, records, None, run_id)


def load_fetches(con: duckdb.DuckDBPyConnection, fetches: pa.Table) -> None:
    if fetches.num_rows:
        _transaction(con, [("INSERT INTO fetches BY NAME SELECT * FROM {batch}", fetches)])


def save_feed_states(con: duckdb.DuckDBPyConnection, states: Sequence[FeedState]) -> None:
    if not states:
        return
    table = pa.Table.from_pylist(
        [{**s.__dict__, "tags": list(s.tags)} for s in states],
        schema=pa.schema([
            ("name", pa.string()), ("url", pa.string()), ("language", pa.string()),
            ("tags", pa.list_(pa.string())), ("interval_seconds", pa.int32()),
            ("etag", pa.string()), ("last_modified", pa.string()), ("body_hash", pa.string()),
            ("last_status", pa.string()), ("last_http_status", pa.int32()),
            ("last_error", pa.string()), ("last_polled_at", _TS), ("last_success_at", _TS),
            ("consecutive_failures", pa.int32()), ("failure_score", pa.float64()),
            ("next_poll_at", _TS), ("state", pa.string()),
            ("items_last_poll", pa.int32()),
        ]),
    )
    _transaction(con, [
        ("DELETE FROM feeds WHERE name IN (SELECT name FROM {batch})", table),
        ("INSERT INTO feeds BY NAME SELECT * FROM {batch}", table),
    ])


def known_urls(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> set[str]:
    """The subset of `urls` already stored as articles."""
    if not urls:
        return set()
    table = pa.table({"url": pa.array(list(urls), pa.string())})
    con.register("_candidates", table)
    try:
        rows = con.execute(
            "SELECT a.url FROM articles a JOIN _candidates c ON a.url = c.url"
        ).fetchall()
    finally:
        con.unregister("_candidates")
    return {r[0] for r in rows}


def read_feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    cols = [f for f in FeedState.__dataclass_fields__]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM feeds").fetchall()
    states = {}
    for row in rows:
        values = dict(zip(cols, row, strict=True))
        values["tags"] = tuple(values["tags"] or ())
        states[values["name"]] = FeedState(**values)
    return states
