"""The DuckDB warehouse: schema migrations, one writer at a time, batched loads.

Callers pass a path, never a connection, across task boundaries: a DuckDB file
admits one read-write process, so every write opens, commits and closes quickly
under a file lock, leaving room for analysts' read-only queries in between.
"""
