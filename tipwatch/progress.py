"""A tiny progress hook the flows call and the CLI renders.

Flows stay free of terminal code: they report counts here; the CLI installs a
rich progress bar when a person is watching, and nothing happens otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[str, int, int | None], None]  # (stage, advance, new total or None)

_reporter: Reporter | None = None


def report(stage: str, advance: int = 0, total: int | None = None) -> None:
    if _reporter is not None:
        _reporter(stage, advance, total)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous
