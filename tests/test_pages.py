"""extract_page: decoding, status labels, hostile markup, and where the date comes from."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from extractors.pages import Page, decode_html, extract_page, sniff_binary

URL = "https://news.example/2025/05/story"
PARAGRAPH = (
    "<p>Según la fiscalía, la policía rescató a 312 personas de redes de trata durante el año pasado, "
    "y el informe anual publicado el lunes detalla los casos región por región.</p>"
)


def article(
    *, head: str = "", lang: str | None = "es", paragraphs: int = 6, date: str = "2025-05-20"
) -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f"<!DOCTYPE html><html{lang_attr}><head>{head}<title>Rescatadas 312 personas | Diario</title>"
        f'<meta name="author" content="Ana Pérez">'
        f'<meta property="article:published_time" content="{date}T08:00:00+02:00">'
        f'<meta property="og:site_name" content="Diario Ejemplo"></head>'
        f"<body><nav><a href='/'>Inicio</a></nav><article><h1>Rescatadas 312 personas</h1>"
        f"{PARAGRAPH * paragraphs}</article>"
        f"<div class='comments'><p>Comentario: ¡qué horror!</p></div></body></html>"
    )


def extract(body: bytes, content_type: str | None = "text/html", **kwargs: object) -> Page:
    return extract_page(body, url=URL, content_type=content_type, **kwargs)  # type: ignore[arg-type]


def test_ok_page_has_text_title_author_site_and_language() -> None:
    page = extract(article().encode())
    assert page.status == "ok", page.error
    assert page.text is not None and "312 personas" in page.text and "según" in page.text.lower()
    assert "Comentario" not in page.text
    assert page.title is not None and "Rescatadas" in page.title
    assert page.author == "Ana Pérez"
    assert page.site_name == "Diario Ejemplo"
    assert page.language == "es"
    assert page.error is None


# --- decoding ---------------------------------------------------------------------------------


def test_latin1_page_without_any_charset_reads_segun() -> None:
    page = extract(article().encode("latin-1"), "text/html")
    assert page.status == "ok"
    assert page.text is not None and "Según la fiscalía" in page.text and "Ã" not in page.text


def test_short_latin1_page_without_charset_is_decoded_as_windows_1252() -> None:
    text, codec = decode_html("<html><body><p>según</p></body></html>".encode("latin-1"), None)
    assert "según" in text and codec == "cp1252"


def test_windows_1252_punctuation_is_kept() -> None:
    body = (
        article(head='<meta charset="windows-1252">').replace("Según", "“Según”").encode("cp1252")
    )
    page = extract(body, "text/html")
    assert page.text is not None and "“Según”" in page.text


def test_utf8_with_bom_and_no_declaration() -> None:
    page = extract(b"\xef\xbb\xbf" + article().encode("utf-8"), None)
    assert page.status == "ok" and page.encoding == "utf-8"
    assert page.text is not None and "Según" in page.text and "\ufeff" not in page.text


def test_utf16_with_bom() -> None:
    page = extract(article().encode("utf-16"), "text/html")
    assert page.status == "ok" and page.text is not None and "Según" in page.text


def test_meta_charset_is_used_when_the_header_has_none() -> None:
    body = article(head='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    page = extract(body.encode("latin-1"), "text/html")
    assert page.text is not None and "Según" in page.text


def test_wrong_header_charset_falls_back_to_meta() -> None:
    body = article(head='<meta charset="iso-8859-1">').encode("latin-1")
    page = extract(body, "text/html; charset=utf-8")
    assert page.text is not None and "Según" in page.text and "\ufffd" not in page.text


def test_latin1_header_over_utf8_bytes_reads_utf8() -> None:
    page = extract(article().encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert page.encoding == "utf-8"
    assert page.text is not None and "Según" in page.text


def test_cyrillic_legacy_encoding_is_detected() -> None:
    body = (
        article(lang="ru")
        .replace("Ana Pérez", "Анна")
        .replace("¡qué", "")
        .replace(
            PARAGRAPH,
            "<p>Полиция освободила 312 человек из сетей торговли людьми, "
            "говорится в ежегодном докладе, опубликованном в понедельник.</p>",
        )
    )
    page = extract(body.encode("cp1251"), "text/html")
    assert page.text is not None and "Полиция освободила 312 человек" in page.text


# --- status labels ----------------------------------------------------------------------------


def test_pdf_is_not_html_by_header_and_by_bytes() -> None:
    pdf = (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + bytes(range(256)) * 20
    )
    assert extract(pdf, "application/pdf").status == "not_html"
    labelled = extract(pdf, "text/html")
    assert labelled.status == "not_html" and labelled.error is not None and "pdf" in labelled.error


@pytest.mark.parametrize(
    "content_type", ["image/jpeg", "application/json", "video/mp4", "text/css"]
)
def test_declared_non_html_types_are_not_html(content_type: str) -> None:
    assert extract(article().encode(), content_type).status == "not_html"


def test_binary_bytes_labelled_html_are_not_html() -> None:
    noise = bytes((i * 7919 + 13) % 256 for i in range(20_000))
    page = extract(b"<html>" + noise, "text/html; charset=utf-8")
    assert page.status == "not_html"
    assert sniff_binary(b"\x89PNG\r\n\x1a\n" + noise) == "png"
    assert sniff_binary(article().encode("utf-16")) is None


def test_a_stray_nul_in_a_real_page_is_stripped_not_fatal() -> None:
    page = extract(article().replace("312 personas de", "312 personas\x00 de", 1).encode())
    assert page.status == "ok" and page.text is not None and "\x00" not in page.text


@pytest.mark.parametrize("body", [b"", b" \r\n\t "], ids=["empty", "whitespace"])
def test_empty_body(body: bytes) -> None:
    assert extract(body).status == "empty"


def test_too_large_is_not_parsed() -> None:
    page = extract(article().encode(), max_bytes=1000)
    assert page.status == "too_large" and page.text is None


def test_page_without_main_text_is_unextractable_with_a_reason() -> None:
    page = extract(
        b"<html><head><title>x</title></head><body><img src='a.png'><script>go()</script></body></html>"
    )
    assert page.status == "unextractable" and page.error


def test_control_characters_are_stripped_from_all_strings() -> None:
    body = (
        article()
        .replace("Ana Pérez", "Ana\x07 Pérez")
        .replace("Rescatadas 312", "Rescatadas\x1b 312")
    )
    page = extract(body.encode())
    for value in (page.title, page.author, page.text, page.site_name):
        assert value is not None
        assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value), repr(value)


# --- hostile markup ---------------------------------------------------------------------------

HOSTILE = {
    "deeply-nested": "<html><body>"
    + "<div>" * 15_000
    + PARAGRAPH
    + "</div>" * 15_000
    + "</body></html>",
    "nested-beyond-limit": "<html><body>"
    + "<div>" * 100_000
    + PARAGRAPH
    + "</div>" * 100_000
    + "</body></html>",
    "huge-attribute": f'<html><body><div data-blob="{"x" * 4_000_000}">{PARAGRAPH * 4}</div></body></html>',
    "script-only": "<html><head><script>"
    + "var a=1;" * 100_000
    + "</script></head><body><script>go()</script></body></html>",
    "50k-elements": "<html><body><article>"
    + "<p>Frase número uno.</p>" * 50_000
    + "</article></body></html>",
    "unclosed-tags": "<html><body>" + "<p><b><i>texto " * 3_000 + "</body></html>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_html_ends_quickly_with_a_status(name: str) -> None:
    started = time.perf_counter()
    page = extract(HOSTILE[name].encode())
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{name} took {elapsed:.1f} s"
    assert page.status in {"ok", "unextractable", "too_large"}
    if name in {"nested-beyond-limit", "50k-elements"}:
        assert page.status == "too_large" and page.error is not None and "elements" in page.error
    if name == "huge-attribute":
        assert page.status == "ok" and page.text is not None and "312 personas" in page.text


# --- dates ------------------------------------------------------------------------------------


def test_feed_date_wins_over_page_date() -> None:
    feed_date = datetime(2025, 5, 21, 6, 15, tzinfo=UTC)
    page = extract(article().encode(), feed_published=feed_date)
    assert (page.published_at, page.published_source) == (feed_date, "feed")


def test_page_date_is_used_without_a_feed_date() -> None:
    page = extract(article(date="2025-05-20").encode())
    assert page.published_source == "page"
    assert page.published_at is not None and page.published_at.tzinfo is not None
    assert page.published_at.date() == datetime(2025, 5, 20).date()


def test_naive_feed_date_is_taken_as_utc_and_absurd_feed_date_falls_back_to_page() -> None:
    naive = extract(article().encode(), feed_published=datetime(2025, 5, 21, 6, 15))
    assert naive.published_at == datetime(2025, 5, 21, 6, 15, tzinfo=UTC)
    absurd = extract(article().encode(), feed_published=datetime(1970, 1, 1, tzinfo=UTC))
    assert absurd.published_source == "page"


def test_absurd_page_date_is_dropped() -> None:
    future = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    page = extract(article(date=future).encode())
    assert page.published_at is None or page.published_at <= datetime.now(UTC) + timedelta(days=2)


def test_language_falls_back_to_the_feed() -> None:
    assert extract(article(lang=None).encode(), feed_language="pt-BR").language == "pt"
    assert extract(article(lang="de-AT").encode(), feed_language="pt").language == "de"
