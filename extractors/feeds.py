"""Turn feed bytes into items, safely (no entity expansion, bounded size)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None = None
    published: datetime | None = None  # timezone-aware UTC, None when absent or absurd
    author: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    ok: bool
    version: str = ""
    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None  # why the feed was judged unusable, when not ok


def parse_feed(body: bytes, headers: Mapping[str, str], base_url: str) -> ParsedFeed:
    raise NotImplementedError
