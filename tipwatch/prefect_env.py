"""Prefect defaults tipwatch sets before Prefect is imported, unless the user set them.

No telemetry (machines here have no internet, and users may not want it), and
Prefect's own log lines kept to warnings so a normal run prints tipwatch's summary.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def configure() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
