"""Reference years: explicit, financial, relative to publication, and nearest-year attachment."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.lexicon import fold, load
from extractors.metrics import extract_metrics
from extractors.years import _explicit_year, find_years

PUB = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "In 2019 the unit grew.", [2019]),
        ("en", "during fiscal year 2021", [2021]),
        ("en", "in the 2021-22 financial year", [2022]),
        ("en", "last year and this year", [2023, 2024]),
        ("en", "the highest since 2015", []),
        ("en", "levels seen between 2016 and 2018", []),
        ("es", "el año pasado y en 2020", [2023, 2020]),
        ("es", "registradas entre 2015 y 2017", []),
        ("fr", "l'an dernier, puis l'année dernière", [2023, 2023]),
        ("fr", "en 2021 et cette année", [2021, 2024]),
        ("pt", "no ano passado e em 2022", [2023, 2022]),
        ("pt", "desde 2010", []),
        ("es", "lectora1962 dijo: excelente nota; user_2021 y 2023abc también", []),
        ("en", "posted by reader2019 at 10:42", []),
    ],
)
def test_find_years(lang: str, text: str, expected: list[int]) -> None:
    assert [y.year for y in find_years(fold(text), load(lang), PUB)] == expected


def test_relative_years_need_a_publication_date() -> None:
    assert find_years(fold("last year"), load("en"), None) == []


@pytest.mark.parametrize(
    ("first", "second", "expected"), [("2023", "24", 2024), ("2019", "2020", 2020), ("2010", "2015", None)]
)
def test_explicit_ranges(first: str, second: str, expected: int | None) -> None:
    assert _explicit_year(first, second) == expected


def facts(text: str, lang: str, published: date | None = PUB) -> set[tuple[str, int, int | None]]:
    return {(m.metric, m.value, m.year) for m in extract_metrics(text, language=lang, published=published)}


def test_each_number_takes_its_own_year() -> None:
    text = ("Kenyan police rescued 64 trafficking victims in 2022, compared with 41 victims rescued "
            "in 2021, the ministry said.")
    assert facts(text, "en") == {("victims_identified", 64, 2022), ("victims_identified", 41, 2021)}


def test_from_to_years() -> None:
    text = ("The number of traffickers convicted in Kenya climbed from 19 in 2017 to 33 in fiscal year "
            "2020, the report on human trafficking said.")
    assert facts(text, "en") == {("convictions", 19, 2017), ("convictions", 33, 2020)}


def test_publication_year_when_text_gives_none() -> None:
    text = "La policía keniana detuvo a nueve tratantes en Nairobi por trata de personas."
    assert facts(text, "es", date(2021, 3, 1)) == {("arrests", 9, 2021)}


def test_no_year_without_text_or_date() -> None:
    text = "La police kényane a arrêté neuf trafiquants présumés à Nairobi pour traite des personnes."
    assert facts(text, "fr", None) == {("arrests", 9, None)}


def test_relative_year_in_portuguese() -> None:
    text = "No ano passado, a polícia queniana resgatou 27 vítimas de tráfico de pessoas."
    assert facts(text, "pt", date(2020, 6, 1)) == {("victims_identified", 27, 2019)}
