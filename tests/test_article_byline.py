"""process_article: the body's byline is searched for relevant articles, and only for them."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.article import ArticleInput, process_article

URL = "https://jornal.example/2025/03/03/materia"
RELEVANT = (
    "<p>A Polícia Federal resgatou 12 vítimas de tráfico de pessoas numa fazenda do interior, "
    "informou o Ministério Público nesta segunda-feira, e três suspeitos foram presos.</p>"
    "<p>Segundo os investigadores, a rede de tráfico humano aliciava trabalhadores com falsas "
    "promessas de emprego e os mantinha em condições análogas à escravidão.</p>"
    "<p>As vítimas de tráfico foram encaminhadas a abrigos e recebem assistência social.</p>"
)
SPORT = (
    "<p>O time venceu a partida por três a um no estádio municipal, diante de vinte mil torcedores.</p>"
    "<p>O treinador elogiou a defesa e disse que a equipe chega confiante à final do campeonato.</p>"
)


def page(paragraph: str, head: str = "") -> bytes:
    return (
        f"<html lang='pt'><head><title>Notícia</title>{head}</head><body><article><h1>Notícia</h1>"
        f"<p class='byline'>Maria da Silva</p>{paragraph}</article></body></html>"
    ).encode()


def process(body: bytes):  # type: ignore[no-untyped-def]
    now = datetime(2025, 3, 3, tzinfo=UTC)
    return process_article(ArticleInput(
        url=URL, source_url=URL, final_url=URL, feed="f", body=body, content_type="text/html",
        http_status=200, fetched_at=now, feed_published=now,
    ))


def test_relevant_article_gets_the_byline_from_its_body() -> None:
    record = process(page(RELEVANT))
    assert record.relevant is True
    assert record.author == "Maria da Silva"


def test_other_articles_keep_only_meta_authors() -> None:
    assert process(page(SPORT)).author is None
    with_meta = process(page(SPORT, head='<meta name="author" content="João Souza">'))
    assert with_meta.relevant is False and with_meta.author == "João Souza"


def test_meta_author_wins_over_the_byline_for_relevant_articles() -> None:
    record = process(page(RELEVANT, head='<meta name="author" content="João Souza">'))
    assert record.relevant is True and record.author == "João Souza"
