"""`--urls FILE`: article URLs, one a line, `#` starting a comment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tipwatch.errors import ConfigError


def parse_url_list(text: str, *, strict: bool = True, source: str = "URL list") -> list[str]:
    """URLs in file order without duplicates.

    `strict` (a user's file) turns a line that is not an http(s) URL into a
    `ConfigError` naming the line, since a silently skipped line is a lost
    article; non-strict (a plain-text sitemap) skips it.
    """
    urls: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()  # a URL may contain '#'
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in {"http", "https"} or not parts.netloc or " " in line:
            if strict:
                raise ConfigError(f"{source} line {number}: {line!r} is not an http(s) URL")
            continue
        if line not in seen:
            seen.add(line)
            urls.append(line)
    return urls


def read_url_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ConfigError(f"URL list {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read URL list {path}: {exc.strerror}") from None
    return parse_url_list(text, source=str(path))
