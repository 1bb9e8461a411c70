"""Prefect flows: orchestration only. The work itself lives in extractors/, warehouse/ and tipwatch/."""

from tipwatch.prefect_env import configure

configure()
