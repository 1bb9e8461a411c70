"""Find numbers written in digits or in words, with their offsets and values.

Digit groups are read with the article language's decimal separator, but a
separator followed by exactly three digits is a thousands separator in every
language we read (a count of people never has three decimals), so
``7,000``, ``7.000``, ``7 000`` and ``7\u202f000`` all read 7000 whatever the
language. Number words come from the lexicon and are valued by ``text2num``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from extractors.lexicon import Lexicon, fold

_SPACES = " \u00a0\u202f\u2009"
_DIGITS = re.compile(
    r"(\d(?<![\w\-/+.,]\d)(?:\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)|\d*(?:[.,]\d+)*))"
    r"(?![\w\-/\u00b0%]|[.,]\d)"
)
_YEARISH = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int  # end of the whole mention, scale word included
    value: float
    text: str
    words: bool  # written in words
    yearish: bool  # a bare 19xx/20xx token: more likely a year than a count

    @property
    def is_integer(self) -> bool:
        return float(self.value).is_integer()


def parse_digits(raw: str, decimal_separator: str = ".", scaled: bool = False) -> float | None:
    """Value of a digit group such as ``7,000``, ``27,6`` or ``1 200``; ``None`` if malformed.

    ``scaled`` says a scale word follows ("1,325 millones"): then a lone separator
    is the language's decimal separator even before three digits.
    """
    raw = raw.strip()
    if not raw or not raw[0].isdigit():
        return None
    if any(s in raw for s in _SPACES):
        parts = re.split(f"[{_SPACES}]", raw)
        return float("".join(parts)) if all(p.isdigit() for p in parts) else None
    seps = [c for c in raw if c in ".,"]
    if not seps:
        return float(raw)
    if len(set(seps)) == 2:  # "1.234,5" or "1,234.5": the last one is the decimal mark
        dec = seps[-1]
        group = "," if dec == "." else "."
        whole, _, frac = raw.rpartition(dec)
        return _join(whole.split(group), frac)
    sep = seps[0]
    groups = raw.split(sep)
    if len(groups) > 2:  # "5.123.456": the repeated mark groups thousands
        return _join(groups, "") if all(len(g) == 3 for g in groups[1:]) else None
    head, tail = groups
    if scaled and sep == decimal_separator:
        return _join([head], tail)
    if len(tail) == 3:
        return _join([head, tail], "")
    return _join([head], tail)


def _join(groups: list[str], frac: str) -> float | None:
    whole = "".join(groups)
    if not whole.isdigit() or (frac and not frac.isdigit()):
        return None
    return float(f"{whole}.{frac}") if frac else float(whole)


def find_numbers(text: str, lexicon: Lexicon, folded: str | None = None) -> list[NumberMention]:
    """Every number in ``text``, in order; never raises."""
    folded = fold(text) if folded is None else folded
    out = [m for m in _digit_mentions(text, folded, lexicon)]
    taken = [(m.start, m.end) for m in out]
    for m in _word_mentions(text, folded, lexicon):
        if not any(s < m.end and m.start < e for s, e in taken):
            out.append(m)
    out.sort(key=lambda m: m.start)
    return out


def _digit_mentions(text: str, folded: str, lexicon: Lexicon) -> list[NumberMention]:
    out: list[NumberMention] = []
    for m in _DIGITS.finditer(text):
        raw = m.group(1)
        if len(raw) > 1 and raw[0] == "0" and raw[1].isdigit():
            continue  # area codes, zero-padded references
        scale = lexicon.scales_after.match(folded, m.end())
        value = parse_digits(raw, lexicon.decimal_separator, scaled=scale is not None)
        if value is None:
            continue
        end = m.end()
        if scale is not None:
            value = round(value * lexicon.scale_values.get(_squash(scale.group(1)), 1))
            end = scale.end()
        yearish = scale is None and _YEARISH.fullmatch(raw) is not None
        out.append(NumberMention(m.start(), end, value, text[m.start() : end], False, yearish))
    return out


def _squash(s: str) -> str:
    return " ".join(s.replace("-", " ").split())


def _word_mentions(text: str, folded: str, lexicon: Lexicon) -> list[NumberMention]:
    out: list[NumberMention] = []
    for m in lexicon.number_words.finditer(folded):
        for start, end in _valid_runs(text, folded, m.start(), m.end(), lexicon):
            mention = _word_mention(text, folded, start, end, lexicon)
            if mention is not None:
                out.append(mention)
    return out


def _valid_runs(
    text: str, folded: str, start: int, end: int, lexicon: Lexicon
) -> list[tuple[int, int]]:
    """The run itself, or its pieces between connectors when it does not read as one number
    ("between six and ten")."""
    words = _squash(folded[start:end]).split(" ")
    if len(words) == 1 or _value_of_words(text[start:end], words, lexicon) is not None:
        return [(start, end)]
    connectors = lexicon.data.get("numbers", {}).get("connectors", [])
    pieces: list[tuple[int, int]] = []
    piece: tuple[int, int] | None = None
    for tok in re.finditer(r"[a-z]+", folded[start:end]):
        t_start, t_end = start + tok.start(), start + tok.end()
        if tok.group(0) in connectors:
            if piece:
                pieces.append(piece)
            piece = None
        else:
            piece = (piece[0], t_end) if piece else (t_start, t_end)
    if piece:
        pieces.append(piece)
    return pieces if len(pieces) > 1 else []


def _word_mention(
    text: str, folded: str, start: int, end: int, lexicon: Lexicon
) -> NumberMention | None:
    words = _squash(folded[start:end]).split(" ")
    value = _value_of_words(text[start:end], words, lexicon)
    article = _article_before(folded, start, lexicon)
    first = words[0]
    if article is not None and (first in lexicon.collectives or first in lexicon.scale_values):
        start = article
    elif words == [first] and first in lexicon.articles:
        return None  # "un", "una", "one": an article or a pronoun, not a count
    if value is None or value <= 0:
        return None
    return NumberMention(start, end, value, text[start:end], True, False)


def _article_before(folded: str, start: int, lexicon: Lexicon) -> int | None:
    m = re.search(r"([a-z]+)\s+$", folded[max(0, start - 8) : start])
    if m and m.group(1) in lexicon.articles:
        return start - len(m.group(0))
    return None


def _value_of_words(original: str, words: list[str], lexicon: Lexicon) -> float | None:
    if len(words) == 2 and words[0] in lexicon.articles:
        words = words[1:]  # "a dozen", "un millón"
    if len(words) == 1 and words[0] in lexicon.collectives:
        return float(lexicon.collectives[words[0]])
    if len(words) == 1 and words[0] in lexicon.scale_values:
        return float(lexicon.scale_values[words[0]])
    for candidate in (_squash(original), " ".join(words)):
        try:
            return float(text2num(candidate, lexicon.code))
        except (ValueError, TypeError, OverflowError):
            continue
    return None
