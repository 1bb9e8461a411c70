"""Decide whether an article is about human trafficking.

Counts specific phrases ("trafficking in persons", "trata de personas", "travail
forcé") against phrases of the look-alike topics (drug and arms trafficking,
migrant smuggling, road traffic). The title counts twice. Bare "trafficking"
or "tráfico" decides nothing: it is exactly the word the look-alikes share.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from extractors.lexicon import Lexicon, available_languages, fold, guess_language, load, relevance_hits

_TITLE_WEIGHT = 2
_WEAK_WEIGHT = 0.5
_THRESHOLD = 2.0


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    terms: tuple[str, ...]  # the terms that decided it, for auditing


def _judge(lexicons: list[Lexicon], title: str, body: str) -> tuple[float, float, Counter[str], Counter[str]]:
    found: dict[str, Counter[str]] = {"positive": Counter(), "weak": Counter(), "negative": Counter()}
    for lex in lexicons:
        for weight, text in ((_TITLE_WEIGHT, title), (1, body)):
            for _, group, phrase in relevance_hits(text, lex.code):
                found[group][phrase] += weight
    pos = sum(found["positive"].values()) + _WEAK_WEIGHT * sum(found["weak"].values())
    return pos, float(sum(found["negative"].values())), found["positive"] + found["weak"], found["negative"]


def assess_relevance(title: str | None, text: str, language: str | None) -> Relevance:
    """Relevant when trafficking-in-persons phrases are frequent and outweigh the look-alikes.

    The article's own language is tried first; when it finds nothing (missing or
    wrong language tag) every lexicon is tried.
    """
    folded_title = fold(title or "")
    folded = fold(text or "")
    if not folded.strip() and not folded_title.strip():
        return Relevance(False, 0.0, ())
    code = guess_language(folded or folded_title, language)
    pos, neg, pos_terms, neg_terms = _judge([load(code)], folded_title, folded)
    if sum(pos_terms.values()) == 0:
        pos, neg, pos_terms, neg_terms = _judge(
            [load(c) for c in available_languages()], folded_title, folded
        )
    relevant = pos >= _THRESHOLD and pos > neg
    score = round(pos / (pos + neg + 1.0), 3)
    deciding = pos_terms if relevant else (neg_terms or pos_terms)
    terms = tuple(t for t, _ in deciding.most_common(8))
    return Relevance(relevant, score, terms)
