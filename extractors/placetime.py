"""Where and when a fact is: its country and its year, read from the sentence and its article.

Split from ``extractors.facts`` (which decides what a number counts). The country
is the one whose authorities or territory the figure describes: named in the
sentence (the article's main country first), else the paragraph's, else the
article's; worldwide and multi-country figures have none, and places naming a
source ("according to the US State Department") or an origin ("women from Latin
America") never decide. The year is the number's own, else its paragraph's frame,
else the publication year.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors import countries as C
from extractors.facts import PEOPLE_CLASSES, Article, extra_words, previous_word
from extractors.lexicon import group_of
from extractors.numbers import NumberMention
from extractors.sentences import Sentence
from extractors.years import attach_year


def source_zones(article: Article, sentence: Sentence) -> list[tuple[int, int]]:
    """Spans naming a figure's source ("according to the US State Department")."""
    cached = article.zones.get(sentence.start)
    if cached is not None:
        return cached
    zones = []
    for m in extra_words(article.lexicon).source_markers.finditer(article.folded, sentence.start, sentence.end):
        if m.start() - sentence.start <= 2:  # fronted: "According to X, ..."
            comma = article.folded.find(",", m.end(), sentence.end)
            zones.append((m.start(), comma if comma >= 0 else sentence.end))
        else:
            zones.append((m.start(), sentence.end))
    article.zones[sentence.start] = zones
    return zones


def origins(article: Article, places: Sequence[C.CountryMention]) -> list[C.CountryMention]:
    """The places that only say where people come from or are taken, coordinated lists included
    ("oriundos do Nepal, da Índia e de Marrocos", "nigérianes, roumaines et chinoises")."""
    out: list[C.CountryMention] = []
    coordination = extra_words(article.lexicon).coordination
    for place in places:
        if is_origin(article, place) or (
            out and coordination.fullmatch(article.folded, out[-1].end, place.start) is not None
        ):
            out.append(place)
    return out


def is_origin(article: Article, place: C.CountryMention) -> bool:
    """A place or nationality that says where people come from or are taken ("women from Latin
    America", "de origen venezolano", "hacia México", "femmes nigérianes", "Nigerian women"),
    not whose figure it is."""
    lex, folded = article.lexicon, article.folded
    if extra_words(lex).origin_before.search(folded, max(0, place.start - 30), place.start):
        return True
    if place.code.startswith("@"):
        return False
    pos = place.end
    while pos < len(folded) and folded[pos] == " ":
        pos += 1
    after = lex.nouns.match(folded, pos)
    if after is not None and group_of(after) in PEOPLE_CLASSES:
        return True
    before = lex.nouns.fullmatch(previous_word(folded, place.start))
    return before is not None and group_of(before) in PEOPLE_CLASSES


def year_of(article: Article, sentence: Sentence, n: NumberMention, following: Sequence[int]) -> int | None:
    """The number's own year; else the year its paragraph has been talking about; else publication.

    A paragraph keeps its time frame ("During 2024, 1,212 victims were assisted. Prosecutors
    opened 640 investigations."), but calendar dates (datelines) do not set one.
    """
    found = attach_year(n.start, n.end, article.years, following, (sentence.start, sentence.end))
    if found is not None:
        return found.year
    if _same_period(article, sentence):
        earlier = [y for y in article.years if y.end <= sentence.start and y.compared_from is None]
        if earlier:
            return earlier[-1].year
    para_start = article.paragraph_start.get(sentence.paragraph, sentence.start)
    framing = [
        y for y in article.years
        if para_start <= y.start < sentence.start and not y.dated and y.compared_from is None
    ]
    if framing:
        return framing[-1].year
    return article.published.year if article.published else None


def _same_period(article: Article, sentence: Sentence) -> bool:
    """"In the same period": the figure shares the year of the one before, unless the phrase is
    the other side of a comparison ("similar to the same period of 2024")."""
    lex, folded = article.lexicon, article.folded
    for m in lex.same_period.finditer(folded, sentence.start, sentence.end):
        if not lex.comparisons.search(folded, max(sentence.start, m.start() - 30), m.start()):
            return True
    return False


def country_of(article: Article, sentence: Sentence, n: NumberMention) -> tuple[str | None, bool]:
    """(country, found in the sentence itself). Worldwide and multi-country figures give None.

    Origins ("women from Latin America", "mujeres venezolanas") never name the figure's
    country: they are left out of the article's places, and may only confirm its main country.
    """
    in_sentence = article.places_in.get(sentence.start, [])
    if sentence.start in article.multi_country or any(p.code == C.WORLD for p in in_sentence):
        return None, True
    if article.main_country in article.origin_in.get(sentence.start, ()):
        return article.main_country, True  # "38 Mozambican victims found in South Africa", in Mozambique's news
    zones = source_zones(article, sentence)
    local = [p for p in in_sentence if not any(a <= p.start < b for a, b in zones)]
    codes = [article.main_country if p.code == C.ANAPHORA else p.code for p in local]
    named = [(p, c) for p, c in zip(local, codes, strict=True) if c and not c.startswith("@")]
    if named:
        if article.main_country in {c for _, c in named}:
            return article.main_country, True
        return min(named, key=lambda pc: abs(pc[0].start - n.start))[1], True
    if any(p.code == C.REGION for p in local):
        return None, True
    same_para = [
        p.code
        for s in article.sentences
        if s.paragraph == sentence.paragraph
        for p in article.places_in.get(s.start, [])
        if not p.code.startswith("@")
    ]
    if same_para and article.main_country not in same_para:
        return same_para[-1], False
    return article.main_country, False
