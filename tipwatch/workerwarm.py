"""Imported once by the extraction pool's fork server, so that workers start warm.

Every extraction worker is forked from the fork server, and recycled after a
few hundred pages. What the fork server has already done, a worker inherits:
the imports (trafilatura, lxml, our lexicons' modules) and the tables both
build on first use. Left to the workers, each new one spent about 0.6 s of
CPU on its first page: compiling our four lexicons (0.4 s of regular
expressions) and building justext's union of every language's stop words
(0.25 s), used when trafilatura's fallback meets a page in an undeclared
language. A pass of 1,370 pages forks about eight workers.

A failure here must never stop the fork server (it only tolerates ImportError),
so the warm-up is best effort.
"""

from __future__ import annotations

import extractors.article  # noqa: F401  (pages, relevance and metrics with their lexicons)
import extractors.feeds  # noqa: F401
import extractors.pages  # noqa: F401  (trafilatura, lxml, htmldate)
from extractors.lexicon import available_languages, load


def warm() -> None:
    try:
        for code in available_languages():
            load(code)
        from justext.core import define_stoplist
        from trafilatura.external import jt_stoplist_init

        define_stoplist(jt_stoplist_init())  # what trafilatura passes justext, lower-cased and cached
    except Exception:  # noqa: BLE001  # best effort: a cold worker still works
        pass


warm()
