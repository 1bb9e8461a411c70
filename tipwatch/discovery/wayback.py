"""The Internet Archive's CDX API: which copies of a feed were captured in a window.

The query asks for successful captures only and collapses identical bodies
(`collapse=digest`), so an hourly-archived but rarely changing feed costs one
fetch per distinct version. Captures are fetched raw (`id_`) so the archive's
toolbar and link rewriting do not touch the feed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from tipwatch.discovery.window import Window
from tipwatch.discovery.xmlsafe import DiscoveryError

#: a feed lists the last few days or weeks; captures this long after `until` still hold window items
CAPTURE_SLACK_DAYS = 14


@dataclass(frozen=True)
class Capture:
    timestamp: str  # YYYYMMDDhhmmss
    original: str

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def cdx_query_url(base: str, url: str, window: Window, *, slack_days: int = CAPTURE_SLACK_DAYS) -> str:
    """`{base}/cdx/search/cdx?...` for captures of `url` from `since` to `until` + slack."""
    captured = window.widened(slack_days)
    params = [
        ("url", url), ("from", captured.since.strftime("%Y%m%d")),
        ("to", captured.until.strftime("%Y%m%d")), ("output", "json"),
        ("filter", "statuscode:200"), ("collapse", "digest"),
    ]
    return f"{base.rstrip('/')}/cdx/search/cdx?{urlencode(params)}"


def parse_cdx(body: bytes) -> list[Capture]:
    """Captures from a CDX JSON answer: a header row naming the fields, then one row each."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return []
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiscoveryError(f"CDX answer is not JSON: {exc.msg}") from None
    if not isinstance(rows, list) or not rows:
        return []
    header = rows[0]
    if not isinstance(header, list) or "timestamp" not in header or "original" not in header:
        raise DiscoveryError("CDX answer has no timestamp/original header row")
    ts, orig = header.index("timestamp"), header.index("original")
    captures: list[Capture] = []
    for row in rows[1:]:
        if not isinstance(row, list) or len(row) <= max(ts, orig):
            continue
        stamp, original = str(row[ts]), str(row[orig])
        if stamp.isdigit() and len(stamp) >= 8 and original:
            captures.append(Capture(stamp, original))
    return sorted(set(captures), key=lambda c: c.timestamp)


def archived_url(base: str, capture: Capture) -> str:
    """The raw archived body of a capture (`id_` skips the archive's rewriting)."""
    return f"{base.rstrip('/')}/web/{capture.timestamp}id_/{capture.original}"
