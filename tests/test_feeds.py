"""parse_feed: formats, links, dates, hostile input, and judging feeds by content, not `bozo`."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.feeds import ParsedFeed, defuse_dtd, parse_feed

BASE = "https://news.example/feeds/main.xml"
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def parse(body: bytes, headers: dict[str, str] | None = None, **kwargs: object) -> ParsedFeed:
    return parse_feed(body, headers or {}, BASE, now=NOW, **kwargs)  # type: ignore[arg-type]


def rss(
    items: str, *, head: str = '<?xml version="1.0" encoding="utf-8"?>\n', channel: str = ""
) -> bytes:
    return (
        f'{head}<rss version="2.0"><channel><title>Example News</title><link>https://news.example/</link>'
        f"<language>pt-BR</language>{channel}{items}</channel></rss>"
    ).encode()


def item(link: str, title: str = "A story", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def test_rss2_items_carry_title_author_date_summary_and_language() -> None:
    body = rss(
        item(
            "https://news.example/a/1",
            "Trafficking ring broken up",
            "<author>desk@news.example (Desk)</author><pubDate>Mon, 02 Jun 2025 09:30:00 +0200</pubDate>"
            "<description>&lt;p&gt;Police said &lt;b&gt;41&lt;/b&gt; people were freed.&lt;/p&gt;</description>",
        )
    )
    feed = parse(body)
    assert feed.ok and feed.version == "rss20" and feed.title == "Example News"
    assert feed.language == "pt"
    [story] = feed.items
    assert story.url == "https://news.example/a/1"
    assert story.title == "Trafficking ring broken up"
    assert story.author == "desk@news.example (Desk)"
    assert story.published == datetime(2025, 6, 2, 7, 30, tzinfo=UTC)
    assert story.published is not None and story.published.utcoffset() is not None
    assert story.summary is not None and "41" in story.summary


def test_atom_relative_links_resolve_against_xml_base_and_feed_url() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id>
<updated>2025-05-30T10:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link rel="alternate" href="/stories/1"/>
  <updated>2025-05-30T10:00:00Z</updated></entry>
<entry xml:base="https://cdn.example/base/"><title>Two</title><id>urn:2</id><link href="two.html"/>
  <published>2025-05-29T08:00:00-05:00</published></entry>
</feed>"""
    feed = parse(body)
    assert feed.ok and feed.version == "atom10"
    assert [i.url for i in feed.items] == [
        "https://news.example/stories/1",
        "https://cdn.example/base/two.html",
    ]
    assert feed.items[0].published == datetime(2025, 5, 30, 10, tzinfo=UTC)
    assert feed.items[1].published == datetime(2025, 5, 29, 13, tzinfo=UTC)


def test_rdf_rss1_feed() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>RDF news</title><link>https://news.example/</link></channel>
<item rdf:about="https://news.example/r/1"><title>First</title><link>https://news.example/r/1</link>
  <dc:date>2025-05-31T07:00:00+00:00</dc:date><dc:creator>Ana</dc:creator></item>
