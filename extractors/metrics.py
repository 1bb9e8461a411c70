"""Extract trafficking metrics (see docs/warehouse.md, table `metrics`) from article text.

Pure and fast: one pass of each precompiled regex over the article, then a few
dictionary probes per number. Safe on any text; the flow only calls it for
relevant articles, and sentences about drugs or arms are skipped anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors import countries as C
from extractors.boilerplate import boiler_spans, topical
from extractors.facts import (
    Article,
    Fact,
    NounHit,
    is_back_reference,
    is_distractor,
    previous_word,
    qualifier_of,
    resolve,
    scan_noun,
)
from extractors.lexicon import fold, group_of, guess_language, load
from extractors.placetime import country_of, origins, source_zones, year_of
from extractors.numbers import NumberMention, find_numbers
from extractors.sentences import Sentence, split_sentences
from extractors.years import find_years

EXTRACTOR_VERSION = "1.1.0"


@dataclass(frozen=True)
class Metric:
    metric: str  # victims_identified | arrests | investigations | prosecutions | convictions | prevention_actions | estimated_victims
    value: int
    unit: str  # persons | cases | actions
    qualifier: str  # exact | more_than | at_least | about | up_to | less_than
    year: int | None
    country: str | None  # ISO 3166-1 alpha-3, None for worldwide/regional
    evidence: str  # the sentence
    start: int  # character offsets of the evidence in the text
    end: int
    confidence: float


def extract_metrics(
    text: str, *, language: str | None, published: date | None, title: str | None = None
) -> list[Metric]:
    """One row per distinct fact (metric, value, year, country), in text order."""
    if not text or not text.strip():
        return []
    article = _prepare(text, language, published, title)
    body_start = headline_end(text, title)
    best: dict[tuple[str, int, int | None, str | None], Fact] = {}
    given: set[float] = set()  # values already stated as facts, for back-references
    for sentence in article.sentences:
        if sentence.end <= body_start:
            continue
        for fact in read_sentence(article, sentence, given):
            given.add(fact.value)
            key = (fact.metric, fact.value, fact.year, fact.country)
            if key not in best or fact.confidence > best[key].confidence:
                best[key] = fact
    facts = sorted(best.values(), key=lambda f: (f.sentence.start, f.metric))
    return [
        Metric(
            f.metric, f.value, f.unit, f.qualifier, f.year, f.country,
            text[f.sentence.start : f.sentence.end], f.sentence.start, f.sentence.end, f.confidence,
        )
        for f in facts
    ]


def headline_end(text: str, title: str | None) -> int:
    """Where the body starts when the text opens with the headline.

    A headline restates a fact of the body without its year or place
    ("Rescatan a 41 víctimas"), so reading it would add a second, vaguer copy.
    """
    if not title:
        return 0
    lead = len(text) - len(text.lstrip())
    line_end = text.find("\n", lead)
    line_end = len(text) if line_end < 0 else line_end
    first, head = fold(text[lead:line_end]).strip(), fold(title).strip()
    if len(head) >= 12 and (first == head or (len(first) >= 12 and (head.startswith(first) or first.startswith(head)))):
        return line_end
    return 0


def _prepare(text: str, language: str | None, published: date | None, title: str | None) -> Article:
    folded = fold(text)
    lexicon = load(guess_language(folded, language))
    sentences = split_sentences(text, lexicon.abbreviations)
    numbers = find_numbers(text, lexicon, folded)
    article = Article(text, folded, lexicon, sentences, numbers, [], [], published, None)
    counts = {n.start for n in numbers if n.yearish and _yearish_count(article, n)}
    article.numbers = [n for n in numbers if not n.yearish or n.start in counts]
    article.years = [y for y in find_years(folded, lexicon, published) if y.start not in counts]
    places = C.find_countries(text, folded, lexicon)
    origin = origins(article, places)
    article.places = [p for p in places if p not in origin]
    article.boiler = boiler_spans(text, sentences, lexicon.code)
    article.topical = topical(folded, sentences, lexicon.code)
    article.bucket()
    title_places = C.find_countries(title, fold(title), lexicon) if title else []
    body = []
    for s in sentences:
        zones = source_zones(article, s)
        body += [p for p in article.places_in.get(s.start, []) if not any(a <= p.start < b for a, b in zones)]
    article.main_country = C.main_country(body, title_places)
    for p in origin:
        key = article.owner(p.start)
        if key is not None:
            article.origin_in.setdefault(key, set()).add(p.code)
    return article


def _yearish_count(article: Article, n: NumberMention) -> bool:
    """A bare 19xx/20xx is a count only before a counted noun and not after "in", "en"..."""
    if previous_word(article.folded, n.start) in article.lexicon.year_prepositions:
        return False
    noun, _ = scan_noun(article, n.end, min(len(article.text), n.end + 80))
    return noun is not None


def read_sentence(article: Article, sentence: Sentence, given: set[float] | None = None) -> list[Fact]:
    """The facts of one sentence. ``given``: values the article already stated (back-references)."""
    if sentence.start in article.off_topic or sentence.start not in article.topical:
        return []  # drug or arms figures inside a trafficking story, or far from the topic
    numbers = article.numbers_in.get(sentence.start, [])
    starts = [n.start for n in numbers]
    cues = article.cues_in.get(sentence.start, [])
    facts: list[Fact] = []
    for n in numbers:
        if not n.is_integer or n.value < 1 or is_distractor(article, n):
            continue
        if any(a <= n.start < b for a, b in article.boiler):
            continue
        qualifier, q_start = qualifier_of(article, n.start)
        if given and is_back_reference(article, n, q_start, given):
            continue
        found = _classify(article, sentence, n, cues, facts)
        if found is None:
            continue
        metric, unit, confidence = found
        country, local = country_of(article, sentence, n)
        year = year_of(article, sentence, n, starts)
        facts.append(
            Fact(metric, int(n.value), unit, qualifier, year, country, sentence,
                 round(confidence if local else confidence - 0.1, 2))
        )
    return facts


def _classify(
    article: Article, sentence: Sentence, n: NumberMention, cues: list[tuple[int, int, str]], facts: list[Fact]
) -> tuple[str, str, float] | None:
    noun, bare = scan_noun(article, n.end, sentence.end, _scaled(article, n))
    if noun is not None:
        return resolve(noun.cls, n.value, cues, (n.start, noun.end))
    if not bare:
        return None
    lex, folded = article.lexicon, article.folded
    _, q_start = qualifier_of(article, n.start)
    lead = previous_word(folded, q_start)
    cue_after = next((c for c in cues if 0 <= c[0] - n.end <= 2), None)
    if lead not in lex.elliptic_leads and cue_after is None:
        return None
    if facts:  # "202 cases in 2023, one fewer than the 203 filed in 2022"
        last = facts[-1]
        metric = cue_after[2] if cue_after and cue_after[2] != "estimated_victims" else last.metric
        return metric, last.unit, 0.6
    for hit in _nouns_before(article, sentence, n.start):
        found = resolve(hit.cls, n.value, cues, (hit.start, hit.end))
        if found is not None:
            return found[0], found[1], 0.6
    return None


def _scaled(article: Article, n: NumberMention) -> bool:
    """Does the mention end with a scale word ("27,6 millones", "2 million")?"""
    last = article.folded[n.start : n.end].rsplit(None, 1)[-1]
    return last in article.lexicon.scale_values


def _nouns_before(article: Article, sentence: Sentence, pos: int) -> list[NounHit]:
    """Counted nouns earlier in the sentence, nearest first ("Investigations ... fell to 299")."""
    lo = max(sentence.start, pos - 160)
    hits = [
        NounHit(group_of(m), m.start(), m.end())
        for m in article.lexicon.nouns.finditer(article.folded, lo, pos)
    ]
    return list(reversed(hits))
