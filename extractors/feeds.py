"""Turn feed bytes into items, safely (no entity expansion, bounded size).

feedparser is lenient, which is what real feeds need (7 of 10 bozo feeds in our
sample are fine), but its loose parser expands any literal entity declared in
the DOCTYPE without limit: a 160 KB feed can grow into gigabytes. So the bytes
are capped and their DTDs defused before feedparser sees them, and a feed is
judged by what feedparser found (a version, entries with links), not by `bozo`.
"""

from __future__ import annotations

import calendar
import re
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from extractors.textclean import clean_line, clean_optional_text, primary_language, sane_utc

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None = None
    published: datetime | None = None  # timezone-aware UTC, None when absent or absurd
    author: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    ok: bool
    version: str = ""
    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None  # why the feed was judged unusable, when not ok
    language: str | None = None  # the feed's declared language (feed element or Content-Language)


def parse_feed(
    body: bytes,
    headers: Mapping[str, str],
    base_url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    status: int | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse one fetched feed. Never raises for bad input: the reason goes in `error`.

    `status` is the HTTP status when the caller has it (an error page is not a
    feed, however well formed); `now` pins the future-date cut-off for tests.
    """
    if status is not None and status >= 400:
        return ParsedFeed(ok=False, error=f"http status {status}")
    if len(body) > max_bytes:
        return ParsedFeed(ok=False, error=f"too large: {len(body)} bytes > {max_bytes}")
    if body.startswith(_GZIP_MAGIC):
        inflated, problem = _gunzip(body, max_bytes)
        if inflated is None:
            return ParsedFeed(ok=False, error=problem)
        body = inflated
    if not body.strip():
        return ParsedFeed(ok=False, error="empty")
    try:
        body, fixed_headers = _trust_utf8(defuse_dtd(body), _feedparser_headers(headers, base_url))
        return _parse(body, fixed_headers, base_url, now)
    except MemoryError:
        raise
    except Exception as exc:  # feedparser's loose parser has raised on odd input before
        return ParsedFeed(ok=False, error=f"parse failed: {type(exc).__name__}: {exc}"[:500])


def _parse(body: bytes, headers: dict[str, str], base_url: str, now: datetime | None) -> ParsedFeed:
    result = feedparser.parse(body, response_headers=headers)
    version = str(result.get("version") or "")
    feed = result.get("feed") or {}
    entries: list[Any] = list(result.get("entries") or [])
    items = _items(entries, base_url, now)
    language = primary_language(feed.get("language") or headers.get("content-language"))
    if not version and not items:
        reason = "not a feed"
        if result.get("bozo") and result.get("bozo_exception") is not None:
            reason += f" ({type(result['bozo_exception']).__name__})"
        return ParsedFeed(ok=False, error=reason)
    return ParsedFeed(
        ok=True,
        version=version,
        title=clean_line(feed.get("title")),
        items=items,
        language=language,
    )


def _items(entries: Iterable[Any], base_url: str, now: datetime | None) -> list[FeedItem]:
    """Items with a usable link, first occurrence of each link kept."""
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        url = _entry_link(entry, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        items.append(
            FeedItem(
                url=url,
                title=clean_line(entry.get("title")),
                published=_entry_date(entry, now),
                author=clean_line(entry.get("author")),
                summary=clean_optional_text(entry.get("summary")),
            )
        )
    return items


def _entry_link(entry: Any, base_url: str) -> str | None:
    """The item's absolute http(s) link: `link`, other alternate links, then a permalink guid.

    feedparser already copies a permalink guid into `link` when there is no
    link; the explicit fallback covers a link that exists but is unusable
    (empty, `javascript:`, a bare fragment).
    """
    candidates: list[object] = [entry.get("link")]
    for link in entry.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    if entry.get("guidislink"):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        url = _absolute_http(candidate, base_url)
        if url is not None:
            return url
    return None


def _absolute_http(value: object, base_url: str) -> str | None:
    raw = clean_line(value)
    if raw is None:
        return None
    try:
        url = urljoin(base_url, raw.replace(" ", "%20"))
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _entry_date(entry: Any, now: datetime | None) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get("updated_parsed") warns and falls back to published.
        parsed = dict.get(entry, key) if isinstance(entry, dict) else None
        if isinstance(parsed, time.struct_time):
            try:
                moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            return sane_utc(moment, now)
    return None


def _feedparser_headers(headers: Mapping[str, str], base_url: str) -> dict[str, str]:
    """Lower-cased headers (feedparser looks them up in lower case) with a base for relative links.

    Setting Content-Location lets feedparser resolve relative links and
    xml:base itself, against the URL the feed was actually served from.
    """
    out = {str(key).lower(): str(value) for key, value in headers.items()}
    # The body handed over is already decoded from any transfer encoding.
    out.pop("content-encoding", None)
    if base_url and not out.get("content-location"):
        out["content-location"] = base_url
    return out


_XML_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?[^;\s\"']*[\"']?", re.IGNORECASE)


def _trust_utf8(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Declare UTF-8 when the bytes are UTF-8 with non-ASCII in them, whatever they claim.

    Feeds often say ISO-8859-1 (a CMS default, or the server's header) over
    UTF-8 bytes, and feedparser obeys, producing "seÃºn". Legacy-encoded
    text is almost never valid UTF-8 by accident, so validity is the better
    witness than the label.
    """
    if body.isascii():
        return body, headers
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, headers
    content_type = headers.get("content-type", "")
    if _CHARSET_PARAM.search(content_type):
        headers = {**headers, "content-type": _CHARSET_PARAM.sub("charset=utf-8", content_type)}
    match = _XML_ENCODING.match(body)
    if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        body = body[: match.start(1)] + b"utf-8" + body[match.end(1) :]
    return body, headers


def _gunzip(body: bytes, max_bytes: int) -> tuple[bytes | None, str | None]:
    """Inflate a gzip body served without Content-Encoding, refusing to exceed `max_bytes`."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        return None, f"corrupt gzip body: {exc}"
    if len(out) > max_bytes or inflater.unconsumed_tail:
        return None, f"too large: gzip body inflates beyond {max_bytes} bytes"
    return out, None


# --- DTD defusing -----------------------------------------------------------------------------

ENTITY_BUDGET = 64 * 1024  # characters all kept entity references may expand to, in total
_DECL_PROBE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECL = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_HEADER_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|[^\"'\[>]+|[\[>]")
_SUBSET_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|[^\"'\]<]+|\]|<", re.DOTALL)
_MARKUP_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|[^\"'>]+|>")
_LITERAL_ENTITY = re.compile(
    r"<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:\"([^\"&%<]*)\"|'([^'\"&%<]*)')\s*>", re.IGNORECASE
)
_LEADING_SPACE = re.compile(rb"^(\xef\xbb\xbf)?[ \t\r\n]+(?=<\?xml)")
_WIDE = (  # (prefix, codec, BOM length): XML 1.0 appendix F autodetection for non-ASCII encodings
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\x00<\x00", "utf-16-be", 0),
    (b"<\x00", "utf-16-le", 0),
)


def defuse_dtd(body: bytes) -> bytes:
    """The document with every internal DTD subset and stray <!ENTITY> removed.

    Literal entities (no references, no markup) survive when all their uses
    together expand to at most ENTITY_BUDGET characters, so a feed that
    writes `&id;` for a tag prefix still reads right while a bomb reads as
    undefined entities. Works on the text without decoding it properly: in
    every ASCII-compatible encoding `<!` is markup, so Latin-1 is a lossless
    stand-in; UTF-16/32 bodies are transcoded to and fro with their own codec.
    Also drops whitespace before `<?xml`, which otherwise sends the whole
    feed to the lax parser.
    """
    body = _LEADING_SPACE.sub(lambda m: m.group(1) or b"", body, count=1)
    for prefix, codec, bom in _WIDE:
        if body.startswith(prefix):
            text = body[bom:].decode(codec, errors="replace")
            return body[:bom] + _defuse_text(text).encode(codec, errors="replace")
    if not _DECL_PROBE.search(body):
        return body
    return _defuse_text(body.decode("latin-1")).encode("latin-1")


def _defuse_text(text: str) -> str:
    out: list[str] = []
    candidates: list[tuple[int, dict[str, str]]] = []  # (index in out, entities of a subset)
    pos = 0
    while match := _DECL.search(text, pos):
        out.append(text[pos : match.start()])
        if match.group(1).upper() == "ENTITY":  # outside any DOCTYPE: never legitimate
            pos = _markup_end(text, match.end())
            continue
        end, subset = _doctype_end(text, match.end())
        if subset is None:
            out.append(text[match.start() : end])
        else:
            header = text[match.end() : subset[0] - 1].rstrip()
            out.append(f"\n<!DOCTYPE{header}")
            candidates.append((len(out), _literal_entities(text[subset[0] : subset[1]])))
            out.append("")  # filled with the entities that fit the budget
            out.append(">")
        pos = end
    out.append(text[pos:])
    budget = ENTITY_BUDGET
    for index, entities in candidates:
        kept: list[str] = []
        for name, value in entities.items():
            cost = len(value) * text.count(f"&{name};")
            if cost <= budget:
                budget -= cost
                kept.append(f'<!ENTITY {name} "{value}">')
        if kept:
            out[index] = " [\n" + "\n".join(kept) + "\n]"
    return "".join(out)


def _literal_entities(subset: str) -> dict[str, str]:
    entities: dict[str, str] = {}
    for match in _LITERAL_ENTITY.finditer(subset):
        entities.setdefault(match.group(1), match.group(2) or match.group(3) or "")
    return entities


def _doctype_end(text: str, pos: int) -> tuple[int, tuple[int, int] | None]:
    """End of the DOCTYPE starting before `pos`, and the span of its internal subset if any."""
    subset: tuple[int, int] | None = None
    while token := _HEADER_TOKEN.match(text, pos):
        pos = token.end()
        if token.group() == ">":
            return pos, subset
        if token.group() == "[" and subset is None:
            start = pos
            while (inner := _SUBSET_TOKEN.match(text, pos)) and inner.group() != "]":
                pos = inner.end()
            subset = (start, pos)
            pos = inner.end() if inner else len(text)
    return len(text), subset


def _markup_end(text: str, pos: int) -> int:
    while token := _MARKUP_TOKEN.match(text, pos):
        pos = token.end()
        if token.group() == ">":
            return pos
    return len(text)
