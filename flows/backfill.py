"""The `backfill` flow: find articles published in a past window and load them like `ingest` does.

Discovery (feeds, sitemaps, Wayback captures, a URL list) is one task per
source; the articles go through `process_items`, the same fetch, extract and
load path as a scheduled pass, with a date filter in front of the load. The
flow is stateless: what is already in the warehouse is skipped, so a rerun
resumes an interrupted backfill.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import TASK_THREADS, process_items
from tipwatch.articles import NewItem
from tipwatch.discovery.select import WindowFilter, select
from tipwatch.discovery.sitemaps import site_root
from tipwatch.discovery.sources import Discovery, from_feed, from_list, from_site, from_wayback
from tipwatch.discovery.urllists import read_url_list
from tipwatch.discovery.window import Window
from tipwatch.errors import ConfigError
from tipwatch.progress import report
from tipwatch.registry import load_feeds
from tipwatch.runtime import close_all, fetcher_for
from tipwatch.settings import Settings
from warehouse.connection import open_reader
from warehouse.load import fetch_table
from warehouse.runs import RunSummary, new_run_id
from warehouse.writer import WarehouseWriter


@dataclass(frozen=True)
class Source:
    """One discovery job: a feed, a site's sitemaps or a feed's Wayback captures."""

    kind: str  # feed | site | wayback
    url: str
    feed: str | None = None
    language: str | None = None


@dataclass
class BackfillReport:
    window: str
    summary: RunSummary | None = None  # None for a dry run, which writes nothing
    found: Counter[str] = field(default_factory=Counter)
    outside_before_fetch: int = 0
    already_loaded: int = 0
    outside_after_extract: int = 0
    undated: int = 0
    problems: list[str] = field(default_factory=list)
    planned: list[tuple[NewItem, str]] = field(default_factory=list)  # (item, origin) to fetch


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(source: Source, window: Window, settings: Settings) -> Discovery:
    fetcher = fetcher_for(settings)
    if source.kind == "feed":
        return from_feed(source.url, fetcher, feed=source.feed, language=source.language)
    if source.kind == "site":
        return from_site(source.url, fetcher, window, feed=source.feed)
    return from_wayback(source.url, fetcher, window, settings.wayback_url,
                        feed=source.feed, language=source.language)


def plan_sources(feeds_path: str | None, *, sitemaps: bool, wayback: bool) -> list[Source]:
    """Feed jobs, one sitemap job per distinct site (owned by its first feed), Wayback jobs."""
    if feeds_path is None:
        if wayback:
            raise ConfigError("--wayback needs --feeds (it looks up archived copies of those feeds)")
        return []
    feeds = load_feeds(Path(feeds_path))
    sources = [Source("feed", f.url, f.name, f.language) for f in feeds]
    if sitemaps:
        sites: dict[str, str] = {}
        for f in feeds:
            sites.setdefault(site_root(f.url), f.name)
        sources += [Source("site", root, name) for root, name in sites.items()]
    if wayback:
        sources += [Source("wayback", f.url, f.name, f.language) for f in feeds]
    return sources


def discover(sources: list[Source], window: Window, settings: Settings) -> Discovery:
    report("discover", total=len(sources))
    out = Discovery()
    for future in as_completed([discover_task.submit(s, window, settings) for s in sources]):
        out.extend(future.result())
        report("discover", advance=1)
    return out


def _known_read_only(db_path: str, urls: list[str]) -> set[str]:
    """A dry run writes nothing, not even a new warehouse file."""
    if not urls or not Path(db_path).exists():
        return set()
    from warehouse.load import known_urls

    with open_reader(db_path) as con:
        return known_urls(con, urls)


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))  # type: ignore[arg-type]  # PrefectHQ/prefect#16938
def backfill(
    db_path: str,
    since: str,
    until: str,
    feeds_path: str | None = None,
    urls_path: str | None = None,
    sitemaps: bool = True,
    wayback: bool = False,
    keep_undated: bool = False,
    dry_run: bool = False,
) -> BackfillReport:
    """Load the articles published in `[since, until)` (YYYY-MM-DD, UTC) that the warehouse lacks."""
    window = Window.parse(since, until)
    if feeds_path is None and urls_path is None:
        raise ConfigError("backfill needs --feeds, --urls or both")
    settings = Settings.from_env()
    sources = plan_sources(feeds_path, sitemaps=sitemaps, wayback=wayback)
    listed = from_list(read_url_list(Path(urls_path))) if urls_path else Discovery()
    result = BackfillReport(window=str(window))
    try:
        found = discover(sources, window, settings)
        found.extend(listed)
        result.problems = found.problems
        chosen = select(found.found, window)
        result.found, result.outside_before_fetch = chosen.found, chosen.outside
        if dry_run:
            known = _known_read_only(db_path, [i.url for i in chosen.items])
            result.already_loaded = len(known)
            result.planned = [(i, chosen.origins[i.url]) for i in chosen.items if i.url not in known]
            return result
        writer = WarehouseWriter(db_path, lock_timeout=settings.lock_timeout)
        summary = RunSummary(run_id=new_run_id("backfill"), kind="backfill")
        result.summary = summary
        writer.start(summary, {"db_path": db_path, "since": since, "until": until,
                               "feeds_path": feeds_path, "urls_path": urls_path,
                               "sitemaps": sitemaps, "wayback": wayback, "keep_undated": keep_undated})
        try:
            summary.requests += sum(len(r.attempts) for r, _, _ in found.fetches)
            writer.load_fetches(fetch_table(found.fetches, summary.run_id))
            known = writer.known([i.url for i in chosen.items])
            result.already_loaded = len(known)
            keep = WindowFilter(window, keep_undated=keep_undated)
            todo = [i for i in chosen.items if i.url not in known]
            process_items(todo, writer=writer, settings=settings, summary=summary, keep=keep)
            result.outside_after_extract, result.undated = keep.outside, keep.undated
            summary.status = "ok"
        except BaseException as exc:
            summary.status = "failed"
            summary.error = str(exc) or type(exc).__name__
            raise
        finally:
            try:
                writer.finish(summary)
            except Exception:
                if summary.status == "ok":
                    raise
    finally:
        close_all()
    return result
