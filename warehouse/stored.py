"""Reading stored articles back for re-extraction."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from extractors.article import ArticleInput, decompress


def pending_reextraction(con: duckdb.DuckDBPyConnection, version: str, *, everything: bool) -> list[str]:
    """URLs of stored pages whose extraction is older than `version` (or all with `everything`)."""
    sql = "SELECT url FROM articles WHERE raw_html IS NOT NULL"
    params: list[object] = []
    if not everything:
        sql += " AND extractor_version IS DISTINCT FROM ?"
        params.append(version)
    return [row[0] for row in con.execute(sql + " ORDER BY url", params).fetchall()]


def stored_inputs(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> list[ArticleInput]:
    """The stored raw pages of `urls`, as the fetch step had them."""
    con.register("_wanted", pa.table({"url": pa.array(list(urls), pa.string())}))
    try:
        rows = con.execute(
            """SELECT a.url, a.source_url, coalesce(a.final_url, a.url), a.feed, a.raw_html,
                      a.content_type, a.http_status, a.fetched_at, a.title,
                      CASE WHEN a.published_source = 'feed' THEN a.published_at END,
                      f.language
                 FROM articles a JOIN _wanted w ON a.url = w.url
                 LEFT JOIN feeds f ON f.name = a.feed"""
        ).fetchall()
    finally:
        con.unregister("_wanted")
    return [
        ArticleInput(
            url=url, source_url=source_url or url, final_url=final_url, feed=feed,
            body=decompress(raw), content_type=content_type, http_status=http_status,
            fetched_at=fetched_at, feed_title=title, feed_published=feed_published,
            feed_language=language,
        )
        for (url, source_url, final_url, feed, raw, content_type, http_status, fetched_at, title,
             feed_published, language) in rows
    ]
