"""Per-process shared resources for tasks: one HTTP client and one extraction pool.

Tasks receive plain, picklable settings rather than live objects, so the same
task runs on Prefect's thread pool (where every task of a pass shares the
process's client and pool) and on a Dask worker (which builds its own once).
"""

from __future__ import annotations

import atexit
import threading

from extractors.isolation import DEFAULT_PRELOAD, IsolatedPool
from tipwatch.fetching import Fetcher
from tipwatch.settings import Settings

#: what the fork server imports before forking workers
WORKER_PRELOAD = (*DEFAULT_PRELOAD, "extractors.article", "tipwatch.workerwarm")
#: ... plus dateparser's 4 s warm-up, worth it only when pages need a date search (undated items)
WARM_DATES_PRELOAD = (*WORKER_PRELOAD, "tipwatch.datewarm")

_lock = threading.Lock()
_fetchers: dict[Settings, Fetcher] = {}
_pools: dict[tuple[Settings, bool], IsolatedPool] = {}


def fetcher_for(settings: Settings) -> Fetcher:
    with _lock:
        if settings not in _fetchers:
            _fetchers[settings] = Fetcher(settings)
        return _fetchers[settings]


def pool_for(settings: Settings, *, inline: bool = False, warm_dates: bool = True) -> IsolatedPool:
    """The process's extraction pool; `inline` runs in the caller (a Dask worker is the isolation).

    `warm_dates` has the fork server warm dateparser up (see tipwatch.datewarm)
    when it first starts: a pass whose items are all dated by their feed never
    searches a page for its date, and skips those 4 s of CPU. The fork server
    lives as long as the process, so its first pool decides.
    """
    key = (settings, inline)
    with _lock:
        if key not in _pools:
            _pools[key] = IsolatedPool(
                workers=0 if inline else (settings.extract_workers or None),
                timeout=settings.extract_timeout,
                memory_mb=settings.extract_memory_mb,
                preload=WARM_DATES_PRELOAD if warm_dates else WORKER_PRELOAD,
            )
        return _pools[key]


def close_all() -> None:
    """Release clients and worker processes (end of a pass, or process exit)."""
    with _lock:
        for fetcher in _fetchers.values():
            fetcher.close()
        for pool in _pools.values():
            pool.close()
        _fetchers.clear()
        _pools.clear()


atexit.register(close_all)
