"""Parsing untrusted XML and gzip without letting a hostile file exhaust the machine."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
#: the sitemap protocol caps a file at 50 MB uncompressed; more is refused, not truncated
MAX_XML_BYTES = 50 * 1024 * 1024


class DiscoveryError(ValueError):
    """A discovery document is unusable (malformed, too large, not what it claims)."""


def gunzip_capped(body: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Decompress a gzip body (e.g. `sitemap.xml.gz`), refusing a bomb past `limit` bytes."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"corrupt gzip: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise DiscoveryError(f"larger than {limit} bytes once decompressed")
    return out


def parse_xml(body: bytes, limit: int = MAX_XML_BYTES) -> etree._Element:
    """An element tree with no entity expansion, no network access and lxml's size guards."""
    data = gunzip_capped(body, limit)
    if len(data) > limit:
        raise DiscoveryError(f"larger than {limit} bytes")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise DiscoveryError("empty document")
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first direct child called `name` in any namespace."""
    for child in element:
        if local_name(child) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """W3C datetime (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, with time and zone) as aware UTC.

    A value without a zone is taken as UTC; an absurd year (before 1990 or far in
    the future) is treated as absent rather than trusted.
    """
    if not value:
        return None
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7 and text[4] == "-":
        text += "-01"
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not 1990 <= moment.year <= datetime.now(UTC).year + 1:
        return None
    return moment
