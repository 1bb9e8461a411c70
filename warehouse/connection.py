"""Opening the warehouse: one writer at a time, readers that wait briefly.

DuckDB lets a single process hold a file read-write and refuses everyone else
while it does. tipwatch therefore never keeps the file open for a whole pass:
each write takes a file lock (so writers queue instead of failing), opens,
commits and closes. Readers retry for a bounded time while a write is under way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from tipwatch.errors import WarehouseError, WarehouseLockedError
from warehouse.migrate import migrate

_migrated: set[Path] = set()


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    message = str(exc).lower()
    return "lock" in message and ("conflicting" in message or "could not set" in message)


def _connect(path: Path, *, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"warehouse {path} is in use by another process; gave up waiting"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def open_writer(path: str | Path, *, timeout: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection held under the writer lock; migrated on first use."""
    db = Path(path).expanduser().resolve()
    if not db.parent.is_dir():
        raise WarehouseError(f"folder {db.parent} does not exist")
    deadline = time.monotonic() + timeout
    lock = FileLock(str(lock_path(db)))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise WarehouseLockedError(
            f"warehouse {db} is being written by another tipwatch process; gave up after {timeout:g}s"
        ) from None
    try:
        con = _connect(db, read_only=False, deadline=deadline)
        try:
            if db not in _migrated:
                migrate(con)
                _migrated.add(db)
            yield con
        finally:
            con.close()
    except duckdb.Error as exc:
        raise WarehouseError(f"warehouse {db}: {exc}") from exc
    finally:
        lock.release()


@contextmanager
def open_reader(path: str | Path, *, timeout: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; waits (bounded) while a writer holds the file."""
    db = Path(path).expanduser().resolve()
    if not db.exists():
        raise WarehouseError(f"warehouse {db} does not exist (run `tipwatch run` or `tipwatch demo` first)")
    con = _connect(db, read_only=True, deadline=time.monotonic() + timeout)
    try:
        yield con
    finally:
        con.close()
