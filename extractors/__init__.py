"""Pure functions from bytes and text to records: feeds, pages, relevance, metrics.

Nothing here does network or warehouse I/O, so everything is testable without
Prefect, a server or a database.
"""
