"""Per-language word lists (``extractors/lang/*.toml``), loaded once and compiled to regexes.

Every word the extractors react to lives in a TOML file, so supporting a fifth
language means adding a file, not code. Matching runs on *folded* text
(lowercase, accents removed, curly apostrophes straightened) that keeps the
offsets of the original, so one pass serves every lookup and evidence offsets
stay exact.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "\u2010": "-", "\u2011": "-"}


def _fold_table() -> dict[int, str]:
    """Map accented Latin letters to their base letter, one character for one."""
    table: dict[int, str] = {ord(k): v for k, v in _APOSTROPHES.items()}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii():
            table[code] = base
    table[ord("İ")] = "I"
    return table


_FOLD = _fold_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_FOLD)


@lru_cache(maxsize=32)
def fold(text: str) -> str:
    """Lowercase without accents, same length as ``text`` so offsets carry over.

    Only the non-ASCII runs go through the translation table: ``str.translate``
    looks every character up, and news text is more than 95% ASCII even in Spanish.
    """
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, ch.lower()) for ch in text))


_WORD_EDGE_L = r"(?<![a-z0-9])"
_WORD_EDGE_R = r"(?![a-z0-9])"


def phrase_pattern(entry: str) -> str:
    """Regex source for one lexicon entry: folded, spaces/hyphens flexible, ``*`` = prefix."""
    prefix = entry.endswith("*")
    words = re.split(r"[\s\-]+", fold(entry.rstrip("*")).strip())
    body = r"[\s\-]+".join(re.escape(w) for w in words if w)
    if prefix:
        body += r"[\w'\-]*"
    core = entry.rstrip("*")
    lead = _WORD_EDGE_L if core[:1].isalnum() else ""
    tail = _WORD_EDGE_R if core[-1:].isalnum() and not prefix else ""
    return lead + body + tail


_SEP, _STAR, _END, _OPEN, _NAME = "\x00sep", "\x00star", "\x00end", "\x00open", "\x00name"


def _units(entry: str) -> list[str]:
    core = fold(entry.rstrip("*")).strip()
    units: list[str] = []
    for i, word in enumerate(w for w in re.split(r"[\s\-]+", core) if w):
        if i:
            units.append(_SEP)
        units.extend(word)
    if entry.endswith("*"):
        units.append(_STAR)
    else:
        units.append(_END if core[-1:].isalnum() else _OPEN)
    return units


def _trie_source(entries: Iterable[tuple[str, str | None]], edge: bool = False) -> str:
    """A regex equivalent to the alternation of ``entries`` but shaped as a trie.

    Python's ``re`` tries alternatives one by one at every position; a trie fails
    after one character for almost every position, which makes scanning an
    article with hundreds of phrases ~20x faster. Longer continuations are tried
    before an entry ends, so the longest phrase wins. An entry may carry a group
    name: its end is then marked by an empty named group (see ``group_of``).
    """
    root: dict[str, Any] = {}
    counter = 0
    for entry, name in entries:
        node = root
        for unit in _units(entry):
            node = node.setdefault(unit, {})
        if name is not None and _NAME not in node:
            node[_NAME] = f"{name}__{counter}"
            counter += 1
    return _render(root, edge)


def _render(node: dict[str, Any], edge: bool = False) -> str:
    """Regex for a trie node. ``edge`` (root only): each entry must start a word. The check
    comes after the first character so the pattern still starts with literals, which lets
    ``re`` skip quickly to candidate positions."""
    alts: list[str] = []
    tails: list[str] = []
    for unit, child in node.items():
        if unit == _NAME:
            continue
        mark = f"(?P<{child[_NAME]}>)" if _NAME in child else ""
        if unit == _STAR:
            tails.append(r"[\w'\-]*" + mark)
        elif unit == _END:
            tails.append(r"(?![a-z0-9])" + mark)
        elif unit == _OPEN:
            tails.append(mark)
        elif unit == _SEP:
            alts.append(r"[\s\-]+" + _render(child))
        else:
            alts.append(re.escape(unit) + (r"(?<![a-z0-9].)" if edge else "") + _render(child))
    options = alts + tails
    if not options:
        return ""
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def alternation(entries: Iterable[str]) -> str:
    """Regex source matching any entry (longest first), as a trie."""
    return _named_trie((e, None) for e in entries)


def _named_trie(entries: Iterable[tuple[str, str | None]]) -> str:
    items = [(e, n) for e, n in entries if e.strip()]
    words = [(e, n) for e, n in items if fold(e)[:1].isalnum()]
    others = [(e, n) for e, n in items if not fold(e)[:1].isalnum()]
    parts = []
    if words:
        parts.append(_trie_source(words, edge=True))
    if others:
        parts.append(_trie_source(others))
    return "|".join(f"(?:{p})" for p in parts) or r"(?!x)x"


def compile_phrases(entries: Iterable[str]) -> re.Pattern[str]:
    return re.compile(alternation(entries))


def compile_classes(classes: Mapping[str, Iterable[str]]) -> re.Pattern[str]:
    """One regex for all classes; ``group_of(match)`` tells which class matched.

    Classes share one trie so the longest phrase wins across classes too
    ("processos-crime" over "processos").
    """
    return re.compile(_named_trie((e, name) for name, entries in classes.items() for e in entries))


def group_of(match: re.Match[str]) -> str:
    """The class of a ``compile_classes`` match (or the group name of a plain named group)."""
    name = match.lastgroup
    if name is None:  # pragma: no cover - every alternative ends in a named group
        raise ValueError("unnamed match")
    return name.rsplit("__", 1)[0]


@dataclass(frozen=True)
class Lexicon:
    """A language's words plus the regexes compiled from them."""

    code: str
    data: Mapping[str, Any]
    decimal_separator: str
    abbreviations: frozenset[str]
    stopwords: frozenset[str]
    nouns: re.Pattern[str]  # named groups: noun classes
    cues: re.Pattern[str]  # named groups: metrics
    qualifier_tail: re.Pattern[str]  # named groups: qualifiers, anchored at the end of a window
    relative_years: re.Pattern[str]
    relative_offsets: Mapping[str, int]
    same_period: re.Pattern[str]
    year_prepositions: frozenset[str]
    since: re.Pattern[str]
    comparisons: re.Pattern[str]  # "compared with", "frente a": the year after one is the other side
    ranges: tuple[tuple[frozenset[str], re.Pattern[str]], ...]  # (opening words, "YEAR and YEAR")
    reference_words: frozenset[str]
    elliptic_leads: frozenset[str]
    months: frozenset[str]
    percent_after: re.Pattern[str]
    currency_before: re.Pattern[str]
    distractor_nouns: re.Pattern[str]
    noun_gap: re.Pattern[str]
    scales_after: re.Pattern[str]
    scale_values: Mapping[str, int]
    number_words: re.Pattern[str]
    articles: frozenset[str]
    collectives: Mapping[str, int]
    relevance: re.Pattern[str]  # named groups: positive, weak, negative

    def section(self, *path: str) -> Any:
        node: Any = self.data
        for key in path:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return node


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _word_set(value: Any) -> frozenset[str]:
    return frozenset(fold(v) for v in _strs(value))


