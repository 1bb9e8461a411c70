"""The backfill window: closed-open `[since, until)` in UTC days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tipwatch.errors import ConfigError


def parse_day(value: str, *, option: str = "date") -> date:
    """`YYYY-MM-DD` only: a typo must fail loudly, not become another day."""
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Window:
    """Articles published at or after `since` (00:00 UTC) and before `until` (00:00 UTC)."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise ConfigError(
                f"--until {self.until.isoformat()} must be after --since {self.since.isoformat()} "
                "(the window is [since, until))"
            )

    @classmethod
    def parse(cls, since: str, until: str) -> Window:
        return cls(parse_day(since, option="--since"), parse_day(until, option="--until"))

    @property
    def start(self) -> datetime:
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.until.year, self.until.month, self.until.day, tzinfo=UTC)

    def contains(self, moment: datetime) -> bool:
        """Naive datetimes are taken as UTC (sitemaps and feeds often omit the zone)."""
        when = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self.start <= when < self.end

    def ended_before(self, moment: datetime) -> bool:
        """True when `moment` is before the window: a page last modified then cannot be in it."""
        when = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return when < self.start

    def days(self) -> int:
        return (self.until - self.since).days

    def widened(self, days: int) -> Window:
        return Window(self.since, self.until + timedelta(days=days))

    def __str__(self) -> str:
        return f"[{self.since.isoformat()}, {self.until.isoformat()})"
