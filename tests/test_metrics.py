"""End-to-end metric extraction on sentences written for these tests, plus the seed article."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.metrics import EXTRACTOR_VERSION, Metric, extract_metrics

Row = tuple[str, int, str, str, int | None, str | None]


def rows(text: str, lang: str | None, published: date | None = date(2023, 6, 1), title: str | None = None) -> set[Row]:
    found = extract_metrics(text, language=lang, published=published, title=title)
    return {(m.metric, m.value, m.unit, m.qualifier, m.year, m.country) for m in found}


SEED = (
    "Cuba reaffirmed its zero-tolerance policy against human trafficking.\n"
    "According to what is officially known, in the previous year, six cases were tried in the Caribbean "
    "nation for crimes with characteristics of human trafficking, which reflects the low incidence at the "
    "national level.\n"
    "During 2022, more than 7,000 actions were also carried out to protect minors in order to prevent "
    "situations prone to sexual abuse.\n"
)


def test_seed_article() -> None:
    assert rows(SEED, "en", date(2023, 7, 30), title="Cuba against human trafficking") == {
        ("prosecutions", 6, "cases", "exact", 2022, "CUB"),
        ("prevention_actions", 7000, "actions", "more_than", 2022, "CUB"),
    }


def test_evidence_offsets_point_at_the_sentence() -> None:
    for m in extract_metrics(SEED, language="en", published=date(2023, 7, 30)):
        assert SEED[m.start : m.end] == m.evidence
        assert isinstance(m, Metric) and 0 < m.confidence <= 1


def test_version_is_real() -> None:
    assert EXTRACTOR_VERSION[0].isdigit() and EXTRACTOR_VERSION.count(".") == 2


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Thai police arrested 31 suspected traffickers and rescued 112 women in 2021.",
         {("arrests", 31, "persons", "exact", 2021, "THA"),
          ("victims_identified", 112, "persons", "exact", 2021, "THA")}),
        ("en", "Prosecutors in Ghana charged at least 14 people with human trafficking last year.",
         {("prosecutions", 14, "persons", "at_least", 2022, "GHA")}),
        ("en", "Nigerian courts convicted nearly 90 traffickers in 2020.",
         {("convictions", 90, "persons", "about", 2020, "NGA")}),
        ("en", "Labour inspectors in Brazil carried out 1,240 inspections against forced labour in 2022.",
         {("prevention_actions", 1240, "actions", "exact", 2022, "BRA")}),
        ("es", "La fiscalía mexicana abrió más de 600 carpetas de investigación por trata de personas en 2021.",
         {("investigations", 600, "cases", "more_than", 2021, "MEX")}),
        ("es", "La policía colombiana capturó a 45 presuntos tratantes y rescató a 130 víctimas el año pasado.",
         {("arrests", 45, "persons", "exact", 2022, "COL"),
          ("victims_identified", 130, "persons", "exact", 2022, "COL")}),
        ("es", "Los tribunales argentinos dictaron 58 sentencias condenatorias por trata de personas en 2019.",
         {("convictions", 58, "cases", "exact", 2019, "ARG")}),
        ("fr", "La gendarmerie ivoirienne a interpellé une vingtaine de personnes et libéré 73 enfants victimes de traite en 2020.",
         {("victims_identified", 73, "persons", "exact", 2020, "CIV")}),
        ("fr", "Au Bénin, près de 40 enquêtes pour traite des êtres humains ont été ouvertes l'an dernier.",
         {("investigations", 40, "cases", "about", 2022, "BEN")}),
        ("pt", "A polícia brasileira resgatou 2.575 trabalhadores em condições análogas à escravidão em 2022.",
         {("victims_identified", 2575, "persons", "exact", 2022, "BRA")}),
        ("pt", "Em Angola, pelo menos doze suspeitos de tráfico de pessoas foram detidos no ano passado.",
         {("arrests", 12, "persons", "at_least", 2022, "AGO")}),
    ],
)
def test_facts_per_language(lang: str, text: str, expected: set[Row]) -> None:
    assert rows(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Trafficking offenders in Kenya face up to 30 years in prison and fines of $50,000."),
        ("en", "The victims, aged 14 and 15, were among 35 per cent of cases involving a 16-year-old."),
        ("en", "More than 2,000 police officers and 45 NGOs joined the campaign against human trafficking."),
        ("en", "The investigation identified 220 suspects of human trafficking in Kenya, none of them detained."),
        ("en", "Call the human trafficking hotline on 1-866-555-0100 to report abuse."),
        ("es", "La Ley 26.364 castiga la trata de personas con penas de 4 a 10 años de prisión."),
        ("es", "La trata de personas afecta a menores de 18 años en 12 provincias."),
        ("fr", "L'article 225-4 du code pénal punit la traite des êtres humains de 7 ans d'emprisonnement."),
        ("pt", "O crime de tráfico de pessoas é punido com pena de 3 a 10 anos, segundo o artigo 160."),
        ("en", "Police in Kenya seized 320 kilograms of cocaine and arrested 14 drug traffickers."),
    ],
)
def test_distractors_yield_nothing(lang: str, text: str) -> None:
    assert rows(text, lang) == set()


NEGATIVE_ARTICLES = {
    "drugs": ("en", "Police in Peru seized 4.2 tonnes of cocaine in 2023 and arrested 58 members of a drug "
                    "trafficking gang, while 1,300 kilograms of cannabis were burned."),
    "football": ("en", "The club won 24 of its 30 matches and scored 71 goals, while heavy traffic around the "
                       "stadium delayed 40,000 fans."),
    "mining": ("es", "La minera estatal produjo 1,42 millones de toneladas de cobre en 2023, un 6 % menos, "
                     "y empleó a 15.000 trabajadores."),
    "arms": ("fr", "Les douanes ont saisi 320 armes à feu et 12 000 munitions destinées aux gangs en 2024, "
                   "signe de l'ampleur du trafic d'armes."),
}


@pytest.mark.parametrize("name", sorted(NEGATIVE_ARTICLES))
def test_negative_articles_yield_nothing(name: str) -> None:
    lang, text = NEGATIVE_ARTICLES[name]
    assert rows(text, lang) == set()


def test_duplicates_are_merged() -> None:
    text = ("Ugandan police rescued 57 victims of human trafficking in 2022.\n"
            "The 57 victims rescued in 2022 were mostly girls, police in Uganda said.")
    assert rows(text, "en") == {("victims_identified", 57, "persons", "exact", 2022, "UGA")}


def test_wrong_or_missing_language_falls_back() -> None:
    text = "La policía peruana rescató a 64 víctimas de trata de personas en 2022."
    expected = {("victims_identified", 64, "persons", "exact", 2022, "PER")}
    assert rows(text, None) == expected
    assert rows(text, "en") == expected
    assert rows(text, "xx-YY") == expected


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400), lang=st.sampled_from(["en", "es", "fr", "pt", None, "de"]))
def test_safe_on_any_text(text: str, lang: str | None) -> None:
    for m in extract_metrics(text, language=lang, published=None):
        assert text[m.start : m.end] == m.evidence


def test_a_headline_repeating_a_body_fact_adds_no_second_copy() -> None:
    text = ("Rescatan a 41 víctimas de trata en Ruritania\n"
            "La Fiscalía informó que el año pasado rescató a 41 víctimas de trata de personas en "
            "operativos en varias provincias.")
    facts = extract_metrics(text, language="es", published=date(2024, 6, 10),
                            title="Rescatan a 41 víctimas de trata en Ruritania")
    assert [(f.metric, f.value, f.year) for f in facts] == [("victims_identified", 41, 2023)]
