"""The `tipwatch` command: parsing and presentation only.

Library code raises narrow exceptions; this is the one place that turns them
into a single clear line and an exit code. Set TIPWATCH_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback

from tipwatch.prefect_env import configure

# `serve` runs unattended: its flow runs keep Prefect's logs (and tracebacks) for the UI
configure(interactive=sys.argv[1:2] != ["serve"])

import click  # noqa: E402  (Prefect's environment must be set first)
import typer  # noqa: E402

from tipwatch.errors import ConfigError, TipwatchError, WarehouseError, WarehouseLockedError  # noqa: E402

app = typer.Typer(
    name="tipwatch",
    help="Watch the news for human-trafficking figures and keep them, with evidence, in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: each module defines `register(app)`; one line here adds a command group
COMMAND_MODULES = [
    "tipwatch.commands.run",
    "tipwatch.commands.demo",
    "tipwatch.commands.reextract",
    "tipwatch.commands.evaluate",
    "tipwatch.commands.serve",
    "tipwatch.commands.backfill",
    "tipwatch.commands.analyst",
    "tipwatch.commands.feeds",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)

EXIT_CODES: list[tuple[type[BaseException], int]] = [
    (ConfigError, 2),
    (WarehouseLockedError, 3),
    (WarehouseError, 4),
    (TipwatchError, 1),
]


def _fail(message: str, code: int) -> None:
    print(f"tipwatch: error: {message}", file=sys.stderr)
    sys.exit(code)


def _release(exc: BaseException) -> None:
    """Drop the locals of every frame in the exception's chain.

    Prefect keeps a failed flow's exception; its frames still hold DuckDB
    connections at exit, and DuckDB's bindings then print leak reports on
    stderr under the one-line error.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def main(argv: list[str] | None = None) -> None:
    debug = os.environ.get("TIPWATCH_DEBUG") == "1"
    failure: tuple[str, int] | None = None
    try:
        code = app(args=argv, standalone_mode=False)
    except click.exceptions.UsageError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        failure = ("interrupted", 130)
    except KeyboardInterrupt:
        failure = ("interrupted", 130)
    except TipwatchError as exc:
        if debug:
            raise
        _release(exc)
        failure = (str(exc), next(c for kind, c in EXIT_CODES if isinstance(exc, kind)))
    except OSError as exc:
        if debug:
            raise
        failure = (f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc), 1)
    except Exception as exc:  # never a traceback for the user; the debug switch shows it
        if debug:
            raise
        _release(exc)
        failure = (f"unexpected {type(exc).__name__}: {exc} (set TIPWATCH_DEBUG=1 for the traceback)", 1)
    if failure is not None:
        gc.collect()
        _fail(*failure)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
