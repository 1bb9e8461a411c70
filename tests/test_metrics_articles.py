"""Whole mini-articles, two per language, with the boilerplate pages leave in extracted text.

Written for this test (stories and figures are invented, in the style of wire and regional
news) and annotated with the devset conventions (shared/devset/README.md): one row per
distinct stated count, the figure's own year else the publication year, the country whose
authorities or territory the figure describes, nothing from comments, related headlines,
"read more" lines or datelines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from extractors.metrics import extract_metrics
from extractors.relevance import assess_relevance

Row = tuple[str, int, str, str, int | None, str | None]


@dataclass(frozen=True)
class Case:
    lang: str
    published: date
    title: str
    text: str
    expected: frozenset[Row]


ARTICLES: dict[str, Case] = {
    "en-thailand-scam-compounds": Case(
        "en", date(2024, 9, 18), "Thailand rescues 68 trafficking victims from scam compounds",
        "Home | World | Asia\n"
        "BANGKOK, Sept 18 (Global Wire) - Thai authorities rescued 68 victims of human trafficking from online "
        "scam compounds near the border with Myanmar in August, the Department of Special Investigation said on "
        "Wednesday.\n"
        "Most of the victims were young men from Kenya and Ethiopia who had been lured with offers of "
        "customer-service jobs. Police arrested nine suspected recruiters, the agency added.\n"
        "Since January, investigators have opened 134 human trafficking investigations, more than in the whole "
        "of 2023.\n"
        "Read more: Cambodia deports 300 foreigners after raid on casino\n"
        "Comments (1)\n"
        "bkk_watcher said: 5 stars, keep reporting on this.",
        frozenset({
            ("victims_identified", 68, "persons", "exact", 2024, "THA"),
            ("arrests", 9, "persons", "exact", 2024, "THA"),
            ("investigations", 134, "cases", "exact", 2024, "THA"),
        }),
    ),
    "en-uk-referrals": Case(
        "en", date(2025, 1, 30), "Modern slavery referrals in the UK hit a new high",
        "LONDON - Police and charities in the UK referred 19,125 potential victims of modern slavery to the "
        "National Referral Mechanism in 2024, the Home Office said on Thursday.\n"
        "Albanian nationals made up the largest group of adult victims, followed by British and Vietnamese "
        "citizens.\n"
        "The Crown Prosecution Service charged 396 people with modern slavery offences in the same year. "
        "Campaigners said the number of convictions remained low.\n"
        "Related\n"
        "Gangmaster licence revoked after 40 workers found in caravans\n"
        "Most read: 7 things to know about the energy price cap",
        frozenset({
            ("victims_identified", 19125, "persons", "exact", 2024, "GBR"),
            ("prosecutions", 396, "persons", "exact", 2024, "GBR"),
        }),
    ),
    "es-peru-madre-de-dios": Case(
        "es", date(2024, 5, 14), "Rescatan a 42 víctimas de trata en campamentos mineros de Madre de Dios",
        "Policiales | Martes 14 de mayo de 2024\n"
        "La Policía Nacional del Perú rescató a 42 víctimas de trata de personas durante un operativo en "
        "campamentos mineros de Madre de Dios, informó el Ministerio del Interior. La mayoría eran adolescentes "
        "de origen boliviano. Los agentes capturaron a seis presuntos tratantes, que fueron puestos a "
        "disposición de la fiscalía.\n"
        "En lo que va del año, la fiscalía especializada ha recibido 310 denuncias por trata y explotación, "
        "frente a 280 en el mismo periodo de 2023.\n"
        "Lo más leído: Alianza Lima gana 3 a 1 y sigue puntero\n"
        "Comentarios (2) pepe_cusco dijo: En mi pueblo hay 4 bares así. Rosa1980 dijo: Que sigan los operativos.",
        frozenset({
            ("victims_identified", 42, "persons", "exact", 2024, "PER"),
            ("arrests", 6, "persons", "exact", 2024, "PER"),
            ("investigations", 310, "cases", "exact", 2024, "PER"),
            ("investigations", 280, "cases", "exact", 2023, "PER"),
        }),
    ),
    "es-colombia-aeropuertos": Case(
        "es", date(2023, 11, 2), "Colombia identificó 87 posibles víctimas de trata en sus aeropuertos",
        "Migración Colombia identificó a 87 posibles víctimas de trata en los aeropuertos del país entre enero y "
        "septiembre, según un balance divulgado este jueves.\n"
        "La entidad explicó que la mayoría eran mujeres jóvenes que viajaban con ofertas falsas de empleo hacia "
        "México y Turquía. En el mismo periodo, la Fiscalía imputó cargos a 23 personas por el delito de trata "
        "de personas.\n"
        "Además, las autoridades realizaron 150 jornadas de sensibilización en terminales de transporte y "
        "colegios de Bogotá, Cali y Medellín.\n"
        "Te puede interesar: Capturan a 12 integrantes de una banda de microtráfico en Soacha",
        frozenset({
            ("victims_identified", 87, "persons", "exact", 2023, "COL"),
            ("prosecutions", 23, "persons", "exact", 2023, "COL"),
            ("prevention_actions", 150, "actions", "exact", 2023, "COL"),
        }),
    ),
    "fr-cote-divoire-cacao": Case(
        "fr", date(2024, 10, 8), "Côte d'Ivoire : 118 enfants victimes de traite secourus dans des plantations",
        "Abidjan, 8 octobre 2024 - La police ivoirienne a secouru 118 enfants victimes de traite dans des "
        "plantations de cacao de l'ouest du pays, a annoncé mardi le Comité national de surveillance.\n"
        "Selon le comité, la plupart des enfants étaient originaires du Burkina Faso et du Mali. Quatorze "
        "trafiquants présumés ont été interpellés au cours de l'opération.\n"
        "Depuis le début de l'année, 52 procédures judiciaires ont été ouvertes pour traite des enfants en "
        "Côte d'Ivoire.\n"
        "Lire aussi : Au Ghana, 200 policiers formés contre la traite\n"
        "Commentaires (3)\n"
        "Koffi_225 a écrit : il faut 10 fois plus de contrôles sur les routes.",
        frozenset({
            ("victims_identified", 118, "persons", "exact", 2024, "CIV"),
            ("arrests", 14, "persons", "exact", 2024, "CIV"),
            ("investigations", 52, "cases", "exact", 2024, "CIV"),
        }),
    ),
    "fr-france-miprof": Case(
        "fr", date(2023, 6, 20), "Traite des êtres humains : 2 250 victimes recensées en France en 2022",
        "En 2022, les services de police et de gendarmerie ont enregistré 2 250 victimes de traite des êtres "
        "humains en France, selon le rapport annuel publié mardi par la mission interministérielle.\n"
        "Les victimes sont en majorité des femmes nigérianes, roumaines et chinoises exploitées dans la "
        "prostitution. Au cours de la même année, 1 107 personnes ont été interpellées pour des faits de traite "
        "ou d'exploitation.\n"
        "Les associations ont animé l'an dernier plus de 300 séances de sensibilisation dans les lycées.\n"
        "À lire aussi : Marseille, 3 proxénètes condamnés à 6 ans de prison\n"
        "Partager sur Facebook",
        frozenset({
            ("victims_identified", 2250, "persons", "exact", 2022, "FRA"),
            ("arrests", 1107, "persons", "exact", 2022, "FRA"),
            ("prevention_actions", 300, "actions", "more_than", 2022, "FRA"),
        }),
    ),
    "pt-brasil-resgates": Case(
        "pt", date(2024, 3, 5), "Brasil resgatou 3.190 trabalhadores em condições de escravidão em 2023",
        "O Ministério do Trabalho e Emprego resgatou 3.190 trabalhadores em condições análogas à escravidão em "
        "2023, o maior número desde 2009, informou o governo nesta terça-feira.\n"
        "A maioria dos resgatados atuava em lavouras de café e cana-de-açúcar em Minas Gerais e Goiás. Os "
        "auditores fiscais realizaram 598 ações de fiscalização no mesmo período.\n"
        "Leia também: Operação resgata 12 trabalhadores em carvoaria no Pará\n"
        "Comentários\n"
        "João_MG disse: 3 mil é pouco perto da realidade.",
        frozenset({
            ("victims_identified", 3190, "persons", "exact", 2023, "BRA"),
            ("prevention_actions", 598, "actions", "exact", 2023, "BRA"),
        }),
    ),
    "pt-portugal-observatorio": Case(
        "pt", date(2025, 2, 10), "Portugal registou 367 presumíveis vítimas de tráfico em 2024",
        "O Observatório do Tráfico de Seres Humanos registou 367 presumíveis vítimas de tráfico em Portugal em "
        "2024, mais do que as 290 sinalizadas em 2023.\n"
        "A maior parte das vítimas eram homens oriundos do Nepal, da Índia e de Marrocos, explorados na "
        "agricultura no Alentejo. No mesmo ano, a Polícia Judiciária deteve 41 suspeitos de tráfico de pessoas.\n"
        "Durante 2024, foram realizadas 75 ações de formação para inspetores e forças de segurança.\n"
        "Veja também: Benfica vence por 2-0 e isola-se na liderança",
        frozenset({
            ("victims_identified", 367, "persons", "exact", 2024, "PRT"),
            ("victims_identified", 290, "persons", "exact", 2023, "PRT"),
            ("arrests", 41, "persons", "exact", 2024, "PRT"),
            ("prevention_actions", 75, "actions", "exact", 2024, "PRT"),
        }),
    ),
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_facts(name: str) -> None:
    case = ARTICLES[name]
    assert assess_relevance(case.title, case.text, case.lang).relevant
    found = extract_metrics(case.text, language=case.lang, published=case.published, title=case.title)
    got = {(m.metric, m.value, m.unit, m.qualifier, m.year, m.country) for m in found}
    assert got == case.expected
    for m in found:
        assert case.text[m.start : m.end] == m.evidence
