"""A private `prefect server` for `tipwatch serve`: started, watched and stopped by tipwatch.

Schedules only fire when a real Prefect API runs its scheduler; the temporary
server Prefect starts for a plain `tipwatch run` never schedules anything. So
when no `PREFECT_API_URL` is configured, `tipwatch serve` runs its own server on
loopback, with its SQLite database in tipwatch's data folder.

The server runs in its own process group (session) so that stopping it reaches
every process it started, and tipwatch never leaves one behind: SIGTERM to the
group, a bounded wait, then SIGKILL to whatever is left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from tipwatch.errors import TipwatchError

STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0


class ServerError(TipwatchError):
    """The local Prefect server could not be started or answered no health check."""


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/tipwatch/prefect`, i.e. `~/.local/share/tipwatch/prefect` by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tipwatch" / "prefect"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_environment(data_dir: Path, host: str, port: int, *, ui: bool) -> dict[str, str]:
    """The server's own settings; everything else is inherited."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update({
        "PREFECT_HOME": str(data_dir),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{data_dir / 'prefect.db'}",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_ENABLED": "true" if ui else "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_LOGGING_LEVEL": env.get("PREFECT_SERVER_LOGGING_LEVEL", "WARNING"),
    })
    return env


@dataclass
class LocalServer:
    process: subprocess.Popen[bytes]
    api_url: str
    log_path: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def wait_healthy(server: LocalServer, timeout: float) -> None:
    """Poll `/api/health` until it answers 200; fail fast if the process dies."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerError(
                    f"prefect server exited with code {server.process.returncode} "
                    f"(log {server.log_path}):\n{server.log_tail()}")
            try:
                if client.get(f"{server.api_url}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    raise ServerError(f"prefect server at {server.api_url} not healthy after {timeout:g}s "
                      f"(log {server.log_path})")


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process's group, wait, then SIGKILL every survivor (group and descendants)."""
    try:
        survivors = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        survivors = []
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(survivors, timeout=max(1.0, timeout / 3))
    if alive or process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=5)
        process.wait(timeout=5)


@contextmanager
def local_prefect_server(
    data_dir: Path, *, host: str = "127.0.0.1", port: int | None = None, ui: bool = True,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Iterator[LocalServer]:
    """Start `prefect server start` and yield it once healthy; stop it (and its children) on exit."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    log_path = data_dir / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, env=server_environment(data_dir, host, port, ui=ui), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = LocalServer(process, f"http://{host}:{port}/api", log_path)
    try:
        wait_healthy(server, startup_timeout)
        yield server
    finally:
        stop_process_group(process)
