"""Run CPU-bound extraction in worker processes that can be killed.

trafilatura has no input size limit: some pages take minutes and gigabytes,
and a timeout inside the process cannot interrupt lxml's C parser. So each
payload runs in a pebble worker with a hard per-item timeout (the worker is
killed and replaced) and an address-space cap (RLIMIT_AS, so a runaway parse
gets MemoryError or dies instead of taking the host down). Workers are recycled
after `max_tasks` items to return fragmented memory to the system.

Workers are started with 'forkserver': Prefect runs tasks in threads, and
forking a threaded process can deadlock on a lock some thread held. The fork
server imports `preload` (trafilatura, lxml) once, so a new worker costs a
fork, not a 0.5 s import.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Literal, TypeAlias, TypeVar

from pebble import ProcessExpired, ProcessPool

T = TypeVar("T")
P = TypeVar("P")

EXTRACT_TIMEOUT = "extract_timeout"
TOO_LARGE = "too_large"
EXTRACT_FAILED = "extract_failed"
DEFAULT_PRELOAD = ("extractors.pages", "extractors.feeds")


@dataclass(frozen=True)
class Ok(Generic[T]):
    """The function returned `value`."""

    value: T
    ok: Literal[True] = True


@dataclass(frozen=True)
class Failed:
    """The function did not return: `reason` is a page status, `error` the detail."""

    reason: str  # extract_timeout | too_large | extract_failed
    error: str | None = None
    ok: Literal[False] = False


Outcome: TypeAlias = Ok[T] | Failed


class IsolatedPool:
    """A process pool whose items cannot hang or exhaust the caller; results in input order.

    `workers=0` runs inline in the caller (no processes, no timeout: for
    debugging, tests, and callers that are already isolated); `workers=None`
    means one per CPU. `memory_mb=None` leaves address space uncapped. Safe
    to share between threads; processes start on first use.
    """

    def __init__(
        self,
        workers: int | None = None,
        timeout: float = 30.0,
        memory_mb: int | None = 2048,
        max_tasks: int = 200,
        *,
        start_method: str = "forkserver",
        preload: Sequence[str] = DEFAULT_PRELOAD,
    ) -> None:
        if workers is not None and workers < 0:
            raise ValueError("workers must be >= 0 (0 runs inline)")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.max_tasks = max_tasks
        self.start_method = start_method
        self.preload = tuple(preload)
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def map(self, fn: Callable[[P], T], payloads: Iterable[P]) -> list[Outcome[T]]:
        """`fn(payload)` for each payload; `fn` must be picklable (module-level, or a partial of one)."""
        items = list(payloads)
        if not items:
            return []
        if self.workers == 0:
            return [_inline(fn, item) for item in items]
        pool = self._ensure_pool()
        futures = [pool.schedule(fn, args=(item,), timeout=self.timeout) for item in items]
        return [self._outcome(future) for future in futures]

    def close(self) -> None:
        """Stop the workers (waiting for scheduled items); the pool restarts if used again."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()  # type: ignore[no-untyped-call]  # pebble leaves close/stop unannotated
            pool.join()

    def _ensure_pool(self) -> ProcessPool:
        with self._lock:
            if self._pool is not None and not self._pool.active:  # broken: replace it
                self._pool.stop()  # type: ignore[no-untyped-call]
                self._pool.join()
                self._pool = None
            if self._pool is None:
                context = multiprocessing.get_context(self.start_method)
                if self.start_method == "forkserver" and self.preload:
                    # Process-wide, and only effective before the fork server first starts.
                    context.set_forkserver_preload(list(self.preload))
                self._pool = ProcessPool(
                    max_workers=self.workers,
                    max_tasks=self.max_tasks,
                    initializer=limit_memory,
                    initargs=(self.memory_mb,),
                    context=context,
                )
            return self._pool

    def _outcome(self, future: Future[T]) -> Outcome[T]:
        try:
            return Ok(future.result())
        except TimeoutError:
            return Failed(EXTRACT_TIMEOUT, f"killed after {self.timeout:g} s")
        except MemoryError as exc:
            return Failed(TOO_LARGE, f"MemoryError: {exc}" if str(exc) else "MemoryError")
        except ProcessExpired as exc:
            # A C-level allocation failure under RLIMIT_AS often kills the worker
            # (SIGSEGV/SIGABRT) instead of raising MemoryError.
            if self.memory_mb is not None:
                return Failed(
                    TOO_LARGE,
                    f"worker died (exit code {exc.exitcode}) under a {self.memory_mb} MiB cap",
                )
            return Failed(EXTRACT_FAILED, f"worker died (exit code {exc.exitcode})")
        except CancelledError:
            return Failed(EXTRACT_FAILED, "cancelled: pool shut down")
        except Exception as exc:
            return Failed(EXTRACT_FAILED, f"{type(exc).__name__}: {exc}"[:500])


def limit_memory(memory_mb: int | None) -> None:
    """Worker initializer: cap the address space so a runaway parse fails, not the host.

    Only the soft limit is lowered; failure to set it (a hard limit already
    lower, an exotic platform) leaves the worker uncapped rather than broken,
    since pebble would otherwise restart a failing worker forever.
    """
    if memory_mb is None:
        return
    limit = memory_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _inline(fn: Callable[[P], T], item: P) -> Outcome[T]:
    try:
        return Ok(fn(item))
    except MemoryError as exc:
        return Failed(TOO_LARGE, f"MemoryError: {exc}" if str(exc) else "MemoryError")
    except Exception as exc:
        return Failed(EXTRACT_FAILED, f"{type(exc).__name__}: {exc}"[:500])
