"""Every feed in the shared corpus through parse_feed: nothing escapes, nothing is slow.

The corpus (feedparser's own test suite and 60 real feeds) lives beside the
repository in shared/ and is read in place, never copied. Without it the
tests skip with the reason.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from extractors.feeds import ParsedFeed, parse_feed

PER_FILE_SECONDS = 10.0
BASE = "https://feeds.example/feed.xml"
_HEADER = re.compile(r"^Header:\s+([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
_NOT_FEEDS = {".md", ".txt"}


def _corpus() -> Path:
    configured = os.environ.get("TIPWATCH_SHARED")
    shared = Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared"
    feeds = shared / "corpus" / "feeds"
    if not feeds.is_dir():
        pytest.skip(f"feed corpus not found at {feeds} (set TIPWATCH_SHARED to the shared/ folder)")
    return feeds


def _files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix not in _NOT_FEEDS
        and "licenses" not in path.parts
        and not path.name.startswith("LICENSE")
    )


def _headers(body: bytes) -> tuple[dict[str, str], int | None]:
    """HTTP headers a feedparser test file declares in its leading comment ("Header: Name: value")."""
    comment = body[:2000].decode("latin-1")
    headers = {name: value for name, value in _HEADER.findall(comment) if name.lower() != "status"}
    status = next(
        (int(v) for n, v in _HEADER.findall(comment) if n.lower() == "status" and v.isdigit()), None
    )
    return headers, status


def _timed(path: Path) -> tuple[ParsedFeed, float]:
    body = path.read_bytes()
    headers, status = _headers(body)
    started = time.perf_counter()
    parsed = parse_feed(body, headers, BASE, status=status if status and status >= 400 else None)
    return parsed, time.perf_counter() - started


def test_feedparser_suite_never_raises_and_is_never_slow() -> None:
    suite = _corpus() / "feedparser-6.0.14"
    files = _files(suite)
    assert len(files) > 2000, f"only {len(files)} files under {suite}"
    slow: list[str] = []
    rejected_wellformed: list[str] = []
    for path in files:
        parsed, elapsed = _timed(path)  # an exception here fails the test, naming the file
        name = str(path.relative_to(suite))
        if elapsed > PER_FILE_SECONDS:
            slow.append(f"{name}: {elapsed:.1f} s")
        # CDF is a 1997 Microsoft format feedparser reads only when served as XML.
        if (
            name.startswith("wellformed/")
            and not name.startswith("wellformed/cdf/")
            and not parsed.ok
        ):
            rejected_wellformed.append(f"{name}: {parsed.error}")
        assert isinstance(parsed, ParsedFeed)
    assert slow == []
    assert rejected_wellformed == []


def _expected_real() -> dict[str, tuple[str, int]]:
    """version and entry count per real feed, from the corpus README's table."""
    expected: dict[str, tuple[str, int]] = {}
    for line in (_corpus() / "real" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 6 and cells[5].isdigit() and "__" in cells[1]:
            expected[cells[1]] = (cells[3], int(cells[5]))
    return expected


def test_real_feeds_are_ok_with_their_items() -> None:
    expected = _expected_real()
    files = {path.name: path for path in _files(_corpus() / "real")}
    assert len(expected) >= 50 and set(expected) <= set(files)
    problems: list[str] = []
    for name, (version, entries) in sorted(expected.items()):
        parsed, elapsed = _timed(files[name])
        # Items may be fewer than entries: duplicate links are merged, linkless entries dropped.
        fewest = entries - max(2, entries // 10)
        if not parsed.ok or parsed.version != version or not fewest <= len(parsed.items) <= entries:
            problems.append(
                f"{name}: ok={parsed.ok} {parsed.version}/{version} "
                f"items {len(parsed.items)}/{entries} ({parsed.error})"
            )
        if elapsed > PER_FILE_SECONDS:
            problems.append(f"{name}: {elapsed:.1f} s")
        for item in parsed.items:
            if not item.url.startswith(("http://", "https://")):
                problems.append(f"{name}: relative or odd link {item.url!r}")
            if item.published is not None and item.published.tzinfo is None:
                problems.append(f"{name}: naive date on {item.url}")
    assert problems == []


def test_real_feeds_in_legacy_encodings_read_as_text() -> None:
    feeds = {path.name: path for path in _files(_corpus() / "real")}
    samples = {
        "rss-parser__encoding.rss": "Notícias",  # iso-8859-1
        "miniflux__encoding_WINDOWS-1251.xml": "и",  # windows-1251
        "RSParser__kc0011.rss": "投资",  # gb18030
    }
    for name, fragment in samples.items():
        if name not in feeds:
            continue
        parsed, _ = _timed(feeds[name])
        text = " ".join(filter(None, [parsed.title, *(i.title or "" for i in parsed.items)]))
        assert fragment in text, f"{name}: {text[:200]!r}"
        assert "Ã" not in text
