"""Turn an article's HTML bytes into text and metadata with trafilatura.

Decoding is done here rather than left to trafilatura because its guess
ignores the HTTP header, which is often the only place the charset is stated.
Bytes that are not HTML, too big, or empty are labelled before any parsing, so
every page ends up as a `Page` with a status and never as an exception.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from charset_normalizer import from_bytes
from trafilatura.utils import load_html

from extractors.pagemeta import byline, page_metadata
from extractors.textclean import (
    clean_line,
    clean_optional_text,
    clean_text,
    primary_language,
    sane_utc,
)


@dataclass(frozen=True)
class Page:
    status: str  # ok | empty | not_html | too_large | unextractable | extract_timeout
    title: str | None = None
    author: str | None = None
    text: str | None = None
    published_at: datetime | None = None
    published_source: str | None = None  # feed | page | None
    language: str | None = None
    site_name: str | None = None
    error: str | None = None
    encoding: str | None = None  # codec the body was decoded with


# Media types that may hold HTML; anything else declared is taken at its word.
_HTML_LIKE = frozenset(
    {
        "",
        "text/html",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "unknown/unknown",
        "application/x-unknown-content-type",
    }
)
MAX_ELEMENTS = 20_000  # 3x the tags of the largest of 1,371 real pages; trafilatura is superlinear
_HUGE_ATTRIBUTE = 32 * 1024  # data: URIs and JSON props; trafilatura's regexes crawl through them
_TAG = re.compile(r"<[A-Za-z]")
# Anchored on "=" rather than on the attribute's name: a name-first pattern is tried at every
# space of the page (4 ms on a typical page), this one only where a value starts (0.6 ms).
_BIG_ATTRIBUTE = re.compile(
    rf"""(=\s*)(?:"[^"<>]{{{_HUGE_ATTRIBUTE},}}"|'[^'<>]{{{_HUGE_ATTRIBUTE},}}')"""
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3}\b)", re.IGNORECASE)
_META_LANG = re.compile(
    r"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?content\s*=\s*[\"']?\s*([A-Za-z]{2,3}\b)",
    re.IGNORECASE,
)


def extract_page(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    feed_published: datetime | None = None,
    feed_language: str | None = None,
    max_bytes: int = 5 * 1024 * 1024,
    max_elements: int = MAX_ELEMENTS,
    search_byline: bool = True,
) -> Page:
    """Extract one page. Never raises for bad input (MemoryError excepted, for the pool to see).

    The feed's date wins over the page's: the feed states when the item was
    published, while a page date is htmldate's best guess among many dates.
    Pages with more than `max_elements` tags count as too large: trafilatura
    takes 27 s on 50,000 paragraphs, and no article needs that many.
    `search_byline=False` takes the author from meta tags and JSON-LD only
    (see `extractors.pagemeta`); `find_byline` searches the body later.
    """
    if len(body) > max_bytes:
        return Page(status="too_large", error=f"{len(body)} bytes > {max_bytes}")
    if not body.strip():
        return Page(status="empty", error="no body")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in _HTML_LIKE:
        return Page(status="not_html", error=f"content type {media_type}")
    binary = sniff_binary(body)
    if binary is not None:
        return Page(
            status="not_html", error=f"binary content ({binary}) labelled {media_type or 'nothing'}"
        )
    try:
        html, encoding = decode_html(body, content_type)
        html = clean_text(_XML_DECL.sub("", html, count=1))
        if not html.strip():
            return Page(status="empty", error="no text after decoding", encoding=encoding)
        elements = len(_TAG.findall(html))
        if elements > max_elements:
            return Page(
                status="too_large", error=f"{elements} elements > {max_elements}", encoding=encoding
            )
        html = _BIG_ATTRIBUTE.sub(r'\1""', html)
        return _extract(html, encoding, url, feed_published, feed_language, search_byline)
    except MemoryError:
        raise
    except Exception as exc:  # trafilatura, lxml or htmldate choking on hostile markup
        return Page(status="unextractable", error=f"{type(exc).__name__}: {exc}"[:500])


