"""Country names, demonyms, anaphora and worldwide figures in four languages."""

from __future__ import annotations

from datetime import date

import pytest

from extractors import countries as C
from extractors.lexicon import fold, load
from extractors.metrics import extract_metrics


def codes(text: str, lang: str) -> list[str]:
    return [m.code for m in C.find_countries(text, fold(text), load(lang))]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Officials in Cuba and Cuban workers", ["CUB", "CUB"]),
        ("en", "South Sudanese and Sudanese refugees", ["SSD", "SDN"]),
        ("en", "a report on Côte d\u2019Ivoire and the Ivory Coast", ["CIV", "CIV"]),
        ("en", "the US and us", ["USA"]),
        ("en", "polish the floors, Polish workers", ["POL"]),
        ("en", "migrants in Latin America", [C.REGION]),
        ("es", "mujeres cubanas y hombres brasileños en Brasil", ["CUB", "BRA", "BRA"]),
        ("es", "víctimas en el mundo", [C.WORLD]),
        ("fr", "des ressortissantes ivoiriennes en Côte d'Ivoire", ["CIV", "CIV"]),
        ("fr", "la police sénégalaise dans le monde", ["SEN", C.WORLD]),
        ("pt", "vítimas moçambicanas na África do Sul", ["MOZ", "ZAF"]),
        ("pt", "norte-americanos e brasileiras", ["USA", "BRA"]),
    ],
)
def test_find_countries(lang: str, text: str, expected: list[str]) -> None:
    assert codes(text, lang) == expected


def test_inflect_demonyms() -> None:
    rules = {"o": ["o", "a", "os", "as"], "és": ["és", "esa", "eses", "esas"]}
    assert C.inflect("peruano", rules) == ["peruano", "peruana", "peruanos", "peruanas"]
    assert C.inflect("francés", rules) == ["francés", "francesa", "franceses", "francesas"]


def country(text: str, lang: str, title: str | None = None) -> set[str | None]:
    found = extract_metrics(text, language=lang, published=date(2023, 1, 1), title=title)
    return {m.country for m in found}


def test_anaphora_resolves_to_main_country() -> None:
    text = ("Nepal has stepped up its fight against human trafficking. "
            "Police in the Himalayan state, the country's authorities said, rescued 212 victims in 2022.")
    assert country(text, "en", title="Nepal rescues trafficking victims") == {"NPL"}


def test_worldwide_figure_has_no_country() -> None:
    text = "Globally, 50 million people were living in modern slavery in 2021, the report on forced labour estimated."
    assert country(text, "en") == {None}


def test_source_country_is_not_the_figure_country() -> None:
    text = ("Las autoridades ecuatorianas rescataron a 37 víctimas de trata de personas en 2022, según un "
            "informe de Estados Unidos.")
    assert country(text, "es") == {"ECU"}


def test_multi_country_figure_has_no_country() -> None:
    text = ("L'opération contre la traite des personnes a permis de secourir 260 victimes dans six pays "
            "d'Afrique de l'Ouest.")
    assert country(text, "fr", title="Le Ghana mène une opération contre la traite") == {None}


def test_paragraph_then_main_country() -> None:
    text = ("A polícia angolana reforçou o combate ao tráfico de pessoas.\n"
            "Em 2023 foram resgatadas 48 vítimas de tráfico de pessoas.")
    assert country(text, "pt", title="Angola resgata vítimas de tráfico de pessoas") == {"AGO"}
