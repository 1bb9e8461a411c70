"""How a feed's state moves after each poll: success, soft and hard failures, backoff, death.

Pure functions of (previous state, outcome, time), so the state machine is
tested without a network or a warehouse.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from tipwatch.registry import FeedConfig
from warehouse.load import FeedState

#: outcomes that say nothing bad about the feed itself
SUCCESS = {"ok", "not_modified", "unchanged"}
#: outcomes likely to pass by themselves; they weigh half a hard failure
SOFT = {"timeout", "transport_error", "deferred", "http_5xx"}
#: failure score (hard 1, soft 0.5) after which a feed is dead until `tipwatch feeds reset`
DEAD_AFTER = 10.0
MAX_BACKOFF = timedelta(days=1)


def fresh_state(feed: FeedConfig) -> FeedState:
    return FeedState(
        name=feed.name, url=feed.url, language=feed.language, tags=tuple(feed.tags),
        interval_seconds=int(feed.interval.total_seconds()), etag=None, last_modified=None,
        body_hash=None, last_status="new", last_http_status=None, last_error=None,
        last_polled_at=None, last_success_at=None, consecutive_failures=0, failure_score=0.0,
        next_poll_at=None, state="active", items_last_poll=None,
    )


def with_config(state: FeedState, feed: FeedConfig) -> FeedState:
    """Carry the registry's current URL and settings; a changed URL forgets validators."""
    moved = state.url != feed.url
    return replace(
        state, url=feed.url, language=feed.language, tags=tuple(feed.tags),
        interval_seconds=int(feed.interval.total_seconds()),
        etag=None if moved else state.etag,
        last_modified=None if moved else state.last_modified,
        body_hash=None if moved else state.body_hash,
    )


def is_due(state: FeedState, now: datetime, *, respect_interval: bool) -> bool:
    """Dead feeds wait for a reset; backed-off feeds wait out their backoff."""
    if state.state == "dead":
        return False
    if state.next_poll_at is None:
        return True
    if state.state == "backoff" or respect_interval:
        return state.next_poll_at <= now
    return True


def after_poll(
    state: FeedState,
    *,
    outcome: str,
    now: datetime,
    http_status: int | None = None,
    error: str | None = None,
    retry_after: float | None = None,
    validators: tuple[str | None, str | None, str | None] | None = None,
    items: int | None = None,
    rng: random.Random | None = None,
) -> FeedState:
    """The state after one poll. `validators` = (etag, last_modified, body_hash) to keep, if any."""
    interval = timedelta(seconds=state.interval_seconds or 3600)
    if outcome in SUCCESS:
        etag, last_modified, body_hash = validators or (state.etag, state.last_modified, state.body_hash)
        return replace(
            state, etag=etag, last_modified=last_modified, body_hash=body_hash,
            last_status=outcome, last_http_status=http_status, last_error=None,
            last_polled_at=now, last_success_at=now, consecutive_failures=0,
            failure_score=0.0, next_poll_at=now + interval, state="active",
            items_last_poll=items if items is not None else state.items_last_poll,
        )
    failures = state.consecutive_failures + 1
    score = state.failure_score + (0.5 if outcome in SOFT else 1.0)
    backoff = min(interval * (2 ** min(failures - 1, 10)), MAX_BACKOFF)
    jitter = (rng or random).uniform(0.9, 1.1)
    delay = backoff * jitter
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_BACKOFF))
    return replace(
        state, last_status=outcome, last_http_status=http_status, last_error=error,
        last_polled_at=now, consecutive_failures=failures, failure_score=score,
        next_poll_at=now + delay,
        state="dead" if score >= DEAD_AFTER else ("backoff" if failures >= 2 else "active"),
    )


def reset(state: FeedState) -> FeedState:
    return replace(state, state="active", consecutive_failures=0, failure_score=0.0, next_poll_at=None,
                   last_error=None)
