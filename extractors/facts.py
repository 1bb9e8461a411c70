"""Read counted facts out of one article: what a number counts, how exact, when and where.

The rules are language-agnostic; the words come from the lexicon. A number
becomes a fact only when it counts something the taxonomy knows: a noun right
after it (skipping a few modifiers: "202 new criminal human trafficking
cases"), or, for a bare number ("fell to 299", "the 528 recorded"), the noun
or fact it refers back to in the same sentence. Nouns that need context
(people, suspects, cases) take their metric from the nearest cue word.
Everything else (money, percentages, ages, prison terms, laws, dates, officials)
never reaches that point.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from extractors import countries as C
from extractors.lexicon import Lexicon, alternation, compile_phrases, group_of, load, relevance_hits
from extractors.numbers import NumberMention
from extractors.sentences import Sentence
from extractors.years import YearMention

FIXED = {
    "investigations": ("investigations", "cases"),
    "arrests": ("arrests", "persons"),
    "prosecutions": ("prosecutions", "cases"),
    "convictions": ("convictions", "cases"),
    "prevention_actions": ("prevention_actions", "actions"),
}
NEEDS_CUE = {
    "persons": ("victims_identified", "arrests", "prosecutions", "convictions"),
    "suspects": ("arrests", "prosecutions", "convictions"),
    "cases": ("investigations", "prosecutions", "convictions"),
}
UNIT_OF_CLASS = {"victims": "persons", "persons": "persons", "suspects": "persons", "cases": "cases"}
MILLION = 1_000_000  # no authority identifies a million victims: such counts are estimates
_CUE_REACH = 100
_BACK_REACH = 160
_MAX_MODIFIERS = 4
PEOPLE_CLASSES = frozenset({"victims", "persons", "suspects"})
_MODIFIER_GAP = 2  # characters between a counted noun and a cue that only describes it
_TOKEN = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*|\d+|[^\w\s]")
_PREV_WORD = re.compile(r"(\S+)\s*$")


@dataclass(frozen=True)
class Fact:
    metric: str
    value: int
    unit: str
    qualifier: str
    year: int | None
    country: str | None
    sentence: Sentence
    confidence: float


@dataclass(frozen=True)
class NounHit:
    cls: str
    start: int
    end: int


@dataclass
class Article:
    """Everything found once per article, shared by every sentence."""

    text: str
    folded: str
    lexicon: Lexicon
    sentences: Sequence[Sentence]
    numbers: Sequence[NumberMention]
    years: Sequence[YearMention]
    places: Sequence[C.CountryMention]
    published: date | None
    main_country: str | None
    zones: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # per sentence start: what falls inside it, found in one pass over the article
    places_in: dict[int, list[C.CountryMention]] = field(default_factory=dict)
    cues_in: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    numbers_in: dict[int, list[NumberMention]] = field(default_factory=dict)
    off_topic: set[int] = field(default_factory=set)
    multi_country: set[int] = field(default_factory=set)
    origin_in: dict[int, set[str]] = field(default_factory=dict)  # per sentence: origins named in it
    boiler: list[tuple[int, int]] = field(default_factory=list)  # comments, "read more" material
    topical: set[int] = field(default_factory=set)  # sentences with the topic named nearby
    paragraph_start: dict[int, int] = field(default_factory=dict)
    _by_start: dict[int, NumberMention] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)

    def owner(self, pos: int) -> int | None:
        """Start of the sentence holding ``pos`` (None between sentences)."""
        if not self._starts:
            self._starts = [s.start for s in self.sentences]
        i = bisect_right(self._starts, pos) - 1
        return self._starts[i] if i >= 0 and pos < self.sentences[i].end else None

    def number_at(self, pos: int) -> NumberMention | None:
        if not self._by_start:
            self._by_start = {n.start: n for n in self.numbers}
        return self._by_start.get(pos)

    def bucket(self) -> None:
        """Sort every mention into its sentence, once."""
        lex, folded = self.lexicon, self.folded
        owner = self.owner
        for s in reversed(self.sentences):
            self.paragraph_start[s.paragraph] = s.start

        for attr, items in (("places_in", self.places), ("numbers_in", self.numbers)):
            table: dict[int, list[Any]] = getattr(self, attr)
            for item in items:
                key = owner(item.start)
                if key is not None:
                    table.setdefault(key, []).append(item)
        negated = extra_words(lex).negated
        for sentence in self.sentences:
            if sentence.start not in self.numbers_in:
                continue  # cues only matter where there is something to count
            for m in lex.cues.finditer(folded, sentence.start, sentence.end):
                if not negated.search(folded, max(sentence.start, m.start() - 30), m.start()):
                    self.cues_in.setdefault(sentence.start, []).append((m.start(), m.end(), group_of(m)))
        topics: dict[str, set[int | None]] = {"positive": set(), "weak": set(), "negative": set()}
        for start, group, _ in relevance_hits(folded, lex.code):
            topics[group].add(owner(start))
        self.off_topic = {k for k in topics["negative"] - topics["positive"] if k is not None}
        multi = extra_words(lex).multi_country
        self.multi_country = {
            k for n in self.numbers if multi.match(folded, n.end) and (k := owner(n.start)) is not None
        }


@dataclass(frozen=True)
class _Extra:
    source_markers: re.Pattern[str]
    multi_country: re.Pattern[str]
    fraction_after: re.Pattern[str]
    fraction_before: re.Pattern[str]
    negated: re.Pattern[str]
    scale_link: re.Pattern[str]  # "de" in "27,6 millones de personas"
    range_next: re.Pattern[str]  # "to 25" in "from four to 25 years": the other end of a range
    backrefs: frozenset[str]  # "the", "los", "les": before a count already given, a back-reference
    origin_before: re.Pattern[str]  # "from", "de origen" right before a place: where people come from
    coordination: re.Pattern[str]  # ", " / " and the " between two places of one list


def extra_words(lexicon: Lexicon) -> _Extra:
    return _extra_for(lexicon.code)


@cache
def _extra_for(code: str) -> _Extra:
    lexicon = load(code)
    section = lexicon.section("countries")
    links = alternation(lexicon.section("distractors").get("fraction_links", []))
    small = rf"(?:\d{{1,3}}(?![\d.,])|{lexicon.number_words.pattern}|{alternation(lexicon.articles)})"
    return _Extra(
        compile_phrases(section.get("source_markers", [])),
        re.compile(r"\s+(?:" + compile_phrases(section.get("multi_country_nouns", [])).pattern + ")"),
        re.compile(rf"\s+(?:{links})\s+{small}"),
        re.compile(rf"{small}\s+(?:{links})\s+$"),
        re.compile(rf"(?:{alternation(lexicon.section('distractors').get('negations', []))})(?:[\s']+[\w\-]+){{0,2}}[\s']*$"),
        re.compile(rf"\s*(?:{alternation(lexicon.section('numbers').get('scale_links', []))})\s*"),
        re.compile(rf"\s+(?:{alternation(lexicon.section('distractors').get('range_links', []))})\s+(?=[\da-z])"),
        frozenset(lexicon.section("distractors").get("backref_determiners", [])),
        re.compile(rf"(?:{alternation(section.get('origin_markers', []))})\s+(?:[a-z]{{1,3}}\s+)?$"),
        re.compile(rf"(?:\s*,\s*|\s*,?\s+(?:{alternation(section.get('list_links', []))})\s+)"
                   r"(?:[a-z]{1,3}\s+)?"),
    )


def scan_noun(article: Article, pos: int, limit: int, scaled: bool = False) -> tuple[NounHit | None, bool]:
    """The counted noun after a number, and whether the number stands bare (elliptic).

    After a scale word the language's linking preposition belongs to the number
    ("27,6 millones de personas", "2 millions de victimes", "millions of people").
    """
    lex, folded = article.lexicon, article.folded
    if scaled and not lex.noun_gap.match(folded, pos + 1):
        link = extra_words(lex).scale_link.match(folded, pos, limit)
        if link is not None:
            pos = link.end()
    skipped = 0
    while skipped <= _MAX_MODIFIERS:
        while pos < limit and folded[pos].isspace():
            pos += 1
        if pos >= limit:
            return None, skipped == 0
        gap = lex.noun_gap.match(folded, pos)
        if gap is not None:
            pos = gap.end()
            continue
        noun = lex.nouns.match(folded, pos)
        if noun is not None and noun.end() <= limit:
            return NounHit(group_of(noun), noun.start(), noun.end()), False
        if lex.distractor_nouns.match(folded, pos):
            return None, False
        tok = _TOKEN.match(folded, pos)
        if tok is None:
            return None, False
        word = tok.group(0)
        if not word[0].isalpha():
            return None, skipped == 0 and not word[0].isdigit()
        if word in lex.stopwords or lex.cues.match(folded, pos):
            return None, skipped == 0
        skipped += 1
        pos = tok.end()
    return None, False


def nearest_cue(
    cues: Sequence[tuple[int, int, str]], span: tuple[int, int], allowed: Sequence[str]
) -> str | None:
    """The metric of the nearest cue; a cue glued right after the noun is a modifier.

    "detuvo a cinco personas acusadas de trata": "acusadas" describes the persons,
    the governing verb "detuvo" says what happened to them, so a participle or
    adjective right after the noun decides only when no other cue is in reach.
    """
    best: tuple[int, int, str] | None = None
    for c_start, c_end, metric in cues:
        if metric not in allowed or (c_start < span[1] and span[0] < c_end):
            continue
        dist = span[0] - c_end if c_end <= span[0] else c_start - span[1]
        rank = (int(0 <= c_start - span[1] <= _MODIFIER_GAP), dist)
        if dist <= _CUE_REACH and (best is None or rank < best[:2]):
            best = (*rank, metric)
    return None if best is None else best[2]


def resolve(
    cls: str, value: float, cues: Sequence[tuple[int, int, str]], span: tuple[int, int]
) -> tuple[str, str, float] | None:
    """(metric, unit, confidence) for a number counting a noun of class ``cls``."""
    outside = [c for c in cues if not (c[0] < span[1] and span[0] < c[1])]
    estimate = any(metric == "estimated_victims" for _, _, metric in outside)
    if cls in FIXED:
        metric, unit = FIXED[cls]
        return metric, unit, 0.9
    if cls == "victims":
        big = estimate or value >= MILLION
        return ("estimated_victims" if big else "victims_identified"), "persons", 0.9
    if cls == "persons" and estimate:
        return "estimated_victims", "persons", 0.8
    allowed = NEEDS_CUE.get(cls)
    if allowed is None:
        return None
    cued = nearest_cue(outside, span, allowed)
    if cued is None:
        return ("investigations", "cases", 0.7) if cls == "cases" else None
    if cued == "victims_identified" and value >= MILLION:
        cued = "estimated_victims"
    return cued, UNIT_OF_CLASS[cls], 0.85


def previous_word(folded: str, pos: int) -> str:
    m = _PREV_WORD.search(folded, max(0, pos - 24), pos)
    return "" if m is None else m.group(1).strip(".:#,;()")


def is_distractor(article: Article, n: NumberMention) -> bool:
    """Money, percentages, references (laws, articles, hotlines), dates and proportions."""
    lex, folded = article.lexicon, article.folded
    if lex.currency_before.search(folded, max(0, n.start - 6), n.start):
        return True
    if lex.percent_after.match(folded, n.end):
        return True
    prev = previous_word(folded, n.start)
    if prev in lex.reference_words or prev.replace(".", "") in lex.reference_words or prev in lex.months:
        return True
    nxt = _TOKEN.match(folded, n.end + 1) if n.end < len(folded) else None
    if nxt is not None and nxt.group(0) in lex.months:
        return True
    extra = extra_words(lex)
    if extra.fraction_after.match(folded, n.end):
        return True
    if extra.fraction_before.search(folded, max(0, n.start - 30), n.start) is not None:
        return True
    return _opens_range_of_distractors(article, n)


def _opens_range_of_distractors(article: Article, n: NumberMention) -> bool:
    """"from four to 25 years", "de 4 a 8 años", "entre cinq et dix ans": the first end of a
    range counts what the second counts, so a prison term stays a prison term at both ends."""
    link = extra_words(article.lexicon).range_next.match(article.folded, n.end)
    if link is None:
        return False
    other = article.number_at(link.end())
    if other is None:
        return False
    pos = other.end
    while pos < len(article.folded) and article.folded[pos].isspace():
        pos += 1
    lex = article.lexicon
    return bool(lex.distractor_nouns.match(article.folded, pos) or lex.percent_after.match(article.folded, other.end))


def is_back_reference(article: Article, n: NumberMention, q_start: int, given: set[float]) -> bool:
    """"the nine cases", "los nueve casos", "les neuf affaires": a definite determiner before a
    count the article already gave refers back to it; it is not a new fact."""
    return n.value in given and previous_word(article.folded, q_start) in extra_words(article.lexicon).backrefs


def qualifier_of(article: Article, start: int) -> tuple[str, int]:
    """The qualifier right before a number and where it starts ("more than 7,000")."""
    window_start = max(0, start - 32)
    m = article.lexicon.qualifier_tail.search(article.folded, window_start, start)
    if m is None:
        return "exact", start
    return group_of(m), m.start()
