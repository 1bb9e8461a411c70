"""Country mentions (names, demonyms, anaphora) and the country a figure belongs to.

Names come from pycountry and from CLDR territory names in each language (via
babel); demonyms, aliases, regions, worldwide phrases and anaphora ("the
Caribbean nation") come from the language files. All of them go into one
token-sequence gazetteer per language, built lazily once, so a lookup is a
dictionary probe per word and the longest phrase wins ("South Sudanese" over
"Sudanese", "Latin America" over "America").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import babel
import pycountry

from extractors.lexicon import Lexicon, alternation, fold, load

WORLD = "@world"
REGION = "@region"
ANAPHORA = "@anaphora"
_TOKEN = re.compile(r"[a-z0-9]+")
_MAX_LEN = 6


@dataclass(frozen=True)
class CountryMention:
    start: int
    end: int
    code: str  # ISO 3166-1 alpha-3, or WORLD / REGION / ANAPHORA


@dataclass(frozen=True)
class _Entry:
    code: str
    case: str  # "any" | "title" (capitalised in the text) | "upper" (an acronym, exact case)


@dataclass(frozen=True)
class Gazetteer:
    entries: Mapping[tuple[str, ...], tuple[_Entry, ...]]
    prefixes: frozenset[tuple[str, ...]]  # every leading part of every key, to stop early
    first_words: re.Pattern[str]  # finds the words that can start a key, skipping the rest fast


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


def _alpha3(alpha2: str) -> str | None:
    country = pycountry.countries.get(alpha_2=alpha2)
    return None if country is None else str(country.alpha_3)


def _cldr_names(locales: Iterable[str]) -> Iterable[tuple[str, str]]:
    for loc in locales:
        for code, name in babel.Locale.parse(loc).territories.items():
            if len(code) != 2 or not code.isalpha():
                continue
            alpha3 = _alpha3(code)
            if alpha3 is None:
                continue
            for part in re.split(r"\s+-\s+|[()]", name):
                if part.strip():
                    yield alpha3, part.strip()


def _pycountry_names() -> Iterable[tuple[str, str]]:
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            name = getattr(country, attr, None)
            if name and "," not in name:
                yield str(country.alpha_3), re.sub(r"\s*\(.*?\)", "", str(name))


def inflect(base: str, rules: Mapping[str, Sequence[str]]) -> list[str]:
    """Gender and number forms of a demonym from the language's suffix rules
    ("chileno" -> chilena, chilenos, chilenas; "sénégalais" -> sénégalaise...)."""
    for suffix in sorted(rules, key=len, reverse=True):
        if base.endswith(suffix):
            stem = base[: len(base) - len(suffix)]
            return [stem + form for form in rules[suffix]] or [base]
    return [base]


@cache
def gazetteer(code: str) -> Gazetteer:
    """The language's gazetteer, built on first use (a few tens of milliseconds)."""
    lexicon = load(code)
    section: Mapping[str, Any] = lexicon.section("countries")
    table: dict[tuple[str, ...], list[_Entry]] = {}

    def add(phrase: str, entry: _Entry) -> None:
        key = _tokens(phrase)
        if key and len(key) <= _MAX_LEN and entry not in table.setdefault(key, []):
            table[key].append(entry)

    for alpha3, name in _cldr_names(section.get("cldr_locales", [code])):
        add(name, _Entry(alpha3, "title"))
    if code == "en":
        for alpha3, name in _pycountry_names():
            add(name, _Entry(alpha3, "title"))
    for alpha3, names in section.get("names", {}).items():
        for name in names:
            add(name, _Entry(alpha3, "upper" if _is_acronym(name) else "title"))
    demonym_case = "title" if section.get("demonyms_capitalized") else "any"
    rules = section.get("inflections", {})
    for alpha3, value in section.get("demonyms", {}).items():
        forms = value if isinstance(value, list) else inflect(str(value), rules)
        for form in forms:
            add(form, _Entry(alpha3, demonym_case))
    for phrase in section.get("regions", []):
        add(phrase, _Entry(REGION, "any"))
    for phrase in section.get("worldwide", []):
        add(phrase, _Entry(WORLD, "any"))
    for phrase in section.get("anaphora", []):
        add(phrase, _Entry(ANAPHORA, "any"))
    frozen = {k: tuple(v) for k, v in table.items()}
    prefixes = frozenset(k[:i] for k in frozen for i in range(1, len(k) + 1))
    first = re.compile(alternation(sorted({k[0] for k in frozen})))
    return Gazetteer(frozen, prefixes, first)


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) <= 4 and all(c.isupper() for c in letters)


def _case_ok(original: str, case: str) -> bool:
    if case == "any":
        return True
    if case == "upper":
        return not any(c.islower() for c in original)
    return original[:1].isupper()


def find_countries(text: str, folded: str, lexicon: Lexicon) -> list[CountryMention]:
    """Every country-like mention in ``text`` (offsets shared with ``folded``)."""
    gaz = gazetteer(lexicon.code)
    out: list[CountryMention] = []
    resume = 0
    for m in gaz.first_words.finditer(folded):
        if m.start() < resume:
            continue
        hit = _longest_at(m, folded, text, gaz)
        if hit is not None:
            out.append(hit)
            resume = hit.end
    return out


def _longest_at(first: re.Match[str], folded: str, text: str, gaz: Gazetteer) -> CountryMention | None:
    """Longest gazetteer phrase starting at token ``first`` whose case fits the text."""
    key: tuple[str, ...] = ()
    best: CountryMention | None = None
    start, pos = first.start(), first.start()
    for _ in range(_MAX_LEN):
        tok = _TOKEN.search(folded, pos)
        if tok is None:
            break
        key = key + (tok.group(0),)
        if key not in gaz.prefixes:
            break
        for entry in gaz.entries.get(key, ()):
            if _case_ok(text[start : tok.end()], entry.case):
                best = CountryMention(start, tok.end(), entry.code)
                break
        pos = tok.end()
    return best


def main_country(mentions: Iterable[CountryMention], title_mentions: Iterable[CountryMention]) -> str | None:
    """The country an article is about: most mentioned, the title counting three times.

    A single passing mention in the body is not enough to make an article about a
    country when the article also talks about the world, a region or other countries
    (a global report that names one example country stays worldwide); when it is the
    only place a story names, the story is about it.
    """
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    wider = False  # a worldwide or regional mention
    for weight, group in ((3, title_mentions), (1, mentions)):
        for m in group:
            if m.code.startswith("@"):
                wider = wider or m.code in (WORLD, REGION)
                continue
            counts[m.code] += weight
            first_seen.setdefault(m.code, len(first_seen))
    if not counts:
        return None
    best = max(counts, key=lambda c: (counts[c], -first_seen[c]))
    if counts[best] >= 2 or (len(counts) == 1 and not wider):
        return best  # or the only place a purely national story names
    return None
