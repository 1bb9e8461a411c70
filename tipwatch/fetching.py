"""HTTP fetching like a good citizen: deadlines, size caps, retries, no internal addresses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FetchRecord:
    """One HTTP attempt, as stored in the `fetches` table."""

    url: str
    status: int | None
    error: str | None
    bytes: int
    elapsed: float
    fetched_at: datetime


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    outcome: str  # ok | not_modified | http_error | timeout | too_large | refused | transport_error | deferred | too_many_redirects
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds, for deferred
    error: str | None = None
    attempts: list[FetchRecord] = field(default_factory=list)
