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

#: what the fork server imports before forking workers (tipwatch.workerwarm: warm dateparser)
WORKER_PRELOAD = (*DEFAULT_PRELOAD, "tipwatch.workerwarm")

_lock = threading.Lock()
_fetchers: dict[Settings, Fetcher] = {}
_pools: dict[tuple[Settings, bool], IsolatedPool] = {}


def fetcher_for(settings: Settings) -> Fetcher:
    with _lock:
        if settings not in _fetchers:
            _fetchers[settings] = Fetcher(settings)
        return _fetchers[settings]


def pool_for(settings: Settings, *, inline: bool = False) -> IsolatedPool:
    """The process's extraction pool; `inline` runs in the caller (a Dask worker is the isolation)."""
    key = (settings, inline)
    with _lock:
        if key not in _pools:
            _pools[key] = IsolatedPool(
                workers=0 if inline else (settings.extract_workers or None),
                timeout=settings.extract_timeout,
                memory_mb=settings.extract_memory_mb,
                preload=WORKER_PRELOAD,
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
