"""The single place a pass writes from: short transactions under the writer lock.

Each method opens the file, does one transaction and closes it again, so a
concurrent process (a backfill, an analyst's query) gets its turn between
batches instead of failing on DuckDB's file lock.

Closing normally checkpoints, and DuckDB's checkpoint rewrites the table's
last, partly filled row group (up to 122,880 rows) whole: a checkpoint per
50-article batch made a pass quadratic in the warehouse size. So a batch's
close leaves its transaction in the write-ahead log (durable, and replayed by
every later open, readers included); DuckDB still checkpoints once the log
passes its `checkpoint_threshold`, and `finish` checkpoints at the end of a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from extractors.article import ArticleRecord
from warehouse import load
from warehouse.connection import open_writer
from warehouse.load import FeedState
from warehouse.runs import RunSummary, finish_run, start_run


class WarehouseWriter:
    def __init__(self, path: str | Path, *, lock_timeout: float = 120.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    def _open(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return open_writer(self.path, timeout=self.lock_timeout)

    def start(self, summary: RunSummary, params: dict[str, Any]) -> dict[str, FeedState]:
        """Record the run and return every feed's stored state."""
        with self._open() as con:
            start_run(con, summary, params)
            return load.read_feed_states(con)

    def known(self, urls: Sequence[str]) -> set[str]:
        with self._open() as con:
            return load.known_urls(con, urls)

    def load_batch(self, records: Sequence[ArticleRecord], fetches: pa.Table, run_id: str) -> None:
        with self._open() as con:
            con.execute("PRAGMA disable_checkpoint_on_shutdown")  # see the module docstring
            load.load_articles(con, records, fetches, run_id)

    def load_fetches(self, fetches: pa.Table) -> None:
        with self._open() as con:
            load.load_fetches(con, fetches)

    def save_feeds(self, states: Sequence[FeedState], fetches: pa.Table | None = None) -> None:
        with self._open() as con:
            load.save_feed_states(con, states)
            if fetches is not None:
                load.load_fetches(con, fetches)

    def finish(self, summary: RunSummary) -> None:
        with self._open() as con:
            finish_run(con, summary)
