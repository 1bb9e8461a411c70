"""Imported by the extraction pool's fork server when a pass has pages to date.

htmldate hands the dates it cannot read itself to dateparser, whose first
call compiles patterns for every locale it knows: about 4 s of CPU, which
each new worker would otherwise pay again. Done once in the fork server,
every worker inherits it (see tipwatch.workerwarm).

It is preloaded, after tipwatch.workerwarm, only for passes with items their
feed does not date (tipwatch.runtime): dated items never search the page for a date.

A failure here must never stop the fork server (it only tolerates ImportError),
so the warm-up is best effort.
"""

from __future__ import annotations


def warm() -> None:
    try:
        from htmldate.extractors import get_external_parser

        # No locale recognises this text, so every locale's patterns are compiled.
        get_external_parser().get_date_data("0 tipwatch 0")
    except Exception:  # noqa: BLE001  # best effort: a cold worker still works
        pass


warm()
