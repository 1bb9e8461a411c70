"""Find the years a sentence talks about and attach the right one to each number.

A year is explicit ("in 2022", "fiscal year 2022", "2023-24" -> 2024, the end of a
financial year) or relative to the publication date ("last year", "el año
pasado"). Years after "since" or inside "between 2019 and 2021" frame a
comparison, not a figure, so they are kept out of the attachment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extractors.lexicon import Lexicon

# Not inside a token: "lectora1962", "user_2024" and "2024abc" are names, not years.
_EXPLICIT = re.compile(
    r"((?:1(?<![\w.,/\-]1)9|2(?<![\w.,/\-]2)0)\d\d)(?:\s*[-\u2013/]\s*(\d{4}|\d{2}))?(?![\w])(?!-\d)"
)
_FOLLOW_LIMIT = 120  # characters: a year further after a number usually belongs to another clause
_COMPARISON_REACH = 60  # characters from a comparison word ("similar to", "frente a") to its year
_DATE_REACH = 20  # characters before a year where a month makes it a calendar date


@dataclass(frozen=True)
class YearMention:
    start: int
    end: int
    year: int
    relative: bool = False
    compared_from: int | None = None  # where the comparison naming this year starts ("compared with 2022")
    dated: bool = False  # part of a calendar date ("24 de febrero de 2025"), often a dateline


def find_years(folded: str, lexicon: Lexicon, published: date | None) -> list[YearMention]:
    """Year mentions usable as reference years, in order (offsets into the folded text)."""
    excluded: set[int] = set()
    for openers, pattern in lexicon.ranges:
        for m in pattern.finditer(folded):
            before = folded[max(0, m.start() - 16) : m.start()].split()
            if before and before[-1] in openers:
                excluded.update({m.start(1), m.start(2)})
    out: list[YearMention] = []
    compared = [c.start() for c in lexicon.comparisons.finditer(folded)]
    for m in _EXPLICIT.finditer(folded):
        if m.start(1) in excluded or lexicon.since.search(folded, max(0, m.start() - 25), m.start()):
            continue
        year = _explicit_year(m.group(1), m.group(2))
        if year is not None:
            source = max((c for c in compared if 0 < m.start() - c <= _COMPARISON_REACH), default=None)
            before = folded[max(0, m.start() - _DATE_REACH) : m.start()].replace(",", " ").split()
            dated = any(w in lexicon.months for w in before[-3:])
            out.append(YearMention(m.start(), m.end(), year, compared_from=source, dated=dated))
    if published is not None:
        for m in lexicon.relative_years.finditer(folded):
            offset = lexicon.relative_offsets.get(_squash(m.group(0)))
            if offset is not None:
                out.append(YearMention(m.start(), m.end(), published.year + offset, relative=True))
    out.sort(key=lambda y: y.start)
    return out


def _squash(s: str) -> str:
    return " ".join(s.replace("-", " ").split())


def _explicit_year(first: str, second: str | None) -> int | None:
    """``2023`` -> 2023; ``2023-24`` / ``2023/2024`` (a financial year) -> 2024; wider spans -> None."""
    start = int(first)
    if second is None:
        return start
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end == start + 1:
        return end
    return None if end > start else start


def attach_year(
    num_start: int,
    num_end: int,
    years: Sequence[YearMention],
    numbers_after: Sequence[int],
    sentence: tuple[int, int],
) -> YearMention | None:
    """The year a number refers to: the first one after it before the next number, else the
    nearest one before it, else any later one in the sentence.

    "ten victims in 2021, up from eight in 2020" gives ten -> 2021 and eight -> 2020;
    "from 578 in 2012 to 1,118 in fiscal year 2022" gives 578 -> 2012 and 1,118 -> 2022,
    which plain nearest-distance would get wrong. A year that a comparison introduces
    after the number ("112 cases, similar to the same period of 2024") is the other
    side of the comparison, never the number's own year.
    """
    s_start, s_end = sentence
    inside = [
        y for y in years
        if s_start <= y.start and y.end <= s_end and (y.compared_from is None or y.compared_from < num_start)
    ]
    next_number = min((n for n in numbers_after if n > num_end), default=s_end)
    for y in inside:
        if num_end <= y.start < min(next_number, num_end + _FOLLOW_LIMIT):
            return y
    before = [y for y in inside if y.end <= num_start]
    if before:
        return before[-1]
    after = [y for y in inside if y.start >= num_end]
    return after[0] if after else None
