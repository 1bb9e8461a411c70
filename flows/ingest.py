"""The `ingest` flow: poll feeds, fetch new articles, extract, load. One pass, then return.

Fan-out is one task per feed and one task per batch of articles; the flow body
is the only place that writes the warehouse, one short transaction per batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.article import ArticleRecord
from tipwatch.articles import BatchResult, NewItem, process_batch
from tipwatch.feedstate import fresh_state, is_due, with_config
from tipwatch.polling import FeedPoll, poll_feed
from tipwatch.progress import report
from tipwatch.registry import FeedConfig, load_feeds
from tipwatch.runtime import close_all, fetcher_for, pool_for
from tipwatch.settings import Settings
from tipwatch.urls import InvalidURL, canonical_url
from warehouse.load import FeedState, fetch_table
from warehouse.runs import RunSummary, new_run_id
from warehouse.writer import WarehouseWriter

TASK_THREADS = 8
#: article batches submitted at once: enough to fetch ahead of the extraction pool
BATCHES_IN_FLIGHT = 4


@task(name="poll-feed", cache_policy=NO_CACHE)
def poll_feed_task(feed: FeedConfig, state: FeedState, settings: Settings) -> FeedPoll:
    return poll_feed(feed, state, fetcher_for(settings))


@task(name="process-articles", cache_policy=NO_CACHE)
def process_articles_task(
    items: list[NewItem], settings: Settings, inline: bool = False, warm_dates: bool = True
) -> BatchResult:
    pool = pool_for(settings, inline=inline, warm_dates=warm_dates)
    return process_batch(items, fetcher_for(settings), pool, max_bytes=settings.extract_max_bytes)


def new_items(polls: Iterable[FeedPoll]) -> list[NewItem]:
    """Feed items keyed by canonical URL; the first feed to list an article owns it."""
    seen: dict[str, NewItem] = {}
    for poll in polls:
        for item in poll.items:
            try:
                key = canonical_url(item.url)
            except InvalidURL:
                continue
            seen.setdefault(key, NewItem(
                url=key, source_url=item.url, feed=poll.feed.name, title=item.title,
                published=item.published, language=poll.feed.language,
            ))
    return list(seen.values())


def batched(items: Sequence[NewItem], size: int) -> list[list[NewItem]]:
    return [list(items[i:i + size]) for i in range(0, len(items), max(1, size))]


def extract_inline() -> bool:
    """On a Dask cluster the worker is the isolation: extract there rather than in a local pool."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    return runner is not None and type(runner).__module__.startswith("prefect_dask")


def process_items(
    items: Sequence[NewItem], *, writer: WarehouseWriter, settings: Settings, summary: RunSummary,
    keep: Callable[[ArticleRecord], bool] | None = None,
) -> list[NewItem]:
    """Fetch, extract and load `items` batch by batch; return the ones to retry later.

    `keep` (a backfill's date window) decides which extracted records are loaded;
    the fetches of the others are still recorded.
    """
    retry: list[NewItem] = []
    report("articles", total=len(items))
    inline = extract_inline()
    warm_dates = any(item.published is None for item in items)  # else no page date is searched
    queue = deque(batched(items, settings.batch_size))
    running: dict[PrefectFuture[BatchResult], list[NewItem]] = {}
    while queue or running:
        # A bounded window: the next batches fetch while this one extracts, and a
        # loaded batch's result is dropped, so memory does not grow with the pass.
        while queue and len(running) < BATCHES_IN_FLIGHT:
            batch = queue.popleft()
            running[process_articles_task.submit(batch, settings, inline, warm_dates)] = batch
        future = next(as_completed(list(running)))
        batch = running.pop(future)
        try:
            result: BatchResult = future.result()
        except Exception:  # a bug in one batch must not lose the others
            retry.extend(batch)
            summary.articles_failed += len(batch)
            continue
        records = result.records if keep is None else [r for r in result.records if keep(r)]
        writer.load_batch(records, fetch_table(result.fetches, summary.run_id), summary.run_id)
        retry.extend(result.retry_later)
        summary.requests += sum(len(r.attempts) for r, _, _ in result.fetches)
        summary.articles_new += len(records)
        summary.articles_failed += len(result.retry_later)
        summary.articles_relevant += sum(1 for r in records if r.relevant)
        summary.metrics += sum(len(r.metrics) for r in records)
        report("articles", advance=len(batch))
        # Prefect keeps every task's final state, data included, until the flow
        # ends: emptying a loaded result keeps memory flat over a long pass.
        result.records.clear()
        result.fetches.clear()
        result.retry_later.clear()
    return retry


