"""The feed registry: which feeds to poll, in which language, and how often.

The registry is a TOML file of ``[[feeds]]`` tables, edited by hand. A typo in
it should stop a run before any request is made, with one line per problem
that names the file, the entry and the field, so the person editing the file
can fix every mistake in one go instead of rerunning until the file is clean.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pycountry

from tipwatch.errors import ConfigError

__all__ = ["MIN_INTERVAL", "FeedConfig", "FeedsFileError", "load_feeds", "parse_interval"]

#: Polling more often than this is impolite to small news sites and gains nothing.
MIN_INTERVAL = timedelta(minutes=5)
DEFAULT_INTERVAL = timedelta(hours=1)

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
MAX_NAME_LENGTH = 64
LANGUAGE_RE = re.compile(r"[a-z]{2}\Z")
INTERVAL_RE = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?\Z")

REQUIRED_FIELDS = ("name", "url", "language")
KNOWN_FIELDS = frozenset({*REQUIRED_FIELDS, "tags", "interval"})


@dataclass(frozen=True)
class FeedConfig:
    """One feed as the registry declares it; the polling state lives in the warehouse."""

    name: str
    url: str
    language: str
    tags: tuple[str, ...] = ()
    interval: timedelta = DEFAULT_INTERVAL


class FeedsFileError(ConfigError):
    """Every problem found in a feeds file, one line each.

    A subclass of `ConfigError` so callers that catch the general error keep
    working; `problems` lets tests and tools look at the lines one by one.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def parse_interval(value: object) -> timedelta:
    """Read "30m", "1h", "2h30m", "1d" or an integer number of minutes.

    Raises TypeError or ValueError with a message fit to follow `field "interval": `.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f'must be a duration such as "30m", "2h30m", "1d" '
                         f"or a number of minutes, not {_type_name(value)}")
    if isinstance(value, int):
        interval = timedelta(minutes=value)
    else:
        text = value.strip().lower()
        match = INTERVAL_RE.match(text)
        if not text or match is None:
            raise ValueError(f'cannot read {value!r} as a duration; write e.g. "30m", "1h", "2h30m" or "1d"')
        interval = timedelta(days=int(match["d"] or 0), hours=int(match["h"] or 0),
                             minutes=int(match["m"] or 0))
    if interval < MIN_INTERVAL:
        raise ValueError(f"must be at least 5 minutes (got {_describe(interval)})")
    return interval


def load_feeds(path: Path) -> list[FeedConfig]:
    """Read and validate a feeds file; raise `FeedsFileError` listing every problem."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FeedsFileError([f"{where}: file not found"]) from None
    except IsADirectoryError:
        raise FeedsFileError([f"{where}: is a directory, not a feeds file"]) from None
    except OSError as exc:
        raise FeedsFileError([f"{where}: cannot read the file ({exc.strerror or exc})"]) from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FeedsFileError([f"{where}: not UTF-8 text (bad byte at offset {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise FeedsFileError([f"{where}: invalid TOML: {_toml_message(exc)}"]) from None
    return _validate_document(where, document)


def _validate_document(where: str, document: Mapping[str, object]) -> list[FeedConfig]:
    problems: list[str] = []
    for key in sorted(set(document) - {"feeds"}):
        problems.append(f'{where}: unknown top-level key "{key}" (the file holds only [[feeds]] tables)')
    entries = document.get("feeds")
    if entries is None or entries == []:
        problems.append(f"{where}: no feeds (add at least one [[feeds]] table)")
        raise FeedsFileError(problems)
    if not isinstance(entries, list):
        problems.append(f'{where}: "feeds" must be an array of tables ([[feeds]]), not {_type_name(entries)}')
        raise FeedsFileError(problems)

    feeds: list[FeedConfig] = []
    names: dict[str, str] = {}
    urls: dict[str, str] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"{where}: feeds[{index}]: must be a table ([[feeds]]), not {_type_name(entry)}")
            continue
        label = _label(index, entry)
        feed = _validate_entry(f"{where}: {label}", entry, problems)
        name, url = entry.get("name"), entry.get("url")
        if isinstance(name, str):
            if name in names:
                problems.append(f'{where}: {label}: field "name": duplicates {names[name]}')
            else:
                names[name] = label
        if isinstance(url, str) and _url_problem(url) is None:
            url_key = _url_key(url)
            if url_key in urls:
                problems.append(f'{where}: {label}: field "url": same feed URL as {urls[url_key]}')
            else:
                urls[url_key] = label
        if feed is not None:
            feeds.append(feed)
    if problems:
        raise FeedsFileError(problems)
    return feeds


def _validate_entry(prefix: str, entry: Mapping[str, object], problems: list[str]) -> FeedConfig | None:
    """Append one line per bad field; return the feed only when every field is good."""
    before = len(problems)

    def bad(field: str, message: str) -> None:
        problems.append(f'{prefix}: field "{field}": {message}')

    for key in sorted(set(entry) - KNOWN_FIELDS):
        close = difflib.get_close_matches(key, sorted(KNOWN_FIELDS), n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"expected one of: {', '.join(sorted(KNOWN_FIELDS))}"
        bad(key, f"unknown field ({hint})")
    for key in REQUIRED_FIELDS:
        if key not in entry:
            bad(key, "missing (required)")

    name = entry.get("name")
    if name is not None:
        if not isinstance(name, str):
            bad("name", f"must be a string, not {_type_name(name)}")
        elif not NAME_RE.match(name) or len(name) > MAX_NAME_LENGTH:
            bad("name", "must be a lowercase slug of letters, digits, '-' and '_', starting with a letter "
                        f"or digit, at most {MAX_NAME_LENGTH} characters (e.g. \"unodc-en\")")

    url = entry.get("url")
    if url is not None:
        if not isinstance(url, str):
            bad("url", f"must be a string, not {_type_name(url)}")
        elif (message := _url_problem(url)) is not None:
            bad("url", message)

    language = entry.get("language")
    if language is not None:
        if not isinstance(language, str):
            bad("language", f"must be a string, not {_type_name(language)}")
        elif not LANGUAGE_RE.match(language):
            bad("language", f'must be an ISO 639-1 code of two lowercase letters such as "en" (got {language!r})')
        elif pycountry.languages.get(alpha_2=language) is None:
            bad("language", f"{language!r} is not an ISO 639-1 language code")

    tags: tuple[str, ...] = ()
    raw_tags = entry.get("tags", [])
    if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
        bad("tags", "must be a list of strings")
    else:
        tags = tuple(raw_tags)
        for tag in tags:
            if not NAME_RE.match(tag):
                bad("tags", f"{tag!r} is not a lowercase slug (letters, digits, '-' and '_')")
        repeated = sorted({t for t in tags if tags.count(t) > 1})
        if repeated:
            bad("tags", f"repeated tag {', '.join(map(repr, repeated))}")

    interval = DEFAULT_INTERVAL
    if "interval" in entry:
        try:
            interval = parse_interval(entry["interval"])
        except (TypeError, ValueError) as exc:
            bad("interval", str(exc))

    if len(problems) > before:
        return None
    assert isinstance(name, str) and isinstance(url, str) and isinstance(language, str)
    return FeedConfig(name=name, url=url, language=language, tags=tags, interval=interval)


def _url_problem(url: str) -> str | None:
    if url != url.strip() or any(c.isspace() for c in url):
        return "must not contain spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"cannot be parsed ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return None


def _url_key(url: str) -> str:
    """Scheme and host are case-insensitive; the rest of a URL is not."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc, fragment="").geturl()


def _label(index: int, entry: Mapping[str, object]) -> str:
    name = entry.get("name")
    return f'feeds[{index}] ("{name}")' if isinstance(name, str) and name else f"feeds[{index}]"


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    """Put tomllib's "(at line N, column M)" first, where an editor's eye looks."""
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*\Z", message)
    if match is None:
        return message
    return f"line {match[1]}, column {match[2]}: {message[:match.start()]}"


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _describe(interval: timedelta) -> str:
    minutes = int(interval.total_seconds() // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
