"""One typed settings object: defaults, `TIPWATCH_*` environment overrides and help text.

Prefect's own settings stay Prefect's; this only covers what tipwatch decides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from tipwatch.errors import ConfigError


def _meta(env: str, help: str) -> dict[str, Any]:
    return {"env": env, "help": help}


@dataclass(frozen=True)
class Settings:
    """Every tunable of a pass. Build with `Settings.from_env()`."""

    connect_timeout: float = field(default=10.0, metadata=_meta(
        "TIPWATCH_CONNECT_TIMEOUT", "seconds to establish a connection"))
    read_timeout: float = field(default=20.0, metadata=_meta(
        "TIPWATCH_READ_TIMEOUT", "seconds of silence tolerated while reading"))
    request_deadline: float = field(default=60.0, metadata=_meta(
        "TIPWATCH_REQUEST_DEADLINE", "total seconds one request may take, drip-feeding included"))
    max_body_bytes: int = field(default=10 * 1024 * 1024, metadata=_meta(
        "TIPWATCH_MAX_BODY_BYTES", "largest decoded body accepted (article or feed)"))
    max_redirects: int = field(default=20, metadata=_meta(
        "TIPWATCH_MAX_REDIRECTS", "redirect hops followed before giving up"))
    retries: int = field(default=2, metadata=_meta(
        "TIPWATCH_RETRIES", "extra attempts after a transport error or 5xx"))
    max_connections: int = field(default=16, metadata=_meta(
        "TIPWATCH_MAX_CONNECTIONS", "concurrent requests overall"))
    per_host_connections: int = field(default=4, metadata=_meta(
        "TIPWATCH_PER_HOST_CONNECTIONS", "concurrent requests to one host"))
    allow_private_networks: str = field(default="", metadata=_meta(
        "TIPWATCH_ALLOW_PRIVATE_NETWORKS",
        "comma-separated hosts or CIDRs that may be fetched although private or loopback"))
    extract_workers: int = field(default=0, metadata=_meta(
        "TIPWATCH_EXTRACT_WORKERS", "extraction processes; 0 means one per CPU"))
    extract_timeout: float = field(default=30.0, metadata=_meta(
        "TIPWATCH_EXTRACT_TIMEOUT", "seconds one page's extraction may take before its worker is killed"))
    extract_memory_mb: int = field(default=2048, metadata=_meta(
        "TIPWATCH_EXTRACT_MEMORY_MB", "address-space cap of one extraction worker, in MiB"))
    extract_max_bytes: int = field(default=5 * 1024 * 1024, metadata=_meta(
        "TIPWATCH_EXTRACT_MAX_BYTES", "largest HTML parsed; bigger pages are stored as too_large"))
    batch_size: int = field(default=100, metadata=_meta(
        "TIPWATCH_BATCH_SIZE", "articles per Prefect task and per warehouse write"))
    lock_timeout: float = field(default=120.0, metadata=_meta(
        "TIPWATCH_LOCK_TIMEOUT", "seconds a writer waits for the warehouse before giving up"))
    wayback_url: str = field(default="https://web.archive.org", metadata=_meta(
        "TIPWATCH_WAYBACK_URL", "Internet Archive base URL for `backfill --wayback` (CDX API and captures)"))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `TIPWATCH_*` variables, then explicit overrides (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            kind: type[Any] = type(f.default)
            try:
                values[f.name] = raw if kind is str else kind(raw)
            except ValueError:
                raise ConfigError(
                    f"{f.metadata['env']}={raw!r} is not a valid {kind.__name__} ({f.metadata['help']})"
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(variable, default, help) for the docs and `--help`."""
        return [(f.metadata["env"], repr(f.default), f.metadata["help"]) for f in fields(cls)]
