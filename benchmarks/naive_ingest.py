"""The script a user would write first: one feed after another, one article after another.

feedparser for the feeds, httpx for the pages, trafilatura for the text, one
DuckDB INSERT per article. No concurrency, no batching. `bench_pipeline` runs
it as the "naive" column; it prints one JSON line with its own timing.

    python benchmarks/naive_ingest.py FEED_URL_FILE DB_PATH
"""

from __future__ import annotations

import json
import sys
import time

import duckdb
import feedparser
import httpx
import trafilatura


def main(feed_list: str, db_path: str) -> int:
    started = time.perf_counter()
    con = duckdb.connect(db_path)
    con.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, title TEXT, text TEXT, html BLOB)")
    pages = 0
    with httpx.Client(timeout=30) as client:
        for feed_url in open(feed_list, encoding="utf-8").read().split():
            feed = feedparser.parse(client.get(feed_url).content)
            for entry in feed.entries:
                response = client.get(entry.link)
                if response.status_code != 200:
                    continue
                text = trafilatura.extract(response.content)
                con.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
                            [entry.link, entry.get("title"), text, response.content])
                pages += 1
    con.close()
    print(json.dumps({"pages": pages, "seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
