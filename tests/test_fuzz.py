"""Property tests at the edges where web input enters: URLs, numbers, years, countries,
metrics, feeds and pages. Each says what never happens (an exception escaping) and what
always holds of the output, for input no one would write by hand.

Complements tests/test_urls.py and tests/test_numbers.py (idempotence on URL-like text,
grouped-integer round trips, `find_numbers` on any text) rather than repeating them.
"""

from __future__ import annotations

import random
import string
import threading
from datetime import UTC, date, datetime, timedelta

import pycountry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.countries import ANAPHORA, REGION, WORLD, find_countries, main_country
from extractors.feeds import parse_feed
from extractors.lexicon import available_languages, fold, load
from extractors.metrics import extract_metrics
from extractors.numbers import parse_digits
from extractors.pages import extract_page
from extractors.years import attach_year, find_years
from tipwatch.urls import TRACKING_PREFIXES, InvalidURL, canonical_url

FUZZ = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
SLOW_FUZZ = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
LANGS = list(available_languages())
ALPHA3 = {c.alpha_3 for c in pycountry.countries}
PAGE_STATUSES = {"ok", "empty", "not_html", "too_large", "unextractable"}
CONTROL = {chr(c) for c in [*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]}
NOW = datetime(2025, 6, 1, tzinfo=UTC)

# --- URLs -------------------------------------------------------------------------------------------

_label = st.text(alphabet=string.ascii_letters + string.digits + "-äöü中", min_size=1, max_size=10)
_piece = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Cc"), exclude_characters="&=#?/"),
                 max_size=12)


@st.composite
def web_urls(draw: st.DrawFn) -> tuple[str, str]:
    """(a URL with tracking and a fragment, the same URL without them)."""
    host = ".".join(draw(st.lists(_label, min_size=1, max_size=3))) + draw(st.sampled_from([".org", ".CU", ""]))
    path = "/" + "/".join(draw(st.lists(_piece, max_size=4)))
    params = draw(st.lists(st.tuples(st.text(string.ascii_lowercase, min_size=1, max_size=6), _piece),
                           max_size=3))
    tracking = draw(st.lists(st.tuples(st.sampled_from(TRACKING_PREFIXES), _piece), min_size=1, max_size=2))
    scheme = draw(st.sampled_from(["http", "HTTPS"]))
    query = "&".join(f"{k}={v}" for k, v in params)
    noisy = "&".join(f"{k}={v}" for k, v in [*params, *((p + "x", v) for p, v in tracking)])
    base = f"{scheme}://{host}{path}"
    return base + "?" + noisy + "#" + draw(_piece), base + ("?" + query if query else "")


@FUZZ
@given(web_urls())
def test_canonical_url_drops_tracking_and_fragment_and_is_idempotent(pair: tuple[str, str]) -> None:
    noisy, plain = pair
    try:
        key = canonical_url(noisy)
    except InvalidURL:
        return  # a generated host may be no valid IDN; that must be the only way to fail
    assert key == canonical_url(key)
    assert key == canonical_url(plain)
    assert "#" not in key and key.startswith(("http://", "https://"))
    names = [pair.split("=", 1)[0] for pair in key.partition("?")[2].split("&")]
    assert not any(name.lower().startswith(TRACKING_PREFIXES) for name in names)
    assert key.isascii() and not any(c in key for c in " \t\n<>\"")


@FUZZ
@given(st.binary(max_size=200))
def test_canonical_url_on_bytes_from_the_wire(raw: bytes) -> None:
    for text in (raw.decode("latin-1"), "http://" + raw.decode("utf-8", errors="replace")):
        try:
            key = canonical_url(text)
        except InvalidURL:
            continue
        assert canonical_url(key) == key


# --- numbers, years, countries, metrics -------------------------------------------------------------

@FUZZ
@given(raw=st.text(alphabet="0123456789., \u00a0\u202f", max_size=20), sep=st.sampled_from([".", ","]),
       scaled=st.booleans())
def test_parse_digits_is_none_or_a_non_negative_number(raw: str, sep: str, scaled: bool) -> None:
    value = parse_digits(raw, sep, scaled=scaled)
    assert value is None or value >= 0


_words = st.sampled_from(["in", "2021", "2023-24", "last year", "el año pasado", "since 2019", "between",
                          "and", "2019", "victims", "1998", "l'année dernière", "ano passado", "FY 2022",
                          "20", "7,000", "1999/2000", "2030", "19"])
_sentences = st.lists(st.one_of(_words, st.text(max_size=8)), max_size=25).map(" ".join)


@FUZZ
@given(text=_sentences, lang=st.sampled_from(LANGS),
       published=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))))
def test_years_are_in_range_and_attach_to_a_found_year(text: str, lang: str, published: date | None) -> None:
    folded = fold(text)
    years = find_years(folded, load(lang), published)
    for y in years:
        assert 0 <= y.start < y.end <= len(folded)
        if y.relative:
            assert published is not None and abs(y.year - published.year) <= 2
        else:
            assert 1900 <= y.year <= 2100
    attached = attach_year(0, min(3, len(folded)), years, [], (0, len(folded)))
    assert attached is None or attached in years


_places = st.sampled_from(["Cuba", "cuba", "the Caribbean nation", "Latin America", "worldwide", "Brasil",
                           "Estados Unidos", "South Sudanese", "USA", "US", "France", "la France", "Niger",
                           "Nigeria", "Congo", "Guinea-Bissau", "Côte d'Ivoire", "mundo", "Europe"])
