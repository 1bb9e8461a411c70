"""Session-wide test set-up: Prefect in an isolated test harness, no telemetry."""

from __future__ import annotations

from collections.abc import Iterator

from tipwatch.prefect_env import configure  # noqa: E402  (before Prefect is imported)

configure(interactive=True)  # tests see what a user at a terminal sees

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (temporary database and API) for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
