"""`tipwatch feeds list | reset | check`: see and steer each feed's polling state.

Each feed moves through active -> backoff -> dead as its polls fail (see
`tipwatch.feedstate`); a dead feed is never polled again until someone looks
at it. These commands are that someone's tools: `list` shows every feed's
state from the warehouse, `reset` brings one back, and `check` fetches and
parses feeds *without loading anything*, so a fix to a feed's URL can be
verified before the next pass.

`check_feed` is a plain function (tested without the CLI); the command only
prints its result. Exit codes: 2 for an unknown feed name, 1 when `check`
found a feed that cannot be used.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tipwatch.errors import ConfigError, WarehouseError

if TYPE_CHECKING:
    from tipwatch.fetching import Fetcher

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file.")]
FeedsOption = Annotated[Path, typer.Option("--feeds", help="Feed registry (TOML with [[feeds]] entries).")]
#: how many items' dates `check` shows per feed
SHOWN_DATES = 3


class UnknownFeed(ConfigError):
    """A feed name given on the command line is not in the warehouse or the registry."""


@dataclass(frozen=True)
class FeedCheck:
    """What one fetch-and-parse of a feed found.

    `problems` make a pass fail on this feed; `warnings` do not, but cost data
    (undated items cannot be placed in time series).
    """

    name: str
    url: str
    outcome: str  # the fetch outcome, or "malformed" when the body is not a usable feed
    http_status: int | None = None
    content_type: str | None = None
    version: str = ""
    items: int = 0
    first_dates: tuple[datetime | None, ...] = ()
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_feed(name: str, url: str, fetcher: Fetcher) -> FeedCheck:
    """Fetch `url` once (no validators, so never a 304) and judge it as a pass would.

    Beyond a pass's own verdict it reports what an operator wants to see before
    trusting a feed: no items, items without a usable date.
    """
    from extractors.feeds import parse_feed
    from tipwatch.polling import FEED_ACCEPT

    result = fetcher.fetch(url, accept=FEED_ACCEPT)
    content_type = result.headers.get("content-type")
    if result.outcome != "ok" or result.body is None:
        why = result.error or result.outcome
        if result.retry_after is not None:
            why += f" (retry after {result.retry_after:.0f} s)"
        return FeedCheck(name, url, result.outcome, result.status, content_type, problems=[why])
    parsed = parse_feed(result.body, result.headers, result.final_url, status=result.status)
    if not parsed.ok:
        return FeedCheck(name, url, "malformed", result.status, content_type,
                         problems=[parsed.error or "not a feed"])
    warnings: list[str] = []
    if not parsed.items:
        warnings.append("no items with a usable link")
    undated = sum(1 for i in parsed.items if i.published is None)
    if undated:
        warnings.append(f"{undated} of {len(parsed.items)} items without a usable date "
                        "(missing, or outside 1990..now+2d): stored with no date")
    if result.final_url != url:
        warnings.append(f"redirected to {result.final_url}: consider updating the registry")
    return FeedCheck(name, url, "ok", result.status, content_type, parsed.version, len(parsed.items),
                     tuple(i.published for i in parsed.items[:SHOWN_DATES]), warnings=warnings)


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _pick(names: Sequence[str], wanted: str | None, where: str) -> list[str]:
    if wanted is None:
        return list(names)
    if wanted not in names:
        known = ", ".join(sorted(names)) or "none"
        raise UnknownFeed(f"no feed named {wanted!r} in {where} (known: {known})")
    return [wanted]


def register(app: typer.Typer) -> None:
    feeds_app = typer.Typer(help="Each feed's polling state: list it, reset a dead feed, check feeds.",
                            no_args_is_help=True)
    app.add_typer(feeds_app, name="feeds")

    @feeds_app.command("list")
    def list_feeds(db: DbOption = Path("tipwatch.duckdb")) -> None:
        """Show every polled feed: state, last status, failures, next poll, last success, items.

        States: active (polled every pass), backoff (failing; waits until "next
        poll"), dead (failed too often; skipped until `tipwatch feeds reset`).
        """
        from warehouse.analyst import ResultStream, write_text_table
        from warehouse.connection import open_reader
        from warehouse.load import read_feed_states

        if not db.exists():
            raise WarehouseError(f"warehouse {db} does not exist (run `tipwatch run` first)")
        with open_reader(db) as con:
            states = read_feed_states(con)
        columns = ["name", "state", "last_status", "http", "failures", "score", "next_poll",
                   "last_success", "items", "last_error"]
        rows = [(s.name, s.state, s.last_status, s.last_http_status, s.consecutive_failures,
                 s.failure_score, _when(s.next_poll_at) if s.next_poll_at else "next pass",
                 _when(s.last_success_at), s.items_last_poll, s.last_error)
                for s in sorted(states.values(), key=lambda s: s.name)]
        write_text_table(ResultStream(columns, iter([rows])), sys.stdout)

    @feeds_app.command("reset")
    def reset_feed(
        name: Annotated[str, typer.Argument(help="Feed name, as in the registry.")],
        db: DbOption = Path("tipwatch.duckdb"),
    ) -> None:
        """Bring a dead or backing-off feed back: polled on the next pass, failures forgotten."""
        from tipwatch.feedstate import reset
        from warehouse.connection import open_writer
        from warehouse.load import read_feed_states, save_feed_states

        if not db.exists():
            raise WarehouseError(f"warehouse {db} does not exist (run `tipwatch run` first)")
        with open_writer(db) as con:
            states = read_feed_states(con)
            _pick(list(states), name, f"warehouse {db}")
            before = states[name]
            save_feed_states(con, [reset(before)])
        typer.echo(f"{name}: {before.state} -> active (was {before.consecutive_failures} failures, "
                   f"score {before.failure_score:g}); polled on the next pass")

    @feeds_app.command("check")
    def check(
        name: Annotated[str | None, typer.Argument(help="Only this feed (default: every feed).")] = None,
        feeds: FeedsOption = Path("feeds.toml"),
    ) -> None:
        """Fetch and parse feeds without loading anything; print what a pass would see.

        Per feed: HTTP status, feed version, items, the first items' dates, then
        problems (the feed fails) and warnings. Exit code 1 when a feed has
        problems, 2 for an unknown name.
        """
        from tipwatch.fetching import Fetcher
        from tipwatch.registry import load_feeds
        from tipwatch.settings import Settings

        registry = {f.name: f for f in load_feeds(feeds)}
        chosen = _pick(list(registry), name, str(feeds))
        failed = 0
        with Fetcher(Settings.from_env()) as fetcher:
            for feed_name in chosen:
                result = check_feed(feed_name, registry[feed_name].url, fetcher)
                failed += not result.ok
                dates = ", ".join(_when(d) for d in result.first_dates) or "-"
                typer.echo(f"{result.name}: {'ok' if result.ok else 'PROBLEM'} | "
                           f"HTTP {result.http_status or '-'} | {result.outcome} | "
                           f"version {result.version or '-'} | {result.items} items | "
                           f"first dates {dates}")
                for kind, lines in (("problem", result.problems), ("warning", result.warnings)):
                    for line in lines:
                        typer.echo(f"  {kind}: {' '.join(line.split())}")
        if failed:
            raise typer.Exit(1)
