"""The page metadata tipwatch keeps, from trafilatura's own metadata helpers.

`trafilatura.extract_metadata` fills every field of its Document, and on 300
real pages it cost 19 ms of the 62 ms a page took to extract: the categories,
tags and licence tipwatch never stores cost 8 ms of that, and the date search
5 ms more, wasted whenever the feed dates the item (the feed's date wins, see
`extractors.pages`). So this module asks the same helpers, in the same order,
for the fields tipwatch stores only, and gives the same values for them
(tests/test_pagemeta.py holds it to `extract_metadata` on varied pages).

It leans on trafilatura's metadata module, which is not a documented API;
trafilatura is pinned, and the equivalence test fails loudly if an upgrade
changes those helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params


@dataclass(frozen=True)
class PageMeta:
    title: str | None
    author: str | None
    site_name: str | None
    date: str | None  # htmldate's ISO date; None when not searched or not found


def page_metadata(
    tree: HtmlElement, url: str | None, *, search_date: bool, search_byline: bool = True
) -> PageMeta:
    """Title, author, site name and (if `search_date`) the page date of a parsed page.

    The steps and their order are `extract_metadata`'s, so a field found by
    one step (meta tags, then JSON-LD, then the page body) is not overridden
    by a later one. The tree is only read. Without `search_byline` the author
    comes from meta tags and JSON-LD only: the search of the body for a byline
    is trafilatura's costliest metadata step (17 ms a page, regex XPaths), so
    callers run it (`byline`) only for pages worth it.
    """
    document: Document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # a single word is a handle, not a name (trafilatura's rule)
    try:
        document = extract_meta_json(tree, document)
    except Exception:  # JSON-LD that trafilatura's parser chokes on: meta tags still count
        pass
    if not document.title:
        document.title = extract_title(tree)
    if not document.author and search_byline:
        document.author = extract_author(tree)
    if not document.url:
        document.url = extract_url(tree, url)
    if search_date:
        document.date = find_date(tree, **set_date_params(True), url=document.url)
    _set_site_name(tree, document)
    document.clean_and_trim()
    return PageMeta(
        title=document.title,
        author=document.author,
        site_name=document.sitename,
        date=document.date if search_date else None,
    )


def _set_site_name(tree: HtmlElement, document: Document) -> None:
    if not document.sitename:
        document.sitename = extract_sitename(tree)
    if document.sitename:
        name = document.sitename.lstrip("@")
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        document.sitename = name
    elif document.url and (match := META_URL.match(document.url)):
        document.sitename = match[1]


def byline(tree: HtmlElement) -> str | None:
    """The author named in the page body, cleaned as `page_metadata` cleans it."""
    document = Document()
    document.author = extract_author(tree)
    document.clean_and_trim()
    return document.author
