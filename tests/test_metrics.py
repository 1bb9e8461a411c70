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


# --- 1.1.0: boilerplate, back-references, ranges, origins, modifiers, estimates, years ---------

BODY = {
    "en": ("Police in Kenya rescued 24 victims of human trafficking at a tea farm in 2023.",
           {("victims_identified", 24, "persons", "exact", 2023, "KEN")}),
    "es": ("La fiscalía de Bolivia rescató a 16 víctimas de trata de personas en 2022.",
           {("victims_identified", 16, "persons", "exact", 2022, "BOL")}),
    "fr": ("La gendarmerie du Niger a secouru 31 victimes de la traite des êtres humains en 2021.",
           {("victims_identified", 31, "persons", "exact", 2021, "NER")}),
    "pt": ("A polícia de Angola resgatou 45 vítimas de tráfico de pessoas em 2023.",
           {("victims_identified", 45, "persons", "exact", 2023, "AGO")}),
}
COMMENTS = {
    "en": ["\nComments (2)\ntruthseeker_88 said: there are 300 checkpoints on the A104 and still nothing.\n"
           "MaryK said: great reporting, thanks.",
           " Comments (2) truthseeker_88 said: there are 300 checkpoints on the A104 and still nothing."],
    "es": [" juanp_77 dijo: yo vi 20 operativos en la ruta 4 y nada cambió. Ana2020 dijo: muy buena nota.",
           "\nComentarios (5)\nRoberto dijo: hace 3 años que hay 12 controles en el puente."],
    "fr": ["\nCommentaires (4)\nDidier_B a écrit : il y a 12 contrôles sur la nationale 1 et rien ne change.",
           " Commentaires (4) Didier_B a écrit : il y a 12 contrôles sur la nationale 1."],
    "pt": [" leitor_luanda disse: já vi 10 rusgas no bairro e nada. Zeca1975 disse: parabéns pela matéria.",
           "\nComentários (2)\nManelito disse: há 8 operações por ano na estrada 100."],
}
READ_MORE = {
    "en": "\nRead more: Police raid 12 brothels in Manila",
    "es": "\nLea también: Detienen a 8 personas por trata en Lima",
    "fr": "\nLire aussi : 15 victimes de la traite secourues au Mali",
    "pt": "\nLeia também: PF prende 9 suspeitos de tráfico de pessoas",
}


@pytest.mark.parametrize(("lang", "variant"), [(lang, i) for lang in COMMENTS for i in range(2)])
def test_reader_comments_yield_no_facts(lang: str, variant: int) -> None:
    body, expected = BODY[lang]
    assert rows(body + COMMENTS[lang][variant], lang) == expected


@pytest.mark.parametrize("lang", sorted(READ_MORE))
def test_read_more_lines_yield_no_facts(lang: str) -> None:
    body, expected = BODY[lang]
    assert rows(body + READ_MORE[lang], lang) == expected


def test_related_headlines_under_a_bare_heading_yield_no_facts() -> None:
    body, expected = BODY["en"]
    assert rows(body + "\nRelated\nUganda police free 40 trafficked girls\nMore than 90 arrests in Tanzania raid",
                "en") == expected


