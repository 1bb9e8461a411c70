"""Split article text into paragraphs and sentences, keeping character offsets.

Offsets matter because every metric stores where its evidence sentence sits in
the article text. The splitter is deliberately simple (periods before a capital,
a digit or a quote, newlines, table-cell bars) and protected against the usual
false breaks: abbreviations from the lexicon, initials, decimals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_BREAK = re.compile(r"[.!?\u2026]+[\"'\u201d\u00bb)\]]*\s+(?=[\"'\u201c\u00ab(\[¿¡]?[A-Z0-9\u00c0-\u024f])")
_HARD = re.compile(r"\n\s*|\\?\|[ \t]?")
_PREV_WORD = re.compile(r"([\w.\u00ba\u00b0]+)[.!?\u2026]*$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


def _chunks(text: str) -> Iterable[tuple[int, int, int]]:
    """Paragraph-level spans: newlines and table bars are hard boundaries."""
    pos = 0
    para = 0
    for m in _HARD.finditer(text):
        if m.start() > pos:
            yield pos, m.start(), para
        if "\n" in m.group(0):
            para += 1
        pos = m.end()
    if pos < len(text):
        yield pos, len(text), para


def _is_false_break(text: str, chunk_start: int, dot: int, abbreviations: frozenset[str]) -> bool:
    word_match = _PREV_WORD.search(text, max(chunk_start, dot - 24), dot + 1)
    if word_match is None:
        return False
    word = word_match.group(1).rstrip(".").lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith", "U."
        return True
    return word in abbreviations


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences in order, with ``text[start:end]`` stripped of surrounding space."""
    out: list[Sentence] = []
    for c_start, c_end, para in _chunks(text):
        start = c_start
        for m in _BREAK.finditer(text, c_start, c_end):
            if _is_false_break(text, start, m.start(), abbreviations):
                continue
            end = m.end() - len(m.group(0)) + len(m.group(0).rstrip())
            _append(out, text, start, end, para)
            start = m.end()
        _append(out, text, start, c_end, para)
    return out


def _append(out: list[Sentence], text: str, start: int, end: int, para: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, para))
