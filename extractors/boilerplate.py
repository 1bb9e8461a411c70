"""Tell article prose from what pages leave around it: comments, "read more" boxes, off-topic asides.

Trafilatura keeps some boilerplate in the text (a comment section inside the same
table cell as the body, a "Lire aussi" line, a weather bar). Their numbers are
not facts, so the extractor reads only numbers outside the spans found here and
near the article's topic. The rules are about page structure, not wording:

- a comment section starts at a heading ("Comments (3)", "Comentarios") or at a
  reader's post ("lectora1962 dijo:", a handle followed by a speech verb and a
  colon with no quotation after it), runs to the end of its paragraph, and goes
  on through the following paragraphs that are posts too;
- a "read more" line is related-article material, and so are the headline-like
  lines (no closing punctuation) listed under a bare "Read more" heading;
- a figure needs topic vocabulary (trafficking, exploitation, victims...) in its
  own sentence or in the sentences around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from extractors.lexicon import alternation, fold, load
from extractors.sentences import Sentence

_QUOTES = "\"'\u201c\u201d\u00ab\u2018"
_HANDLE = re.compile(r"[\d_@]|[a-z\u00e0-\u00ff][A-Z]|[A-Z]\.$")
_CLOSED = re.compile(r"[.!?\u2026:;\"'\u201d\u00bb)]\s*$")
TOPIC_REACH = 2  # sentences either side of a figure where its topic may be named


@dataclass(frozen=True)
class _Patterns:
    heading: re.Pattern[str]  # at a sentence start
    post: re.Pattern[str]  # "<handle> <speech verb>:" not opening a quotation
    read_more: re.Pattern[str]  # at a sentence start
    topic: re.Pattern[str]


@cache
def _patterns(code: str) -> _Patterns:
    section = load(code).section("boilerplate")
    headings = alternation(section.get("comment_headings", []))
    verbs = alternation(section.get("speech_verbs", []))
    more = alternation(section.get("read_more", []))
    rel = load(code).section("relevance")
    topic = [*rel.get("topic", []), *rel.get("positive", []), *rel.get("weak", [])]
    return _Patterns(
        heading=re.compile(rf"(?:\d+\s+)?(?:{headings})(?=\s*\(\d+\)|\s*:|\s*$)"),
        post=re.compile(rf"(?<!\S)(\S+)\s+(?:{verbs})\s*:(?!\s*[{_QUOTES}])"),
        read_more=re.compile(rf"(?:{more})(?:\s*[:|\u00bb>\u2014\u2013-]|\s*$)"),
        topic=re.compile(alternation(topic)),
    )


def boiler_spans(text: str, sentences: Sequence[Sentence], code: str) -> list[tuple[int, int]]:
    """Character spans of comment sections and related-article material, in order."""
    folded = fold(text)
    pats = _patterns(code)
    spans: list[tuple[int, int]] = []
    in_comments = False
    in_related = False
    for para in _paragraphs(sentences):
        p_start, p_end = para[0].start, para[-1].end
        if in_comments and (pats.post.match(folded, p_start, p_end) or pats.heading.match(folded, p_start, p_end)):
            spans.append((p_start, p_end))
            continue
        in_comments = False
        if in_related and not _CLOSED.search(text, p_start, p_end):
            spans.append((p_start, p_end))
            continue
        in_related = False
        start = _comment_start(text, folded, para, pats)
        if start is not None:
            spans.append((start, p_end))
            in_comments = True
            continue
        for s in para:
            m = pats.read_more.match(folded, s.start, s.end)
            if m is not None:
                spans.append((s.start, s.end))
                in_related = len(para) == 1 and m.end() >= s.end - 1
    return spans


def _paragraphs(sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    out: list[list[Sentence]] = []
    for s in sentences:
        if out and out[-1][0].paragraph == s.paragraph:
            out[-1].append(s)
        else:
            out.append([s])
    return out


def _comment_start(text: str, folded: str, para: list[Sentence], pats: _Patterns) -> int | None:
    """Where a comment section starts in a paragraph: a heading at a sentence start or a handle's post."""
    for s in para:
        if pats.heading.match(folded, s.start, s.end):
            return s.start
    if folded.find(":", para[0].start, para[-1].end) < 0:
        return None  # no post without its colon; the post pattern is slow on plain prose
    for m in pats.post.finditer(folded, para[0].start, para[-1].end):
        if _HANDLE.search(text, m.start(1), m.end(1)):
            return m.start(1)
    return None


def topical(folded: str, sentences: Sequence[Sentence], code: str) -> set[int]:
    """Starts of the sentences that name the topic or have one within TOPIC_REACH sentences."""
    topic = _patterns(code).topic
    near: set[int] = set()
    for i, s in enumerate(sentences):
        if topic.search(folded, s.start, s.end) is not None:
            near.update(t.start for t in sentences[max(0, i - TOPIC_REACH) : i + TOPIC_REACH + 1])
    return near
