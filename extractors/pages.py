"""Turn an article's HTML bytes into text and metadata with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Page:
    status: str  # ok | empty | not_html | too_large | unextractable | extract_timeout
    title: str | None = None
    author: str | None = None
    text: str | None = None
    published_at: datetime | None = None
    published_source: str | None = None  # feed | page | None
    language: str | None = None
    site_name: str | None = None
    error: str | None = None


def extract_page(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    feed_published: datetime | None = None,
    feed_language: str | None = None,
    max_bytes: int = 5 * 1024 * 1024,
) -> Page:
    raise NotImplementedError
