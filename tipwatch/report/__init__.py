"""`tipwatch report`: the warehouse's figures as one HTML file that opens offline."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from tipwatch.errors import TipwatchError
from tipwatch.report.data import ReportData, load
from tipwatch.report.page import render
from warehouse.readonly import open_query_connection

__all__ = ["ReportError", "ReportResult", "build_report"]


class ReportError(TipwatchError):
    """The report file cannot be written."""


@dataclass(frozen=True)
class ReportResult:
    path: Path
    data: ReportData
    bytes: int


def build_report(db: str | Path, out: str | Path, *, title: str = "tipwatch report") -> ReportResult:
    """Read the views on a fenced read-only connection and write the page atomically."""
    with open_query_connection(db) as con:
        data = load(con)
    html = render(data, title=title, generated=dt.datetime.now(dt.UTC))
    target = Path(out).expanduser()
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ReportError(f"cannot write {target}: {exc.strerror}") from None
    return ReportResult(target, data, len(html.encode("utf-8")))
