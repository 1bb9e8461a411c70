"""From everything discovered to the articles a backfill fetches, and which records it keeps.

Dates are applied twice. Before fetching, a known publication date (feed item,
news sitemap) outside the window, or a `lastmod` before it, rules a page out
without a request. After extraction, the record's `published_at` (the page's
own date when the feed gave none) decides; a page with no date at all is not
loaded unless the user asked for undated pages, because "published in the
window" cannot be shown for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from extractors.article import ArticleRecord
from tipwatch.articles import NewItem
from tipwatch.discovery.sources import Found
from tipwatch.discovery.window import Window
from tipwatch.urls import InvalidURL, canonical_url

#: when several sources list one article, the richer one describes it
ORIGIN_RANK = {"feed": 0, "wayback": 1, "sitemap": 2, "list": 3}


@dataclass
class Selection:
    items: list[NewItem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # canonical URL -> origin
    found: Counter[str] = field(default_factory=Counter)  # origin -> distinct URLs
    outside: int = 0  # ruled out by a known date before fetching
    invalid: int = 0  # not a URL tipwatch can fetch


def _merge(a: Found, b: Found) -> Found:
    """`a` ranks first; `b` fills what `a` does not know."""
    return replace(
        a, published=a.published or b.published, lastmod=a.lastmod or b.lastmod,
        title=a.title or b.title, feed=a.feed or b.feed, language=a.language or b.language,
    )


def select(found: Iterable[Found], window: Window) -> Selection:
    """Deduplicate by canonical URL, drop what known dates place outside the window."""
    out = Selection()
    best: dict[str, Found] = {}
    for item in found:
        try:
            key = canonical_url(item.url)
        except InvalidURL:
            out.invalid += 1
            continue
        current = best.get(key)
        if current is None:
            best[key] = item
        elif ORIGIN_RANK[item.origin] < ORIGIN_RANK[current.origin]:
            best[key] = _merge(item, current)
        else:
            best[key] = _merge(current, item)
    for key, item in best.items():
        out.found[item.origin] += 1
        if item.published is not None and not window.contains(item.published):
            out.outside += 1
            continue
        if item.published is None and item.lastmod is not None and window.ended_before(item.lastmod):
            out.outside += 1
            continue
        out.origins[key] = item.origin
        out.items.append(NewItem(
            url=key, source_url=item.url, feed=item.feed, title=item.title,
            published=item.published, language=item.language,
        ))
    out.items.sort(key=lambda i: (i.published is None, i.published or window.start, i.url))
    return out


@dataclass
class WindowFilter:
    """Keeps records published in the window; counts the ones it drops (called in the flow body)."""

    window: Window
    keep_undated: bool = False
    outside: int = 0
    undated: int = 0

    def __call__(self, record: ArticleRecord) -> bool:
        if record.published_at is None:
            if self.keep_undated:
                return True
            self.undated += 1
            return False
        if self.window.contains(record.published_at):
            return True
        self.outside += 1
        return False
