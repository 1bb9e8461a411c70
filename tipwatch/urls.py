"""The stable key of an article: one spelling per page, whatever link led to it.

Feeds link the same article with tracking parameters, fragments, default
ports, `index.php/` detours and differently escaped paths; the warehouse keys
articles by `canonical_url` so each is fetched and stored once.

Choices, and why:

* The host is kept as given (lowercased, IDN to punycode, trailing dot dropped).
  `www.radiohc.cu` and `radiohc.cu` stay distinct: stripping `www.` is wrong
  for sites where the two differ, and a feed links its own host consistently.
* A leading Joomla `/index.php/` is dropped (`/index.php/en/x` is `/en/x`,
  as radiohc.cu serves both); a bare `/index.php?option=...` is left alone
  because there the query is the address.
* The trailing slash is kept: `/a` and `/a/` are different resources for
  some servers, and guessing costs a duplicate at worst.
* The fragment is dropped (it never reaches the server), and so is any
  user:password (a key must not carry credentials).
* Percent-encoding follows RFC 3986 section 6.2.2: unreserved characters
  decoded, other escapes uppercased, characters that need escaping escaped as
  UTF-8. "+" is left alone: it only means a space in form encoding.
* Remaining query parameters are sorted by name (stable, so repeated names keep
  their order) after tracking parameters are removed.

`canonical_url` raises only `InvalidURL` (a `ValueError`): for non-http(s)
schemes, a missing host, a bad port or text that is not a URL at all.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

import idna


class InvalidURL(ValueError):
    """Not an http(s) URL with a host; the message says what is wrong."""


#: query parameters that identify a campaign or a click, never the page
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "mc_cid", "mc_eid", "igshid", "igsh", "ref", "ref_src", "ref_url",
    "_ga", "_gl", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok",
    "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wickedid", "rb_clickid", "s_cid",
    "spm", "ocid", "cmpid", "at_medium", "at_campaign", "at_custom1", "at_custom2",
    "at_custom3", "at_custom4", "ito", "xtor", "sr_share", "ncid", "soc_src", "soc_trk",
    "ss_source", "ss_campaign_id",
})
#: parameter name prefixes of analytics suites (Google, Matomo/Piwik, HubSpot ads...)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "stm_")

DEFAULT_PORTS = {"http": 80, "https": 443}
_JOOMLA_PREFIX = "/index.php/"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PATH_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
_QUERY_PART_SAFE = (_UNRESERVED | _SUB_DELIMS | frozenset(":@/?")) - frozenset("&=")
_QUERY_VALUE_SAFE = _QUERY_PART_SAFE | frozenset("=")
_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_CHARS = re.compile(r"^[a-z0-9_.\-]+$")


def _escape(text: str, safe: frozenset[str]) -> str:
    """Normalise percent-encoding of one component (see the module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1:i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1:i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so `/a/./b/../c` and `/a/c` are one key."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _host(raw: str) -> str:
    """Lowercase ASCII host: punycode for IDN, compressed form for IPv6 literals."""
    host = raw.strip()
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1].split('%')[0]).compressed}]"
        except ValueError:
            raise InvalidURL(f"bad IPv6 host {raw!r}") from None
    host = host.rstrip(".").lower()
    if not host:
        raise InvalidURL("URL has no host")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise InvalidURL(f"host {raw!r} is not a valid internationalised name") from None
    if "%" in host or not _HOST_CHARS.match(host):
        raise InvalidURL(f"host {raw!r} has characters a host name cannot have")
    return host


def _is_tracking(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _query(raw: str) -> str:
    """Tracking parameters dropped, the rest escaped uniformly and sorted by name."""
    pairs: list[tuple[str, str | None]] = []
    for part in raw.split("&"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = _escape(name, _QUERY_PART_SAFE)
        if _is_tracking(_unescape_name(name)):
            continue
        pairs.append((name, _escape(value, _QUERY_VALUE_SAFE) if sep else None))
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(name if value is None else f"{name}={value}" for name, value in pairs)


def _unescape_name(name: str) -> str:
    """Decode `%XX` in a parameter name, so `utm%5Fsource` is still tracking."""
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), name)


def _split(url: str) -> tuple[str, str, str, str, str]:
    """(scheme, host, port, path, query), validated; raises InvalidURL."""
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise InvalidURL("empty URL")
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r} is not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"{url!r}: only http and https URLs are fetched, not {scheme or 'none'!r}")
    netloc_host = parts.netloc.rpartition("@")[2]
    if not hostname:
        raise InvalidURL(f"{url!r} has no host")
    if netloc_host.startswith("["):
        host = _host(netloc_host[: netloc_host.index("]") + 1] if "]" in netloc_host else netloc_host)
    else:
        host = _host(hostname)
    port_text = "" if port is None or port == DEFAULT_PORTS[scheme] else f":{port}"
    return scheme, host, port_text, parts.path, parts.query


def canonical_url(url: str) -> str:
    """The article key of `url` (see the module docstring); raises only `InvalidURL`."""
    try:
        scheme, host, port, path, query = _split(url)
        path = _escape(path, _PATH_SAFE) or "/"
        if not path.startswith("/"):
            path = "/" + path
        path = _remove_dot_segments(path)
        while path.startswith(_JOOMLA_PREFIX):
            path = "/" + path[len(_JOOMLA_PREFIX):]
        return urlunsplit((scheme, host + port, path, _query(query), ""))
    except InvalidURL:
        raise
    except (ValueError, UnicodeError) as exc:
        raise InvalidURL(f"{url!r} is not a usable URL: {exc}") from None


def host_of(url: str) -> str:
    """The lowercase ASCII host of `url`: no port, IPv6 without brackets; raises `InvalidURL`."""
    return _split(url)[1].strip("[]")