_country_text = st.lists(st.one_of(_places, st.text(max_size=6)), max_size=12).map(" ".join)


@FUZZ
@given(text=_country_text, title=_country_text, lang=st.sampled_from(LANGS))
def test_country_codes_are_pycountry_alpha3_or_markers(text: str, title: str, lang: str) -> None:
    lexicon = load(lang)
    mentions = find_countries(text, fold(text), lexicon)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.code in ALPHA3 or m.code in (WORLD, REGION, ANAPHORA)
    main = main_country(mentions, find_countries(title, fold(title), lexicon))
    assert main is None or main in ALPHA3


_metric_words = st.sampled_from([
    "Police rescued", "victims of human trafficking", "were identified", "arrested", "traffickers",
    "in 2022", "last year", "more than", "about", "7,000", "23", "twelve", "cases", "prosecutions",
    "investigations", "convicted", "in Cuba", "in Mexico", "worldwide", ".", "trata de personas",
    "víctimas", "detenidos", "el año pasado", "millones", "1.5 million", "-4", "0", "10**9",
])


@FUZZ
@given(words=st.lists(_metric_words, max_size=30), lang=st.sampled_from([*LANGS, None]),
       published=st.one_of(st.none(), st.dates(date(1995, 1, 1), date(2030, 1, 1))))
def test_metrics_satisfy_their_invariants(words: list[str], lang: str | None, published: date | None) -> None:
    text = " ".join(words)
    for m in extract_metrics(text, language=lang, published=published, title=None):
        assert isinstance(m.value, int) and m.value >= 0
        assert m.year is None or 1900 <= m.year <= 2100
        assert m.country is None or m.country in ALPHA3
        assert text[m.start:m.end] == m.evidence
        assert 0.0 <= m.confidence <= 1.0


# --- feeds and pages --------------------------------------------------------------------------------

VALID_FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
              b"<item><title>One</title><link>https://news.example/1</link>"
              b"<pubDate>Mon, 02 Jun 2025 09:30:00 +0200</pubDate><description>Police freed 41.</description>"
              b"</item><item><title>Two</title><link>/2</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>"
              b"</item></channel></rss>")


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    body = bytearray(VALID_FEED)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["insert", "delete", "flip"]))
        if action == "insert":
            body[at:at] = draw(st.sampled_from([b"\x00", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"]]>",
                                                b"<item>", b"\xff\xfe", b"&#0;", b"<![CDATA[", b"\x1b"]))
        elif action == "delete" and body:
            del body[at:at + draw(st.integers(1, 20))]
        elif body:
            body[min(at, len(body) - 1)] = draw(st.integers(0, 255))
    return bytes(body)


def _check_feed(body: bytes) -> None:
    feed = parse_feed(body, {"content-type": "application/rss+xml"}, "https://news.example/feed", now=NOW)
    assert feed.ok or feed.error
    for item in feed.items:
        assert item.url.startswith(("http://", "https://"))
        assert item.published is None or datetime(1990, 1, 1, tzinfo=UTC) <= item.published <= NOW + timedelta(days=2)
        for value in (item.title, item.author, item.summary):
            assert value is None or not CONTROL & set(value)


@FUZZ
@given(mutated_feeds())
def test_mutated_feeds_never_raise_and_items_stay_clean(body: bytes) -> None:
    _check_feed(body)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_a_feed(body: bytes) -> None:
    _check_feed(body)


_html_bits = st.sampled_from([b"<html>", b"<body>", b"<p>", b"</p>", b"<article>", b"<div>", b"<meta charset='",
                              b"utf-16", b"'>", b"\x00", b"<title>", b"\xef\xbb\xbf", b"<script>", b"%PDF-",
                              b"Victims of trafficking were freed by the police. " * 3, b"<![CDATA[", b"&#0;"])


@SLOW_FUZZ
@given(body=st.one_of(st.binary(max_size=3000), st.lists(st.one_of(_html_bits, st.binary(max_size=20)),
                                                         max_size=40).map(b"".join)),
       content_type=st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=x-bogus",
                                     "application/pdf", "text/plain; charset=latin1"]))
def test_pages_from_arbitrary_bytes_end_with_a_documented_status(body: bytes, content_type: str | None) -> None:
    page = extract_page(body, url="https://news.example/a", content_type=content_type)
    assert page.status in PAGE_STATUSES
    assert (page.status == "ok") == bool(page.text)
    assert page.status == "ok" or page.error
    for value in (page.title, page.author, page.text, page.site_name):
        assert value is None or not CONTROL & set(value)


# --- the harness ------------------------------------------------------------------------------------

@st.composite
def _while_another_thread_uses_random(draw: st.DrawFn) -> str:
    """A strategy during whose draw a background thread (as Prefect's do) consumes `random`."""
    worker = threading.Thread(target=lambda: [random.random() for _ in range(100)])
    worker.start()
    worker.join()
    return draw(st.text(max_size=5))


@settings(max_examples=20, deadline=None)
@given(_while_another_thread_uses_random())
def test_property_tests_tolerate_other_threads_using_random(text: str) -> None:
    """Without the filter in pyproject.toml, Hypothesis flags this as a deprecation error."""
    assert isinstance(text, str)
