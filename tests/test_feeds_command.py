"""`tipwatch feeds list | reset | check`, and a feed's whole life over real passes:
failing, backing off, dead and skipped, reset, and back when it recovers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fault_site import HTML, RSS, feeds_toml, rss, story
from hostile_server import HostileServer

import flows.ingest
from tipwatch import polling
from flows.ingest import ingest
from tipwatch.cli import main
from tipwatch.feedstate import fresh_state
from tipwatch.registry import FeedConfig
from warehouse.connection import open_reader, open_writer
from warehouse.load import save_feed_states

NOT_A_FEED = b"<html><body><h1>Maintenance</h1><p>Back soon.</p></body></html>"


def tipwatch(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(db) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIPWATCH_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    monkeypatch.setenv("TIPWATCH_REQUEST_DEADLINE", "2")
    monkeypatch.setenv("TIPWATCH_READ_TIMEOUT", "1")
    monkeypatch.setenv("TIPWATCH_RETRIES", "0")
    monkeypatch.setenv("TIPWATCH_EXTRACT_WORKERS", "1")


@pytest.fixture
def site(env: None) -> Iterator[HostileServer]:
    with HostileServer() as server:
        u = server.url
        server.add_route("/a/1.html", 200, HTML, story("Raid one"))
        server.add_route("/a/2.html", 200, HTML, story("Raid two", victims=31, day=2))
        server.add_route("/good.xml", 200, RSS, rss([u("/a/1.html"), u("/a/2.html")]))
        server.add_route("/undated.xml", 200, RSS, rss([
            (u("/a/1.html"), "old", "Thu, 01 Jan 1970 00:00:00 GMT"),
            (u("/a/2.html"), "future", "Mon, 01 Jan 2999 00:00:00 GMT"),
            (u("/a/3.html"), "none", None)]))
        server.add_route("/page.xml", 200, HTML, NOT_A_FEED)
        yield server


# --- check ---------------------------------------------------------------------------------------

def test_check_prints_status_version_items_dates_and_problems(
        site: HostileServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = feeds_toml(tmp_path / "feeds.toml", {
        "good": site.url("/good.xml"), "undated": site.url("/undated.xml"),
        "page": site.url("/page.xml"), "gone": site.url("/status/404"),
    })
    assert tipwatch("feeds", "check", "--feeds", str(feeds)) == 1
    out = capsys.readouterr().out
    lines = {line.split(":", 1)[0]: line for line in out.splitlines() if not line.startswith(" ")}
    assert lines["good"] == ("good: ok | HTTP 200 | ok | version rss20 | 2 items | "
                             "first dates 2024-03-04 10:00, 2024-03-04 10:00")
    assert "ok | HTTP 200" in lines["undated"] and "3 items | first dates -, -, -" in lines["undated"]
    assert "3 of 3 items without a usable date" in out
    assert lines["page"].startswith("page: PROBLEM | HTTP 200 | malformed | version - | 0 items")
    assert "problem: not a feed" in out
    assert lines["gone"].startswith("gone: PROBLEM | HTTP 404 | http_error")
    assert "problem: HTTP 404" in out
    assert not list(tmp_path.glob("*.duckdb")), "check loads nothing"


def test_check_one_feed_by_name(site: HostileServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = feeds_toml(tmp_path / "feeds.toml", {"good": site.url("/good.xml"), "page": site.url("/page.xml")})
    assert tipwatch("feeds", "check", "good", "--feeds", str(feeds)) == 0
    assert capsys.readouterr().out.count("\n") == 1
    assert site.hits("/page.xml") == 0


def test_check_unknown_name_is_one_line_and_exit_2(site: HostileServer, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    feeds = feeds_toml(tmp_path / "feeds.toml", {"good": site.url("/good.xml")})
    assert tipwatch("feeds", "check", "nope", "--feeds", str(feeds)) == 2
    err = capsys.readouterr().err
    assert err == f"tipwatch: error: no feed named 'nope' in {feeds} (known: good)\n"


# --- list and reset on a known warehouse ---------------------------------------------------------

def warehouse_with_states(db: Path) -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    ok = fresh_state(FeedConfig("fine", "https://a.example/rss", "en"))
    dead = fresh_state(FeedConfig("broken", "https://b.example/rss", "es"))
    with open_writer(db) as con:
        save_feed_states(con, [
            ok.__class__(**{**ok.__dict__, "last_status": "ok", "last_http_status": 200,
                            "last_success_at": now, "next_poll_at": now + timedelta(hours=1),
                            "items_last_poll": 12}),
            dead.__class__(**{**dead.__dict__, "last_status": "http_error", "last_http_status": 410,
                              "last_error": "HTTP 410", "consecutive_failures": 10,
                              "failure_score": 10.0, "state": "dead",
                              "next_poll_at": now + timedelta(days=1)}),
        ])


def test_list_shows_each_feed_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    warehouse_with_states(db)
    assert tipwatch("feeds", "list", "--db", str(db)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["name", "state", "last_status", "http", "failures", "score", "next_poll",
                              "last_success", "items", "last_error"]
    assert out[2].split() == ["broken", "dead", "http_error", "410", "10", "10.0", "2025-06-02", "12:00",
                              "-", "HTTP", "410"]
    assert out[3].split() == ["fine", "active", "ok", "200", "0", "0.0", "2025-06-01", "13:00",
                              "2025-06-01", "12:00", "12"]
    assert out[-1] == "(2 rows)"


def test_reset_brings_a_dead_feed_back_and_unknown_names_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    warehouse_with_states(db)
    assert tipwatch("feeds", "reset", "broken", "--db", str(db)) == 0
    assert capsys.readouterr().out == ("broken: dead -> active (was 10 failures, score 10); "
                                       "polled on the next pass\n")
    assert rows(db, "SELECT state, consecutive_failures, failure_score, next_poll_at, last_error, "
                    "last_status FROM feeds WHERE name = 'broken'") == [
        ("active", 0, 0.0, None, None, "http_error")]
    assert tipwatch("feeds", "reset", "brokn", "--db", str(db)) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"tipwatch: error: no feed named 'brokn' in warehouse {db} "
                            "(known: broken, fine)\n")
    assert tipwatch("feeds", "reset", "x", "--db", str(tmp_path / "missing.duckdb")) == 4


# --- a feed's life over passes -------------------------------------------------------------------

class Clock(datetime):
    """`datetime` whose `now()` the test moves forward: backoffs last hours, tests seconds."""

    current: ClassVar[datetime] = datetime.now(UTC)

    @classmethod
    def now(cls, tz: Any = None) -> Clock:  # type: ignore[override]
        return cls.current  # type: ignore[return-value]


@pytest.mark.usefixtures("prefect_harness")
def test_failing_feed_backs_off_dies_is_skipped_then_reset_and_recovers(
        site: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(Clock, "current", datetime.now(UTC))
    monkeypatch.setattr(flows.ingest, "datetime", Clock)
    monkeypatch.setattr(polling, "datetime", Clock)
    site.add_route("/steady.xml", 200, RSS, rss([site.url("/a/1.html")]))
    feeds = feeds_toml(tmp_path / "feeds.toml", {"steady": site.url("/steady.xml"),
                                                 "flappy": site.url("/flappy.xml")})
    db = tmp_path / "w.duckdb"
    failing = [(404, {"Content-Type": "text/plain"}, b"gone\n"), (200, HTML, NOT_A_FEED)]

    def one_pass(fail: int | None = None) -> Any:
        if fail is not None:
            site.add_route("/flappy.xml", *failing[fail % 2])  # a 404 or an HTML page: hard failures
        return ingest(feeds_path=str(feeds), db_path=str(db))

    def flappy() -> tuple[Any, ...]:
        return rows(db, "SELECT state, consecutive_failures, failure_score, last_status "
                        "FROM feeds WHERE name = 'flappy'")[0]

    one_pass(0)
    assert flappy() == ("active", 1, 1.0, "http_error")
    one_pass(1)
    assert flappy() == ("backoff", 2, 2.0, "malformed")
    hits = site.hits("/flappy.xml")
    skipped = one_pass(0)  # same moment: still backing off
    assert skipped.feeds_skipped == 1 and site.hits("/flappy.xml") == hits
    for n in range(3, 11):
        Clock.current += timedelta(days=2)  # past any backoff (at most a day, with jitter)
        one_pass(n)
        assert flappy()[:3] == ("dead" if n == 10 else "backoff", n, float(n))
    # dead: skipped whatever time it is, even once the feed is fixed
    site.add_route("/flappy.xml", 200, RSS, rss([site.url("/a/2.html")]))
    Clock.current += timedelta(days=30)
    hits = site.hits("/flappy.xml")
    assert one_pass().feeds_skipped == 1 and site.hits("/flappy.xml") == hits
    assert rows(db, "SELECT count(*) FROM articles WHERE url LIKE '%/a/2.html'") == [(0,)]
    assert tipwatch("feeds", "list", "--db", str(db)) == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["flappy", "dead", "http_error", "404", "10", "10.0"] == listed[2][:6]
    assert tipwatch("feeds", "reset", "flappy", "--db", str(db)) == 0
    back = one_pass()
    assert back.feeds_skipped == 0 and back.feeds_ok == 2 and back.articles_new == 1
    assert flappy() == ("active", 0, 0.0, "ok")
    assert rows(db, "SELECT status, relevant FROM articles WHERE url LIKE '%/a/2.html'") == [("ok", True)]
    # every poll left a fetch row; the reason of the last failure stays on the feed until it recovers
    assert rows(db, "SELECT outcome, status, count(*) FROM fetches WHERE feed = 'flappy' AND kind = 'feed' "
                    "GROUP BY ALL ORDER BY ALL") == [("http_error", 404, 5), ("ok", 200, 6)]
