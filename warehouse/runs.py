"""The `runs` table: every pass leaves a row saying what it did and how it ended."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb


@dataclass
class RunSummary:
    run_id: str
    kind: str
    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    articles_new: int = 0
    articles_failed: int = 0
    articles_relevant: int = 0
    metrics: int = 0
    requests: int = 0
    status: str = "running"
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def seconds(self) -> float:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return 0.0


def new_run_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def start_run(con: duckdb.DuckDBPyConnection, summary: RunSummary, params: dict[str, Any]) -> None:
    summary.started_at = datetime.now(UTC)
    con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status, params) VALUES (?, ?, ?, 'running', ?)",
        [summary.run_id, summary.kind, summary.started_at, json.dumps(params, default=str)],
    ).fetchall()


def finish_run(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    summary.finished_at = datetime.now(UTC)
    con.execute(
        """UPDATE runs SET finished_at = ?, status = ?, feeds_ok = ?, feeds_failed = ?,
               articles_new = ?, articles_relevant = ?, metrics = ?, requests = ?, error = ?
           WHERE run_id = ?""",
        [summary.finished_at, summary.status, summary.feeds_ok, summary.feeds_failed,
         summary.articles_new, summary.articles_relevant, summary.metrics, summary.requests,
         summary.error, summary.run_id],
    ).fetchall()
