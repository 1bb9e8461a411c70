"""page_metadata gives trafilatura's extract_metadata values for the fields tipwatch keeps."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from extractors.pagemeta import byline, page_metadata

URL = "https://www.diario-ejemplo.example/2025/05/20/rescate"
BODY = "<p>La policía rescató a 40 personas de una red de trata, informó la fiscalía el lunes.</p>" * 5

PAGES = {
    "meta tags": (
        '<html lang="es"><head><title>Rescate | Diario</title>'
        '<meta name="author" content="Ana Pérez">'
        '<meta property="og:site_name" content="Diario Ejemplo">'
        '<meta property="article:published_time" content="2025-05-20T08:00:00+02:00">'
        f"</head><body><article><h1>Rescatan a 40 personas</h1>{BODY}</article></body></html>"
    ),
    "json-ld": (
        "<html><head><title>Rescue</title>"
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Police free 40 people", "datePublished": "2024-11-02",'
        ' "author": {"@type": "Person", "name": "John Smith"},'
        ' "publisher": {"@type": "Organization", "name": "Daily Example"}}</script>'
        f"</head><body><h1>Police free 40 people</h1>{BODY}</body></html>"
    ),
    "byline in the body": (
        "<html><head><title>Tráfico de pessoas: 12 resgatados - Jornal</title></head><body>"
        '<h1>12 resgatados</h1><p class="byline">Maria da Silva</p>'
        '<div class="date">3 de março de 2023</div>'
        f"{BODY}</body></html>"
    ),
    "handle as meta author, twitter site": (
        "<html><head><title>Traite: 7 victimes</title>"
        '<meta name="author" content="redaction">'
        '<meta name="twitter:site" content="@lejournal">'
        f'</head><body><h1>Traite</h1><h1>Deuxième titre</h1><span class="author-name">Jean Dupont</span>{BODY}'
        "</body></html>"
    ),
    "nothing but text": f"<html><body>{BODY}</body></html>",
    "canonical link, dated URL": (
        '<html><head><link rel="canonical" href="https://news.example/2022/01/05/story"></head>'
        f"<body><h2>Story</h2>{BODY}</body></html>"
    ),
    "hostile json-ld": (
        '<html><head><script type="application/ld+json">{"author": [[[{"name": }]]</script>'
        f'<meta property="og:title" content="Título &amp; más"></head><body>{BODY}</body></html>'
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_same_fields_as_extract_metadata(name: str) -> None:
    html = PAGES[name]
    expected = extract_metadata(load_html(html), URL)
    got = page_metadata(load_html(html), URL, search_date=True)
    assert (got.title, got.author, got.site_name, got.date) == (
        expected.title,
        expected.author,
        expected.sitename,
        expected.date,
    )


def test_fixtures_exercise_every_source_of_each_field() -> None:
    """Guards the comparison above against pages where every field is empty."""
    found = [page_metadata(load_html(html), URL, search_date=True) for html in PAGES.values()]
    assert {m.author for m in found} >= {"Ana Pérez", "John Smith", "Maria da Silva"}
    assert sum(m.date is not None for m in found) >= 3
    assert sum(m.site_name is not None for m in found) >= 3


def test_date_is_not_searched_when_not_asked() -> None:
    meta = page_metadata(load_html(PAGES["meta tags"]), URL, search_date=False)
    assert meta.date is None
    assert meta.author == "Ana Pérez"


def test_tree_is_left_as_parsed() -> None:
    tree = load_html(PAGES["byline in the body"])
    before = len(list(tree.iter()))
    page_metadata(tree, URL, search_date=True)
    assert len(list(tree.iter())) == before


def test_byline_search_can_be_left_for_later() -> None:
    html = PAGES["byline in the body"]
    assert page_metadata(load_html(html), URL, search_date=False, search_byline=False).author is None
    assert byline(load_html(html)) == extract_metadata(load_html(html), URL).author == "Maria da Silva"


def test_meta_author_does_not_need_the_byline_search() -> None:
    meta = page_metadata(load_html(PAGES["json-ld"]), URL, search_date=False, search_byline=False)
    assert meta.author == "John Smith"
