"""One feed poll: conditional GET, body hash, safe parse, and the feed's next state.

An unchanged feed costs one request and no parsing: a 304 answers the
conditional GET, and a 200 whose body hashes as last time is not parsed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from extractors.feeds import FeedItem, parse_feed
from tipwatch.feedstate import after_poll
from tipwatch.fetching import Fetcher, FetchResult
from tipwatch.registry import FeedConfig
from warehouse.load import FeedState

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class FeedPoll:
    feed: FeedConfig
    outcome: str  # ok | not_modified | unchanged | malformed | <fetch outcome>
    state: FeedState  # the state to store once the feed's new articles are loaded
    fetch: FetchResult
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome in {"ok", "not_modified", "unchanged"}


def _failure_kind(result: FetchResult) -> str:
    if result.outcome == "http_error" and result.status is not None and result.status >= 500:
        return "http_5xx"
    return result.outcome


def poll_feed(feed: FeedConfig, state: FeedState, fetcher: Fetcher, now: datetime | None = None) -> FeedPoll:
    now = now or datetime.now(UTC)
    result = fetcher.fetch(feed.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT)
    if result.outcome == "not_modified":
        new = after_poll(state, outcome="not_modified", now=now, http_status=result.status)
        return FeedPoll(feed, "not_modified", new, result)
    if result.outcome != "ok" or result.body is None:
        kind = _failure_kind(result)
        new = after_poll(state, outcome=kind, now=now, http_status=result.status,
                         error=result.error, retry_after=result.retry_after)
        return FeedPoll(feed, result.outcome, new, result, error=result.error)
    body_hash = hashlib.sha256(result.body).hexdigest()
    validators = (result.etag, result.last_modified, body_hash)
    if body_hash == state.body_hash:
        new = after_poll(state, outcome="unchanged", now=now, http_status=result.status,
                         validators=validators)
        return FeedPoll(feed, "unchanged", new, result)
    parsed = parse_feed(result.body, result.headers, result.final_url)
    if not parsed.ok:
        new = after_poll(state, outcome="malformed", now=now, http_status=result.status,
                         error=parsed.error)
        return FeedPoll(feed, "malformed", new, result, error=parsed.error)
    new = after_poll(state, outcome="ok", now=now, http_status=result.status,
                     validators=validators, items=len(parsed.items))
    return FeedPoll(feed, "ok", new, result, items=list(parsed.items))