def _number_words_regex(words: list[str], connectors: list[str], extra: list[str]) -> re.Pattern[str]:
    """Runs of number words ("twenty-one", "vinte e um", "cent mille"), not compound adjectives."""
    word = alternation(words + extra)
    conn = alternation(connectors)
    run = rf"(?:{word})(?:(?:[\s\-]+|\s+(?:{conn})\s+)(?:{word}))*"
    return re.compile(rf"{_WORD_EDGE_L}{run}(?!-[a-z]){_WORD_EDGE_R}")


def _build(code: str, data: Mapping[str, Any]) -> Lexicon:
    qual = data.get("qualifiers", {})
    years = data.get("years", {})
    dis = data.get("distractors", {})
    num = data.get("numbers", {})
    rel = data.get("relevance", {})
    relative = {fold(k): int(v) for k, v in years.get("relative", {}).items()}
    scales = {fold(k): int(v) for k, v in num.get("scales", {}).items()}
    collectives = {fold(k): int(v) for k, v in num.get("collectives", {}).items()}
    pairs = [(fold(a), fold(b)) for a, b in years.get("ranges", [])]
    ranges = tuple(
        (frozenset({a}), re.compile(rf"((?:19|20)\d\d)\s+{phrase_pattern(b)}\s+((?:19|20)\d\d)"))
        for a, b in pairs
    )
    qualifier_tail = re.compile(
        "|".join(f"(?P<{name}>(?:{alternation(_strs(v))}))\\s*$" for name, v in qual.items()) or r"(?!x)x"
    )
    return Lexicon(
        code=code,
        data=data,
        decimal_separator=str(data.get("decimal_separator", ".")),
        abbreviations=_word_set(data.get("abbreviations")),
        stopwords=_word_set(data.get("stopwords")),
        nouns=compile_classes({k: _strs(v) for k, v in data.get("nouns", {}).items()}),
        cues=compile_classes({k: _strs(v) for k, v in data.get("cues", {}).items()}),
        qualifier_tail=qualifier_tail,
        relative_years=compile_phrases(relative),
        relative_offsets=relative,
        same_period=compile_phrases(_strs(years.get("same_period"))),
        year_prepositions=_word_set(years.get("prepositions")),
        since=re.compile(rf"(?:{alternation(_strs(years.get('since')))})\s+$"),
        comparisons=compile_phrases(_strs(years.get("comparisons"))),
        ranges=ranges,
        reference_words=_word_set(dis.get("reference_words")),
        elliptic_leads=_word_set(dis.get("elliptic_leads")),
        months=_word_set(data.get("months")),
        percent_after=re.compile(rf"\s*(?:{alternation(_strs(dis.get('percent_words')))})"),
        currency_before=re.compile(rf"(?:{alternation(_strs(dis.get('currency_words')))})\s*$"),
        distractor_nouns=compile_phrases(_strs(dis.get("nouns"))),
        noun_gap=compile_phrases(_strs(dis.get("noun_gap_phrases"))),
        scales_after=re.compile(rf"[\s\u00a0\u202f]+({alternation(scales)})"),
        scale_values=scales,
        number_words=_number_words_regex(
            _strs(num.get("words")), _strs(num.get("connectors")), list(collectives)
        ),
        articles=_word_set(num.get("articles")),
        collectives=collectives,
        relevance=compile_classes({k: _strs(rel.get(k)) for k in ("positive", "weak", "negative")}),
    )