</rdf:RDF>"""
    feed = parse(body)
    assert feed.ok and feed.version == "rss10"
    assert feed.items[0].url == "https://news.example/r/1"
    assert feed.items[0].author == "Ana"
    assert feed.items[0].published == datetime(2025, 5, 31, 7, tzinfo=UTC)


def test_relative_rss_links_are_made_absolute_and_unusable_links_skipped() -> None:
    body = rss(
        item("/local/1")
        + item("javascript:alert(1)")
        + item("mailto:desk@news.example")
        + "<item><title>no link at all</title></item>"
        + item("../up/2")
    )
    feed = parse(body)
    assert [i.url for i in feed.items] == [
        "https://news.example/local/1",
        "https://news.example/up/2",
    ]


def test_guid_permalink_is_the_fallback_link_but_not_a_non_permalink_guid() -> None:
    body = rss(
        "<item><title>p</title><guid>https://news.example/p/1</guid></item>"
        '<item><title>np</title><guid isPermaLink="false">https://news.example/p/2</guid></item>'
    )
    assert [i.url for i in parse(body).items] == ["https://news.example/p/1"]


def test_duplicate_links_are_kept_once_in_first_position() -> None:
    body = rss(
        item("https://news.example/d/1", "first")
        + item("https://news.example/d/2")
        + item("https://news.example/d/1", "again")
        + item("/d/1", "relative again")
    )
    feed = parse(body)
    assert [i.url for i in feed.items] == ["https://news.example/d/1", "https://news.example/d/2"]
    assert feed.items[0].title == "first"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("Sat, 31 Dec 1988 10:00:00 GMT", None),
        ("Fri, 01 Jan 2100 00:00:00 GMT", None),
        ("Thu, 05 Jun 2025 00:00:00 GMT", None),  # NOW + 3.5 days
        ("Tue, 03 Jun 2025 06:00:00 GMT", datetime(2025, 6, 3, 6, tzinfo=UTC)),  # within 2 days
        ("not a date at all", None),
        ("Mon, 02 Jun 2025 09:30:00 +0200", datetime(2025, 6, 2, 7, 30, tzinfo=UTC)),
    ],
)
def test_dates_outside_the_sane_range_become_none(date: str, expected: datetime | None) -> None:
    feed = parse(rss(item("https://news.example/x", extra=f"<pubDate>{date}</pubDate>")))
    assert feed.items[0].published == expected


def test_nul_and_control_characters_are_stripped_from_every_string() -> None:
    body = rss(
        item(
            "https://news.example/c/1\x00",
            "Ti\x00tle\x07 with\x1b controls",
            "<author>A\x0bna</author><description>Sum\x00mary\x08 text</description>",
        ),
        channel="",
    ).replace(b"Example News", b"Exam\x00ple\x01 News")
    feed = parse(body)
    assert feed.ok
    [story] = feed.items
    for value in (feed.title, story.url, story.title, story.author, story.summary):
        assert value is not None
        assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value), repr(value)
    assert story.title == "Title with controls"
    assert story.url == "https://news.example/c/1"


def test_html_page_served_as_a_feed_is_not_ok() -> None:
    page = b"""<!DOCTYPE html><html><head><title>Home</title></head><body>
