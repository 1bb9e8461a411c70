"""Numbers in digits and words, per language, and the distractors around them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.lexicon import available_languages, load
from extractors.numbers import find_numbers, parse_digits


def values(text: str, lang: str) -> list[float]:
    return [m.value for m in find_numbers(text, load(lang))]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Officers found 4,250 workers.", [4250]),
        ("en", "The survey counted 3.4 million people.", [3_400_000]),
        ("en", "Twenty-three girls were freed.", [23]),
        ("en", "Police met a dozen families.", [12]),
        ("es", "Se registraron 12.480 casos.", [12480]),
        ("es", "Unos 2,5 millones de personas.", [2_500_000]),
        ("es", "Rescataron a diecisiete jóvenes y una docena de niños.", [17, 12]),
        ("es", "Hubo cuarenta y dos denuncias.", [42]),
        ("fr", "La police a recensé 9\u202f312 signalements.", [9312]),
        ("fr", "On compte 3 050 victimes et 14,8 millions de dollars.", [3050, 14_800_000]),
        ("fr", "Vingt-deux enquêtes et quatre-vingts plaintes.", [22, 80]),
        ("pt", "Foram detidos 1.140 suspeitos.", [1140]),
        ("pt", "Cerca de trinta e cinco vítimas e quinze processos.", [35, 15]),
        ("pt", "Estima-se que 3,2 milhões de pessoas.", [3_200_000]),
    ],
)
def test_numbers_per_language(lang: str, text: str, expected: list[float]) -> None:
    assert values(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Call 1-800-555-0199 or visit a 17-year-old."),
        ("en", "Un article and une maison."),  # articles are not numbers, even in the wrong language
        ("es", "Un hombre y una mujer."),
        ("fr", "Un homme et une femme."),
        ("pt", "Um homem e uma mulher."),
    ],
)
def test_not_numbers(lang: str, text: str) -> None:
    assert values(text, lang) == []


def test_years_are_flagged() -> None:
    (mention,) = find_numbers("in 2019 alone", load("en"))
    assert mention.yearish and mention.value == 2019


@pytest.mark.parametrize(
    ("raw", "sep", "scaled", "expected"),
    [
        ("7,000", ".", False, 7000),
        ("7.000", ",", False, 7000),
        ("1,2", ",", True, 1.2),
        ("1,325", ",", True, 1.325),
        ("1,325", ".", True, 1325),
        ("1.234,5", ",", False, 1234.5),
        ("10.000.000", ",", False, 10_000_000),
        ("6.1", ".", False, 6.1),
        ("1.23.4", ".", False, None),
    ],
)
def test_parse_digits(raw: str, sep: str, scaled: bool, expected: float | None) -> None:
    assert parse_digits(raw, sep, scaled) == expected


GROUPING = {"en": [","], "es": [".", " "], "fr": ["\u202f", "\u00a0", " "], "pt": [".", " "]}


@given(
    n=st.integers(min_value=1, max_value=10**9).filter(lambda v: not 1900 <= v <= 2099),
    lang=st.sampled_from(sorted(GROUPING)),
    data=st.data(),
)
def test_round_trip_grouped_integers(n: int, lang: str, data: st.DataObject) -> None:
    sep = data.draw(st.sampled_from(GROUPING[lang]))
    written = f"{n:,}".replace(",", sep)
    assert values(f"Total: {written} personas.", lang) == [n]


@given(text=st.text(max_size=300), lang=st.sampled_from(list(available_languages())))
def test_never_raises(text: str, lang: str) -> None:
    for mention in find_numbers(text, load(lang)):
        assert 0 <= mention.start < mention.end <= len(text)