@lru_cache(maxsize=32)
def relevance_hits(folded: str, code: str) -> tuple[tuple[int, str, str], ...]:
    """(offset, class, phrase) of every relevance phrase; shared by the relevance
    classifier and the metric extractor, which see the same text one after the other."""
    return tuple(
        (m.start(), group_of(m), " ".join(m.group(0).replace("-", " ").split()))
        for m in load(code).relevance.finditer(folded)
    )


@cache
def available_languages() -> tuple[str, ...]:
    """Language codes that have a lexicon file, in a stable order."""
    folder = resources.files("extractors.lang")
    names = [p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")]
    return tuple(sorted(names))


@cache
def load(code: str) -> Lexicon:
    """The compiled lexicon for ``code`` (``KeyError`` when there is no file for it)."""
    if code not in available_languages():
        raise KeyError(code)
    raw = resources.files("extractors.lang").joinpath(f"{code}.toml").read_text(encoding="utf-8")
    return _build(code, tomllib.loads(raw))


def normalise_code(language: str | None) -> str | None:
    """``"pt-BR"`` -> ``"pt"``; ``None`` for unknown or missing codes."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in available_languages() else None


_TOKEN = re.compile(r"[a-z]+")


@lru_cache(maxsize=32)
def guess_language(folded: str, hint: str | None) -> str:
    """The hinted language unless the text's function words clearly belong to another one.

    Feeds and pages mislabel languages often enough that trusting a hint blindly
    would run Spanish text through English triggers.
    """
    counts = Counter(_TOKEN.findall(folded[:1500]))
    scores = {
        code: sum(counts[t] for t in counts.keys() & load(code).stopwords) for code in available_languages()
    }
    best = max(scores, key=lambda c: (scores[c], c == hint))
    code = normalise_code(hint)
    if code is not None and scores[code] * 2 >= scores[best]:
        return code
    return best