def _extract(
    html: str,
    encoding: str,
    url: str,
    feed_published: datetime | None,
    feed_language: str | None,
    search_byline: bool,
) -> Page:
    tree = load_html(html)
    if tree is None:
        return Page(status="unextractable", error="no HTML tree", encoding=encoding)
    from_feed = sane_utc(feed_published)
    meta = page_metadata(tree, url, search_date=from_feed is None, search_byline=search_byline)
    document: Any = trafilatura.bare_extraction(  # works on a copy: `tree` stays as parsed
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    published, source = _published(from_feed, meta.date)
    language = _html_language(html) or primary_language(feed_language)
    text = clean_optional_text(_field(document, "text"))
    status, error = ("ok", None) if text else ("unextractable", "no main text found")
    return Page(
        status=status,
        title=clean_line(meta.title),
        author=clean_line(meta.author),
        text=text,
        published_at=published,
        published_source=source,
        language=language,
        site_name=clean_line(meta.site_name),
        error=error,
        encoding=encoding,
    )


def find_byline(body: bytes, content_type: str | None) -> str | None:
    """The byline in the body of a page `extract_page` handled with `search_byline=False`.

    Decodes and parses again (5 ms) rather than keeping every tree: it is
    asked only for the few pages that turn out to be about trafficking.
    """
    try:
        html, _ = decode_html(body, content_type)
        html = _BIG_ATTRIBUTE.sub(r'\1""', clean_text(_XML_DECL.sub("", html, count=1)))
        tree = load_html(html)
        return clean_line(byline(tree)) if tree is not None else None
    except MemoryError:
        raise
    except Exception:  # the page was extracted already; a byline is not worth failing it
        return None


def _field(document: Any, name: str) -> object:
    """A field of trafilatura's result, whether it came back as a Document, a dict or None."""
    if document is None:
        return None
    if isinstance(document, dict):
        return document.get(name)
    return getattr(document, name, None)


def _published(
    feed_published: datetime | None, page_date: object
) -> tuple[datetime | None, str | None]:
    from_feed = sane_utc(feed_published)
    if from_feed is not None:
        return from_feed, "feed"
    from_page = sane_utc(_parse_date(page_date))
    if from_page is not None:
        return from_page, "page"
    return None, None


def _parse_date(value: object) -> datetime | None:
    """htmldate's ISO date (day precision by default) as a datetime at midnight UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _html_language(html: str) -> str | None:
    head = html[:16384]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return primary_language(match.group(1)) if match else None


# --- bytes to text ----------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w:.+-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w:.+-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w:.+-]+)", re.IGNORECASE)
# WHATWG encoding standard: these labels mean windows-1252 on the web.
_AS_CP1252 = frozenset({"latin_1", "ascii", "cp1252", "iso8859_1"})
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "png"),
    (b"GIF8", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"wOFF", "woff"),
    (b"\x7fELF", "elf"),
    (b"\xd0\xcf\x11\xe0", "ms-office"),
    (b"%!PS", "postscript"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ", "xz"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x00\x00\x00", "iso-bmff/binary"),
)
# Bytes that are not control characters (TAB, LF, FF, CR and ESC of ISO-2022 count as text).
_TEXT_BYTES = bytes(b for b in range(256) if b >= 0x20 or b in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
_SNIFF = 8192


def sniff_binary(body: bytes) -> str | None:
    """What binary format the bytes are, or None when they may be text.

    Servers label PDFs, images and archives text/html often enough that
    parsing first would waste the worker's time on garbage; UTF-16/32 pages
    are full of NULs, so a BOM exempts a page from the control-byte count.
    """
    head = body[:1024].lstrip()
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if b"%PDF-" in body[:1024]:
        return "pdf"
    if any(body.startswith(bom) for bom, _ in _BOMS) or body[:2] in (b"<\x00", b"\x00<"):
        return None
    sample = body[:_SNIFF]
    controls = len(sample.translate(None, _TEXT_BYTES))
    if sample.count(0) > max(1, len(sample) // 100) or controls > len(sample) // 20:
        return "control bytes"
    return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The page as text and the codec used: BOM, header, meta/XML declaration, then detection.

    A BOM beats everything (as in browsers). A declared single- or
    multi-byte charset is distrusted when the bytes are valid UTF-8 with
    non-ASCII in them: that is the common misconfiguration (ISO-8859-1 in
    the server's default header over a UTF-8 page), and legacy-encoded text
    is almost never valid UTF-8 by accident.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace"), codec
    if body[:2] == b"<\x00":
        return body.decode("utf-16-le", errors="replace"), "utf-16-le"
    if body[:2] == b"\x00<":
        return body.decode("utf-16-be", errors="replace"), "utf-16-be"
    utf8 = _strict(body, "utf-8")
    declared = [_codec(label) for label in (_header_charset(content_type), _meta_charset(body))]
    for candidate in declared:
        if candidate is None:
            continue
        if candidate != "utf-8" and utf8 is not None and not body.isascii():
            return utf8, "utf-8"
        text = _strict(body, candidate)
        if text is not None:
            return text, candidate
    if utf8 is not None:
        return utf8, "utf-8"
    detected = _detect(body)
    if detected is not None:
        return body.decode(detected, errors="replace"), detected
    fallback = next((codec for codec in declared if codec is not None), "cp1252")
    return body.decode(fallback, errors="replace"), fallback


def _header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(body: bytes) -> str | None:
    head = body[:16384]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", errors="replace") if match else None


def _codec(label: str | None) -> str | None:
    """Python codec for a charset label; None for unknown labels and for UTF-16/32.

    A UTF-16 label on bytes without a BOM is wrong in practice (the page was
    re-encoded by a proxy but its meta tag was not), so it is ignored.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    if name.startswith(("utf_16", "utf_32")):
        return None
    if name in _AS_CP1252:
        return "cp1252"
    return "utf-8" if name == "utf_8" else name


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> str | None:
    """charset-normalizer's guess on a sample, leaning to windows-1252 on a tie.

    On short or Western text several single-byte codecs score the same
    (cp1250 and cp1252 differ in a handful of letters) and the detector's pick
    among them is arbitrary; windows-1252 is the web's historical default,
    so it wins whenever it is among the equally good candidates.
    """
    matches = list(from_bytes(body[:65536]))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        tied = match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.01
        if tied and "cp1252" in (match.encoding, *match.could_be_from_charset):
            return "cp1252"
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None
