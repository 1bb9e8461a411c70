"""Prefect defaults tipwatch sets before Prefect is imported, unless the user set them.

No telemetry (machines here have no internet, and users may not want it), and
Prefect's own log lines kept to warnings so a normal run prints tipwatch's summary.
The temporary (ephemeral) API server Prefect starts when no server is configured
logs the cancellation of its background services at exit as errors with
tracebacks; those say nothing about the run, so its log level is CRITICAL.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


#: a person at a terminal gets tipwatch's one-line summary or error, not Prefect's
#: run logs, which print a traceback for every failed run (PREFECT_LOGGING_LEVEL=INFO shows them)
#: a local Dask cluster logs its own shutdown (comm tracebacks included) the same way
INTERACTIVE = {"PREFECT_LOGGING_LEVEL": "CRITICAL", "DASK_LOGGING__DISTRIBUTED": "critical"}


def configure(*, interactive: bool = False) -> None:
    if interactive:
        for key, value in INTERACTIVE.items():
            os.environ.setdefault(key, value)
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
