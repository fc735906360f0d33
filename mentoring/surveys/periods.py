"""Publication periods: calendar quarters ("2026-Q4"), fixed and non-overlapping.

A response is stored with the quarter it was given in and nothing finer, and survey figures are
published for a quarter only once it is over and sealed (see `release`), so neither two moments
nor two overlapping periods can be subtracted.
"""

import re
from datetime import date, timedelta

PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


def period_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def bounds(period: str) -> tuple[date, date]:
    """The first and the last day of a quarter; ValueError for anything else."""
    found = PATTERN.match(period)
    if found is None:
        raise ValueError(period)
    year, quarter = int(found.group(1)), int(found.group(2))
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def is_over(period: str, today: date) -> bool:
    return bounds(period)[1] < today


def previous(period: str) -> str:
    return period_of(bounds(period)[0] - timedelta(days=1))
