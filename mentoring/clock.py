"""The one clock: instants are aware UTC datetimes; "today" is the municipality's calendar day.

Every rule that compares with a date asks this module, so a contact logged at 00:30 in Oberhausen
is "today" there, whatever the server's zone or UTC's date. Conversion from an instant to a local
date happens here and nowhere else (a lint rule and a test ban `date.today()`, `datetime.now()`,
`datetime.utcnow()` and `.date()` on instants elsewhere).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Berlin"


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def zone() -> ZoneInfo:
    """The municipality's time zone (`TIMEZONE`, Europe/Berlin by default)."""
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local(instant: datetime) -> datetime:
    """An instant as the municipality's wall-clock time."""
    return instant.astimezone(zone())


def local_date(instant: datetime) -> date:
    """The municipality's calendar day on which an instant falls."""
    return instant.astimezone(zone()).date()


def today(now: datetime | None = None) -> date:
    """The municipality's calendar day now (or at the instant `now`)."""
    return local_date(now or utcnow())


def local_now() -> datetime:
    return local(utcnow())


def at(day: date, wall_time: time) -> datetime:
    """A wall-clock time on a local day as an aware datetime in the municipality's zone."""
    return datetime.combine(day, wall_time, zone())


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day` (an aware datetime; 23 or 25 hours to the next one)."""
    return at(day, time(0))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants at which a local day starts and the next one starts."""
    return day_start(day), day_start(day + timedelta(days=1))


def end_of_day(day: date) -> datetime:
    """The first instant after `day` ends locally: 'until the end of the 5th' means before this."""
    return day_start(day + timedelta(days=1))


# A day typed into a query string is taken only within this many days of today: 9999-12-31 or
# 0001-01-01 would overflow the arithmetic that turns a day into instants.
SANE_DAYS = 10 * 366


def parse_day(text: str | None) -> date | None:
    """An ISO date (2026-11-30) within SANE_DAYS of today, else None (not a date, or absurd)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if abs((day - today()).days) <= SANE_DAYS else None