def poll_feeds(feeds: Sequence[FeedConfig], states: dict[str, FeedState], settings: Settings) -> list[FeedPoll]:
    """One task per feed, all at once (bounded by the task runner); results in registry order,
    so the first feed listing an article owns it whatever order the polls finish in."""
    report("feeds", total=len(feeds))
    futures = [poll_feed_task.submit(f, states[f.name], settings) for f in feeds]
    for _ in as_completed(futures):
        report("feeds", advance=1)
    return [future.result() for future in futures]


def states_to_save(polls: Sequence[FeedPoll], before: dict[str, FeedState], retry: Sequence[NewItem]) -> list[FeedState]:
    """A feed with articles still to retry keeps its old validators, so the next pass
    parses it again instead of receiving a 304 and forgetting those articles."""
    incomplete = {i.feed for i in retry}
    return [
        replace(p.state, etag=before[p.feed.name].etag, last_modified=before[p.feed.name].last_modified,
                body_hash=before[p.feed.name].body_hash)
        if p.feed.name in incomplete else p.state
        for p in polls
    ]


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))  # type: ignore[arg-type]  # PrefectHQ/prefect#16938
def ingest(
    feeds_path: str = "feeds.toml",
    db_path: str = "tipwatch.duckdb",
    respect_intervals: bool = False,
    kind: str = "ingest",
) -> RunSummary:
    """One ingestion pass over the feeds in `feeds_path` into the warehouse at `db_path`.

    `respect_intervals` (scheduled runs) skips feeds polled less than their
    interval ago; a manual pass polls every feed that is not backing off or dead.
    """
    settings = Settings.from_env()
    feeds = load_feeds(Path(feeds_path))
    writer = WarehouseWriter(db_path, lock_timeout=settings.lock_timeout)
    summary = RunSummary(run_id=new_run_id(kind), kind=kind)
    stored = writer.start(summary, {"feeds_path": feeds_path, "db_path": db_path,
                                    "respect_intervals": respect_intervals})
    try:
        states = {f.name: with_config(stored[f.name], f) if f.name in stored else fresh_state(f)
                  for f in feeds}
        now = datetime.now(UTC)
        due = [f for f in feeds if is_due(states[f.name], now, respect_interval=respect_intervals)]
        summary.feeds_skipped = len(feeds) - len(due)
        polls = poll_feeds(due, states, settings)
        summary.feeds_ok = sum(p.succeeded for p in polls)
        summary.feeds_failed = len(polls) - summary.feeds_ok
        summary.requests += sum(len(p.fetch.attempts) for p in polls)
        writer.load_fetches(fetch_table(((p.fetch, p.feed.name, "feed") for p in polls), summary.run_id))
        items = new_items(polls)
        known = writer.known([i.url for i in items])
        retry = process_items([i for i in items if i.url not in known],
                              writer=writer, settings=settings, summary=summary)
        writer.save_feeds(states_to_save(polls, states, retry))
        summary.status = "ok"
    except BaseException as exc:
        summary.status = "failed"
        summary.error = str(exc) or type(exc).__name__
        raise
    finally:
        close_all()
        try:
            writer.finish(summary)
        except Exception:
            if summary.status == "ok":
                raise
    return summary
