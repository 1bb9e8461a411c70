"""Relevance: human trafficking in four languages, and the look-alike topics."""

from __future__ import annotations

import pytest

from extractors.relevance import assess_relevance

RELEVANT = [
    ("en", "Police dismantle trafficking ring", "Investigators said the human trafficking ring forced women "
           "into sexual exploitation and men into forced labour on farms."),
    ("es", "Desarticulan red de trata", "La red de trata de personas captaba mujeres con fines de explotación "
           "sexual, informó la fiscalía."),
    ("fr", "Démantèlement d'un réseau", "Le réseau de traite des êtres humains soumettait des jeunes femmes à "
           "l'exploitation sexuelle, selon les enquêteurs."),
    ("pt", "Rede desmantelada", "A rede de tráfico de pessoas aliciava jovens para exploração sexual e "
           "trabalho forçado, disse a polícia."),
]
IRRELEVANT = [
    ("en", "Cartel leader extradited", "The drug trafficking cartel moved cocaine through the port; drug "
           "traffickers were arrested."),
    ("es", "Cae banda de narcotráfico", "La banda dedicada al tráfico de drogas y al tráfico de armas fue "
           "desarticulada."),
    ("fr", "Trafic d'armes au port", "Le trafic d'armes et de munitions alimente les gangs, selon les douanes."),
    ("pt", "Trânsito caótico na capital", "O trânsito parou a cidade durante o jogo de futebol."),
    ("en", "Copper output falls", "The miner produced fewer tonnes of copper this year."),
    ("es", "Tráfico de migrantes en la frontera", "Detuvieron a coyotes por tráfico ilícito de migrantes."),
]


@pytest.mark.parametrize(("lang", "title", "text"), RELEVANT)
def test_relevant(lang: str, title: str, text: str) -> None:
    result = assess_relevance(title, text, lang)
    assert result.relevant and result.terms and 0 < result.score <= 1


@pytest.mark.parametrize(("lang", "title", "text"), IRRELEVANT)
def test_not_relevant(lang: str, title: str, text: str) -> None:
    assert not assess_relevance(title, text, lang).relevant


@pytest.mark.parametrize(("lang", "title", "text"), RELEVANT)
def test_missing_or_wrong_language(lang: str, title: str, text: str) -> None:
    assert assess_relevance(title, text, None).relevant
    assert assess_relevance(title, text, "de").relevant
    assert assess_relevance(title, text, "en" if lang != "en" else "es").relevant


def test_empty() -> None:
    assert assess_relevance(None, "", None).relevant is False
