"""Finding articles for a backfill: sitemaps and robots.txt, Wayback CDX captures, URL lists.

Each source has pure parsing functions (bytes in, plain data out, tested without
a network) and a thin layer that fetches through the project's `Fetcher`, so the
politeness limits, size caps and private-network rules of a normal pass apply.
"""

from tipwatch.discovery.window import Window, parse_day

__all__ = ["Window", "parse_day"]
