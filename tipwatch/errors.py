"""Narrow exceptions that the CLI turns into one clear line and an exit code.

Library code raises these and never prints; `tipwatch.cli` is the only place
that decides how a failure looks to a user.
"""


class TipwatchError(Exception):
    """Base class: a failure the user can act on, described in one line."""


class ConfigError(TipwatchError):
    """The feeds file or a setting is unreadable or invalid."""


class WarehouseLockedError(TipwatchError):
    """Another process held the warehouse past the allowed wait."""


class WarehouseError(TipwatchError):
    """The warehouse cannot be opened or written (corrupt file, disk full...)."""
