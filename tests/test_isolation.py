"""IsolatedPool: hangs are killed, memory is capped, failures are reported, the pool goes on."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from functools import partial
from typing import TypeVar

import pytest

from extractors.isolation import Failed, IsolatedPool, Ok, Outcome
from extractors.pages import extract_page

# Workers import this module by name to unpickle the functions below, so they
# must stay module-level.


def echo(value: object) -> object:
    return value


def hang_on(value: str) -> str:
    if value == "hang":
        time.sleep(3600)
    return value.upper()


def hog_on(value: str) -> int | str:
    if value == "hog":
        return len(bytearray(2 * 1024**3))
    return value


def fail_on(value: str) -> str:
    if value == "bad":
        raise ValueError(f"cannot handle {value}")
    return value


def die_on(value: str) -> str:
    if value == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def page_status(body: bytes, *, url: str) -> str:
    return extract_page(body, url=url, content_type="text/html").status


def pid(_: object) -> int:
    time.sleep(0.05)
    return os.getpid()


T = TypeVar("T")


def values(outcomes: Sequence[Outcome[T]]) -> list[T | str]:
    return [o.value if o.ok else o.reason for o in outcomes]


@pytest.fixture(scope="module")
def pool() -> Iterator[IsolatedPool]:
    with IsolatedPool(workers=2, timeout=2.0, memory_mb=300, max_tasks=50) as shared:
        yield shared


def test_results_come_back_in_input_order(pool: IsolatedPool) -> None:
    assert values(pool.map(echo, list(range(40)))) == list(range(40))
    assert pool.map(echo, []) == []


def test_a_hanging_item_is_killed_at_the_timeout_and_the_next_succeeds(pool: IsolatedPool) -> None:
    started = time.perf_counter()
    outcomes = pool.map(hang_on, ["a", "hang", "b"])
    elapsed = time.perf_counter() - started
    assert outcomes[0] == Ok("A") and outcomes[2] == Ok("B")
    assert isinstance(outcomes[1], Failed) and outcomes[1].reason == "extract_timeout"
    assert elapsed < 2.0 + 3.0, f"took {elapsed:.1f} s for a 2 s timeout"
    assert values(pool.map(hang_on, ["after"])) == ["AFTER"]


def test_allocating_2_gb_under_a_300_mb_cap_is_too_large(pool: IsolatedPool) -> None:
    outcomes = pool.map(hog_on, ["a", "hog", "b"])
    assert values(outcomes) == ["a", "too_large", "b"]


def test_an_exception_is_reported_with_its_message(pool: IsolatedPool) -> None:
    outcomes = pool.map(fail_on, ["ok", "bad"])
    assert outcomes[0] == Ok("ok")
    failed = outcomes[1]
    assert isinstance(failed, Failed) and failed.reason == "extract_failed"
    assert (
        failed.error is not None
        and "ValueError" in failed.error
        and "cannot handle bad" in failed.error
    )


def test_a_worker_that_dies_is_replaced(pool: IsolatedPool) -> None:
    outcomes = pool.map(die_on, ["a", "die", "b"])
    assert outcomes[0] == Ok("a") and outcomes[2] == Ok("b")
    assert isinstance(outcomes[1], Failed) and "exit code" in (outcomes[1].error or "")
    assert values(pool.map(die_on, ["after"])) == ["after"]


def test_extract_page_runs_in_workers_via_a_partial(pool: IsolatedPool) -> None:
    html = (
        b"<html><body><article>"
        + b"<p>Police freed 41 people from a trafficking ring on Monday.</p>" * 8
        + b"</article></body></html>"
    )
    fn = partial(page_status, url="https://news.example/a")
    assert values(pool.map(fn, [html, b"", b"%PDF-1.4 binary"])) == ["ok", "empty", "not_html"]


def test_concurrent_maps_from_threads_share_the_pool(pool: IsolatedPool) -> None:
    results: dict[int, list[object]] = {}

    def run(n: int) -> None:
        results[n] = values(pool.map(echo, [n * 100 + i for i in range(15)]))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [n * 100 + i for i in range(15)] for n in range(4)}


def test_workers_are_recycled_after_max_tasks() -> None:
    with IsolatedPool(workers=1, timeout=5.0, memory_mb=None, max_tasks=3) as small:
        pids = values(small.map(pid, list(range(7))))
    assert len(set(pids)) == 3  # tasks 1-3, 4-6, 7


def test_pool_restarts_after_close() -> None:
    small = IsolatedPool(workers=1, timeout=5.0, memory_mb=None)
    assert values(small.map(echo, [1])) == [1]
    small.close()
    assert values(small.map(echo, [2])) == [2]
    small.close()


def test_workers_zero_runs_inline_and_still_classifies_failures() -> None:
    with IsolatedPool(workers=0, timeout=1.0, memory_mb=None) as inline:
        assert values(inline.map(fail_on, ["x", "bad"])) == ["x", "extract_failed"]
        assert inline.map(pid, [0]) == [Ok(os.getpid())]


def test_inline_memory_error_is_too_large() -> None:
    def raise_memory(_: object) -> object:
        raise MemoryError

    with IsolatedPool(workers=0) as inline:
        assert values(inline.map(raise_memory, [1])) == ["too_large"]


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        IsolatedPool(workers=-1)
    with pytest.raises(ValueError):
        IsolatedPool(workers=1, timeout=0)