<h1>Welcome</h1><p>Read <a href="/news">the news</a>.</p></body></html>"""
    feed = parse(page, {"Content-Type": "text/html; charset=utf-8"})
    assert not feed.ok
    assert feed.error is not None and feed.error.startswith("not a feed")
    assert feed.items == []


def test_newline_before_xml_declaration_is_bozo_but_fine() -> None:
    body = b"\n" + rss(item("https://news.example/n/1"))
    feed = parse(body)
    assert feed.ok and feed.version == "rss20"
    assert [i.url for i in feed.items] == ["https://news.example/n/1"]


def test_feed_with_version_but_no_items_is_ok_and_empty() -> None:
    feed = parse(rss(""))
    assert feed.ok and feed.items == []


@pytest.mark.parametrize("body", [b"", b"   \n\t "], ids=["empty", "whitespace"])
def test_empty_body_is_not_a_feed(body: bytes) -> None:
    assert parse(body) == ParsedFeed(ok=False, error="empty")


def test_oversized_feed_is_rejected_before_parsing() -> None:
    body = rss(item("https://news.example/big") * 200)
    feed = parse(body, max_bytes=1000)
    assert not feed.ok and feed.error is not None and feed.error.startswith("too large")
    assert (
        parse(b" " * (10 * 1024 * 1024 + 1)).error
        == f"too large: {10 * 1024 * 1024 + 1} bytes > {10 * 1024 * 1024}"
    )


def test_http_error_status_is_not_a_feed() -> None:
    assert parse(rss(item("https://news.example/x")), status=404).error == "http status 404"


def test_gzip_body_without_content_encoding_is_inflated_within_the_cap() -> None:
    body = rss(item("https://news.example/gz"))
    assert [i.url for i in parse(gzip.compress(body)).items] == ["https://news.example/gz"]
    bomb = gzip.compress(b" " * (3 * 1024 * 1024))
    feed = parse(bomb, max_bytes=1024 * 1024)
    assert not feed.ok and feed.error is not None and "too large" in feed.error


@pytest.mark.parametrize(
    ("declaration", "headers", "actual"),
    [
        ('encoding="utf-8"', {}, "latin-1"),
        ('encoding="iso-8859-1"', {}, "utf-8"),
        ("", {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}, "utf-8"),
        ("", {"Content-Type": "text/xml; charset=utf-8"}, "latin-1"),
        ('encoding="x-no-such-charset"', {}, "latin-1"),
    ],
    ids=[
        "utf8-decl-latin1-bytes",
        "latin1-decl-utf8-bytes",
        "latin1-header-utf8-bytes",
        "utf8-header-latin1-bytes",
        "bogus-decl-latin1-bytes",
    ],
)
def test_wrong_encoding_declarations_still_read_right(
    declaration: str, headers: dict[str, str], actual: str
) -> None:
    title = "según João"
    head = f'<?xml version="1.0" {declaration}?>\n'
    body = rss(item("https://news.example/e", "TITLE"), head=head).replace(
        b"TITLE", title.encode(actual)
    )
    feed = parse(body, headers)
    assert feed.ok, feed.error
    assert feed.items[0].title == title


def test_utf16_feed_parses() -> None:
    body = rss(
        item("https://news.example/u16", "Überschrift"),
        head='<?xml version="1.0" encoding="utf-16"?>\n',
    )
    feed = parse(body.decode().encode("utf-16"))
    assert feed.ok and feed.items[0].title == "Überschrift"


# --- entity bombs --------------------------------------------------------------------------------

ENTITY = "A" * 100_000
BOMB_ITEMS = "&bomb;" * 20_000


def _bombs() -> dict[str, bytes]:
    item_xml = f"<item><title>t</title><link>https://news.example/b</link><description>{BOMB_ITEMS}</description></item>"
    feed = f'<rss version="2.0"><channel><title>Bomb</title>{item_xml}</channel></rss>'
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    return {
        # one 100 KB literal entity used 20,000 times: feedparser keeps it as "safe"
        "literal-own-line": f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY bomb "{ENTITY}">\n]>\n{feed}'.encode(),
        "literal-inline": f'<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY bomb "{ENTITY}"> ]>{feed}'.encode(),
        # DOCTYPE after a comment holding markup: past feedparser's own DOCTYPE handling
        "after-comment": f'<?xml version="1.0"?><!-- <a> -->\n<!DOCTYPE rss [\n<!ENTITY bomb "{ENTITY}">\n]>\n{feed}'.encode(),
        "billion-laughs": (
            f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY l0 "lol">\n{laughs}]>\n'
            + feed.replace(BOMB_ITEMS, "&l9;")
        ).encode(),
        "utf-16": f'<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE rss [\n<!ENTITY bomb "{ENTITY}">\n]>\n{feed}'.encode(
            "utf-16"
        ),
    }


@pytest.mark.parametrize("name", list(_bombs()))
def test_entity_bomb_parses_fast(name: str) -> None:
    body = _bombs()[name]
    started = time.perf_counter()
    feed = parse(body)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{name} took {elapsed:.2f} s"
    assert feed.ok and [i.url for i in feed.items] == ["https://news.example/b"]
    summary = feed.items[0].summary or ""
    assert "AAAAAAAAAA" * 100 not in summary and "lollollol" not in summary


def test_entity_bombs_keep_memory_small(tmp_path: Path) -> None:
    """In a fresh interpreter capped at 1 GiB: the undefused bomb needs 2 GB and would fail."""
    for name, body in _bombs().items():
        (tmp_path / f"{name}.xml").write_bytes(body)
    script = textwrap.dedent(f"""
        import pathlib, resource
        from extractors.feeds import parse_feed
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, resource.RLIM_INFINITY))
        parse_feed(b"<rss version='2.0'><channel></channel></rss>", {{}}, "https://x.example/")
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for path in sorted(pathlib.Path({str(tmp_path)!r}).glob("*.xml")):
            assert parse_feed(path.read_bytes(), {{}}, "https://x.example/").ok, path
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    grown_mib = int(done.stdout.strip())
    assert grown_mib < 100, f"peak RSS grew by {grown_mib} MiB"


def test_small_literal_entities_survive_defusing() -> None:
    body = (
        b'<!DOCTYPE rss [\n  <!ENTITY id "tag:news.example,">\n  <!ENTITY % ext SYSTEM "file:///etc/passwd">\n'
        b'  <!ENTITY leak SYSTEM "file:///etc/passwd">\n]>\n<rss version="2.0"><channel>'
        b"<item><guid>&id;2025:1</guid><link>https://news.example/e/&leak;</link></item></channel></rss>"
    )
    defused = defuse_dtd(body)
    assert b'<!ENTITY id "tag:news.example,">' in defused
    assert b"passwd" not in defused
    feed = parse(body)
    assert feed.ok and "passwd" not in str(feed)


def test_stray_entity_declaration_outside_doctype_is_removed() -> None:
    body = rss(
        item(
            "https://news.example/s",
            extra=f'<!ENTITY bomb "{ENTITY}"><description>{BOMB_ITEMS}</description>',
        )
    )
    assert b"<!ENTITY" not in defuse_dtd(body)
    assert parse(body).ok


def test_doctype_without_internal_subset_and_cdata_doctype_are_untouched() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
        b"<item><link>https://news.example/n</link><description><![CDATA[<!DOCTYPE html><p>x</p>]]>"
        b"</description></item></channel></rss>"
    )
    assert defuse_dtd(body) == body
    assert parse(body).version == "rss091n"
