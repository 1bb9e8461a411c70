"""canonical_url: one key per article, idempotent, and nothing but InvalidURL on junk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tipwatch.urls import InvalidURL, canonical_url, host_of


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://WWW.RadioHC.cu/en/noticias", "https://www.radiohc.cu/en/noticias"),
    ("https://www.radiohc.cu/index.php/en/noticias/nacionales/1-x",
     "https://www.radiohc.cu/en/noticias/nacionales/1-x"),
    ("https://radiohc.cu/en/x", "https://radiohc.cu/en/x"),  # www. kept apart on purpose
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com/a/#section", "http://example.com/a/"),
    ("http://example.com/a/", "http://example.com/a/"),
    ("http://example.com/a", "http://example.com/a"),
    ("http://example.com/a?utm_source=x&utm_MEDIUM=y&fbclid=1&gclid=2&b=2&a=1",
     "http://example.com/a?a=1&b=2"),
    ("http://example.com/a?mc_cid=1&mc_eid=2&igshid=3&ref=4&_ga=5&id=9", "http://example.com/a?id=9"),
    ("http://example.com/a?utm%5Fsource=x&id=1", "http://example.com/a?id=1"),
    ("http://example.com/a?utm_source=x", "http://example.com/a"),
    ("http://example.com/a?b=2&a=1&b=1", "http://example.com/a?a=1&b=2&b=1"),
    ("http://example.com/a?q=a+b&flag&&x=", "http://example.com/a?flag&q=a+b&x="),
    ("http://example.com/%7euser/caf%c3%a9", "http://example.com/~user/caf%C3%A9"),
    ("http://example.com/café ok", "http://example.com/caf%C3%A9%20ok"),
    ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
    ("http://example.com/100%", "http://example.com/100%25"),
    ("http://example.com/a/./b/../c", "http://example.com/a/c"),
    ("http://user:secret@example.com/a", "http://example.com/a"),
    ("http://Bücher.example/ä", "http://xn--bcher-kva.example/%C3%A4"),
    ("http://example.com./a", "http://example.com/a"),
    ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://example.com/index.php?option=com_content&id=5",
     "https://example.com/index.php?id=5&option=com_content"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


def test_variants_share_one_key() -> None:
    variants = [
        "https://www.radiohc.cu/index.php/en/news/123-title?utm_source=rss#comments",
        "HTTPS://www.radiohc.cu:443/en/news/123-title",
        "https://www.radiohc.cu/en/news/./123-title?utm_medium=feed&utm_campaign=x",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


@pytest.mark.parametrize("url", [
    "", "   ", "ftp://example.com/a", "mailto:someone@example.com", "javascript:alert(1)",
    "file:///etc/passwd", "example.com/a", "/relative/path", "http://", "http:///a",
    "http://:80/a", "http://example.com:99999/", "http://example.com:port/", "http://[::1/",
    "http://exa mple.com/", "http://exa%41mple.com/", "http://[zz::1]/", "https://./",
])
def test_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonical_url(url)


def test_invalid_url_is_a_value_error() -> None:
    assert issubclass(InvalidURL, ValueError)


def test_host_of() -> None:
    assert host_of("https://WWW.RadioHC.cu:443/index.php/en/") == "www.radiohc.cu"
    assert host_of("http://Bücher.example/") == "xn--bcher-kva.example"
    assert host_of("http://[::1]:8080/") == "::1"
    with pytest.raises(InvalidURL):
        host_of("mailto:x@example.com")


_url_chars = st.characters(codec="utf-8", exclude_categories=("Cs",))
_segment = st.text(alphabet=st.sampled_from("aZ09-._~%/?#&=+;:@!$'()*, é中\\[]"), max_size=12)


@st.composite
def url_like(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "ftp", "", "hTtPs"]))
    host = draw(st.one_of(
        st.sampled_from(["example.com", "WWW.RadioHC.cu", "bücher.example", "[::1]", "10.0.0.1",
                         "", "a..b", "xn--bcher-kva.example"]),
        st.text(_url_chars, max_size=10)))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":0", ":x", ":70000"]))
    path = draw(_segment)
    return f"{scheme}://{host}{port}/{path}"


def _check_idempotent(url: str) -> None:
    try:
        key = canonical_url(url)
    except InvalidURL:
        return
    assert canonical_url(key) == key
    assert key.startswith(("http://", "https://"))
    assert key.isascii()


@settings(max_examples=400, deadline=None)
@given(url_like())
def test_canonical_url_is_idempotent_on_url_like_text(url: str) -> None:
    _check_idempotent(url)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_canonical_url_never_raises_other_errors_on_junk(url: str) -> None:
    _check_idempotent(url)
    _check_idempotent("http://" + url)