def test_figures_far_from_the_topic_yield_nothing() -> None:
    text = ("Police in Kenya rescued 24 victims of human trafficking at a tea farm in 2023.\n"
            "The county opened a new hospital wing.\nIts budget was approved in March.\n"
            "Farmers expect a good harvest.\nSeparately, the council held 25 workshops on recycling in 2023.")
    assert rows(text, "en") == BODY["en"][1]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "A court in Uganda sentenced seven traffickers in 2020 to between 10 and 15 years in prison.",
         {("convictions", 7, "persons", "exact", 2020, "UGA")}),
        ("en", "Sentences for the trafficking ring in Kenya ranged from three to 12 years.", set()),
        ("en", "Courts in Malawi convicted 12 traffickers in 2022, with sentences from four to 14 years.",
         {("convictions", 12, "persons", "exact", 2022, "MWI")}),
        ("es", "Un tribunal de Honduras condenó a seis tratantes en 2022 a penas de 4 a 8 años de prisión.",
         {("convictions", 6, "persons", "exact", 2022, "HND")}),
        ("fr", "Au Cameroun, trois trafiquants ont été condamnés en 2023 à des peines entre cinq et dix ans de prison.",
         {("convictions", 3, "persons", "exact", 2023, "CMR")}),
        ("pt", "Em Cabo Verde, quatro arguidos de tráfico de pessoas foram condenados em 2021 a penas de 3 a 12 anos de reclusão.",
         {("convictions", 4, "persons", "exact", 2021, "CPV")}),
    ],
)
def test_prison_term_ranges_are_not_counts(lang: str, text: str, expected: set[Row]) -> None:
    assert rows(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Prosecutors in Ghana charged 14 people with human trafficking in 2022. "
               "The 14 cases were heard by a special court.",
         {("prosecutions", 14, "persons", "exact", 2022, "GHA")}),
        ("es", "En 2023 fueron judicializados 11 casos de trata en Uruguay. "
               "Los 11 casos involucraban a mujeres captadas por redes sociales.",
         {("prosecutions", 11, "cases", "exact", 2023, "URY")}),
        ("fr", "En 2022, les tribunaux du Togo ont jugé neuf affaires de traite des enfants. "
               "Les neuf affaires concernaient des enfants placés comme domestiques.",
         {("prosecutions", 9, "cases", "exact", 2022, "TGO")}),
        ("pt", "Em 2023 foram abertos 27 processos-crime por tráfico de pessoas em Portugal. "
               "Dos 27 processos, metade envolvia exploração laboral.",
         {("investigations", 27, "cases", "exact", 2023, "PRT")}),
    ],
)
def test_back_references_add_no_fact(lang: str, text: str, expected: set[Row]) -> None:
    assert rows(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Italian police identified 230 trafficking victims in 2023, most of them women from West Africa.",
         {("victims_identified", 230, "persons", "exact", 2023, "ITA")}),
        ("en", "Police in Italy freed 40 Nigerian women from a sex trafficking network in 2022.",
         {("victims_identified", 40, "persons", "exact", 2022, "ITA")}),
        ("es", "La Policía de España liberó en 2023 a 85 víctimas de trata de origen paraguayo.",
         {("victims_identified", 85, "persons", "exact", 2023, "ESP")}),
        ("es", "En Chile se rescató a 19 mujeres venezolanas víctimas de trata en 2022.",
         {("victims_identified", 19, "persons", "exact", 2022, "CHL")}),
        ("fr", "En 2021, la police belge a identifié 60 victimes de la traite, pour la plupart des femmes nigérianes.",
         {("victims_identified", 60, "persons", "exact", 2021, "BEL")}),
        ("pt", "A polícia portuguesa sinalizou 120 vítimas de tráfico em 2022, na maioria oriundas do Nepal.",
         {("victims_identified", 120, "persons", "exact", 2022, "PRT")}),
    ],
)
def test_victims_origin_does_not_name_the_country(lang: str, text: str, expected: set[Row]) -> None:
    assert rows(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Police in Peru arrested 12 people charged with sex trafficking in 2023.",
         {("arrests", 12, "persons", "exact", 2023, "PER")}),
        ("es", "Carabineros de Chile detuvo en 2022 a siete personas acusadas de explotar a migrantes.",
         {("arrests", 7, "persons", "exact", 2022, "CHL")}),
        ("fr", "Au Mali, la police a interpellé huit personnes poursuivies pour traite en 2023.",
         {("arrests", 8, "persons", "exact", 2023, "MLI")}),
        ("pt", "A Polícia Federal prendeu 15 pessoas acusadas de tráfico de pessoas no Brasil em 2023.",
         {("arrests", 15, "persons", "exact", 2023, "BRA")}),
    ],
)
def test_the_governing_verb_beats_a_participle_on_the_persons(lang: str, text: str, expected: set[Row]) -> None:
    assert rows(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The ILO estimates that 3.3 million children were in forced labour worldwide in 2021."),
        ("es", "La OIT calcula que unos 3,3 millones de niños se encontraban en situación de trabajo forzoso en el mundo en 2021."),
        ("fr", "L'OIT estime qu'environ 3,3 millions d'enfants étaient en travail forcé dans le monde en 2021."),
        ("pt", "A OIT estima que cerca de 3,3 milhões de crianças estavam em trabalho forçado no mundo em 2021."),
    ],
)
def test_worldwide_forced_labour_estimates(lang: str, text: str) -> None:
    qualifier = "exact" if lang == "en" else "about"
    assert rows(text, lang) == {("estimated_victims", 3_300_000, "persons", qualifier, 2021, None)}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Kenyan police opened 95 trafficking investigations in the first half, similar to the same period of 2023.",
         {("investigations", 95, "cases", "exact", 2024, "KEN")}),
        ("es", "En el primer trimestre la fiscalía de Ecuador abrió 58 investigaciones por trata, frente a 41 en el mismo trimestre de 2023.",
         {("investigations", 58, "cases", "exact", 2024, "ECU"), ("investigations", 41, "cases", "exact", 2023, "ECU")}),
        ("fr", "La police sénégalaise a ouvert 33 enquêtes pour traite ce semestre, par rapport à la même période de 2023.",
         {("investigations", 33, "cases", "exact", 2024, "SEN")}),
        ("pt", "A polícia de Moçambique abriu 21 processos por tráfico de pessoas no semestre, em comparação com 2023.",
         {("investigations", 21, "cases", "exact", 2024, "MOZ")}),
    ],
)
def test_a_year_introduced_by_a_comparison_is_not_the_figure_year(
    lang: str, text: str, expected: set[Row]
) -> None:
    assert rows(text, lang, date(2024, 7, 1)) == expected


def test_a_paragraph_keeps_its_year_but_not_a_dateline() -> None:
    text = ("ACCRA, 12 March 2024 - During 2023, authorities in Ghana rescued 210 trafficking victims. "
            "They also arrested 35 suspected traffickers.\n"
            "Officials in Ghana arrested 17 more trafficking suspects.")
    assert rows(text, "en", date(2024, 3, 12)) == {
        ("victims_identified", 210, "persons", "exact", 2023, "GHA"),
        ("arrests", 35, "persons", "exact", 2023, "GHA"),
        ("arrests", 17, "persons", "exact", 2024, "GHA"),
    }
