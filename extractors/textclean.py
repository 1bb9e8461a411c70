"""Make values from the web safe to store: no control characters, no absurd dates.

Feeds and pages carry stray control characters (NUL from broken CMS exports, form
feeds, C1 bytes from text decoded as Latin-1 although written as windows-1252).
DuckDB, Arrow and terminals either reject them or render garbage, and they break
equality between otherwise identical titles, so every string that leaves
`extractors` goes through here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# C0 controls except TAB, LF, CR; DEL; C1 controls; lone surrogates; the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")


def _c1_table() -> dict[str, str]:
    """C1 code points mapped to what windows-1252 means by the same byte.

    Text decoded as ISO-8859-1 while its author wrote windows-1252 ends up with
    U+0093 where a curly quote was meant; repairing beats deleting. The five
    bytes windows-1252 leaves undefined are deleted.
    """
    table: dict[str, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[chr(code)] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            table[chr(code)] = ""
    return table


_C1 = _c1_table()


def _replace(match: re.Match[str]) -> str:
    return _C1.get(match.group(), "")


def clean_text(value: str) -> str:
    """Multi-line text without control characters; newlines and tabs survive.

    One regex pass with a callback: clean text (the usual case) costs a scan,
    where `str.translate` with a table would rebuild every megabyte page.
    """
    return _CONTROL.sub(_replace, value).replace("\r\n", "\n").replace("\r", "\n")


def clean_line(value: object) -> str | None:
    """One-line field (title, author, URL): cleaned, whitespace collapsed, None when blank.

    Takes `object` because feedparser and trafilatura hand back whatever the
    document contained (occasionally a list or a dict); anything that is not a
    string counts as absent rather than being stringified into garbage.
    """
    if not isinstance(value, str):
        return None
    line = _WHITESPACE.sub(" ", _CONTROL.sub(_replace, value)).strip()
    return line or None


def clean_optional_text(value: object) -> str | None:
    """Multi-line field (summary, body): cleaned and stripped, None when blank."""
    if not isinstance(value, str):
        return None
    text = clean_text(value).strip()
    return text or None


def primary_language(value: object) -> str | None:
    """Primary language subtag, lower case ("pt-BR" -> "pt"): what the text tools key on."""
    line = clean_line(value)
    if line is None:
        return None
    primary = line.replace("_", "-").split(",")[0].split("-")[0].strip().lower()
    return primary if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3 else None


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def sane_utc(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """A timezone-aware UTC datetime, or None when absent or absurd.

    Feeds and pages claim dates like 1970-01-01 (a zero timestamp), 0001-01-01
    or next year (a typo, or a scheduled post); storing them would put articles
    at the wrong end of every time series. Before 1990 or more than two days
    ahead counts as absurd; naive datetimes are taken as UTC.
    """
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        aware = aware.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    limit = (now or datetime.now(UTC)) + FUTURE_SLACK
    if aware < EARLIEST or aware > limit:
        return None
    return aware
