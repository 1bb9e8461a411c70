"""The per-feed state machine: success resets, failures back off, many failures kill."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tipwatch.feedstate import DEAD_AFTER, after_poll, fresh_state, is_due, reset, with_config
from tipwatch.registry import FeedConfig

NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)
FEED = FeedConfig(name="a", url="https://a.example/feed", language="en", tags=(), interval=timedelta(hours=1))
RNG = random.Random(1)


def test_success_keeps_validators_and_schedules_next_poll() -> None:
    state = after_poll(fresh_state(FEED), outcome="ok", now=NOW, http_status=200,
                       validators=("etag-1", "Mon, 01 Jan 2025 00:00:00 GMT", "hash"), items=3)
    assert (state.etag, state.body_hash, state.items_last_poll) == ("etag-1", "hash", 3)
    assert state.next_poll_at == NOW + timedelta(hours=1)
    assert state.state == "active" and state.consecutive_failures == 0


def test_failures_back_off_with_growing_interval() -> None:
    state = fresh_state(FEED)
    delays = []
    for _ in range(4):
        state = after_poll(state, outcome="http_error", now=NOW, http_status=404, rng=RNG)
        assert state.next_poll_at is not None
        delays.append(state.next_poll_at - NOW)
    assert delays == sorted(delays) and delays[-1] > delays[0] * 4
    assert state.state == "backoff" and state.consecutive_failures == 4


def test_soft_failures_weigh_half() -> None:
    hard = after_poll(fresh_state(FEED), outcome="malformed", now=NOW, rng=RNG)
    soft = after_poll(fresh_state(FEED), outcome="timeout", now=NOW, rng=RNG)
    assert soft.failure_score * 2 == hard.failure_score == 1.0


def test_many_failures_kill_the_feed_until_reset() -> None:
    state = fresh_state(FEED)
    for _ in range(int(DEAD_AFTER)):
        state = after_poll(state, outcome="http_error", now=NOW, rng=RNG)
    assert state.state == "dead"
    assert not is_due(state, NOW + timedelta(days=365), respect_interval=False)
    assert is_due(reset(state), NOW, respect_interval=True)


def test_recovery_makes_the_feed_active_again() -> None:
    state = fresh_state(FEED)
    for _ in range(3):
        state = after_poll(state, outcome="timeout", now=NOW, rng=RNG)
    state = after_poll(state, outcome="not_modified", now=NOW, http_status=304)
    assert state.state == "active" and state.failure_score == 0


def test_retry_after_is_honoured_and_capped() -> None:
    state = after_poll(fresh_state(FEED), outcome="deferred", now=NOW, retry_after=7200, rng=RNG)
    assert state.next_poll_at is not None and state.next_poll_at >= NOW + timedelta(hours=2)
    huge = after_poll(fresh_state(FEED), outcome="deferred", now=NOW, retry_after=10**9, rng=RNG)
    assert huge.next_poll_at is not None and huge.next_poll_at <= NOW + timedelta(days=1, hours=3)


def test_manual_runs_poll_healthy_feeds_scheduled_runs_wait_for_the_interval() -> None:
    state = after_poll(fresh_state(FEED), outcome="ok", now=NOW)
    soon = NOW + timedelta(minutes=5)
    assert is_due(state, soon, respect_interval=False)
    assert not is_due(state, soon, respect_interval=True)


def test_a_moved_feed_forgets_its_validators() -> None:
    state = replace(fresh_state(FEED), etag="e", body_hash="h")
    moved = with_config(state, replace(FEED, url="https://b.example/feed"))
    assert moved.etag is None and moved.body_hash is None
    assert with_config(state, FEED).etag == "e"
