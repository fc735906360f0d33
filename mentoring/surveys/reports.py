"""The participation indicator: whom the programme reaches, and what parents say.

Every figure is counted by the database (GROUP BY), with a fixed number of queries whatever the data
size: one per source table, one for families reached, one for waiting times. Small cells are then
suppressed by plain functions (`suppress`), so the same rules serve the page, the chart and the CSV.

Definitions (all in the chosen period, months in UTC):
- families reached: distinct families with a booking made or a mentor request, counted through a
  pseudonymous key (the account id, else the booking's contact key), never names;
- bookings made / attended / no-show / cancelled: consultation bookings by the day they were made;
- mentor requests / active / completed: requests by the day they were made, and their state now;
- median days to a match: from request to the day a mentor (or the office) said yes;
- survey invitations / responses / response rate: invitations sent in the period, how many of them
  were answered; the mean of each question over the responses given in the period.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, String, case, cast, func, literal, select, union_all

from mentoring.accounts.models import User
from mentoring.consultations.models import Booking, BookingStatus, Slot
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentoringMatch
from mentoring.surveys.models import SurveyInvitation, SurveyResponse
from mentoring.surveys.questionnaire import QUESTION_KEYS

DIMENSIONS = ("month", "district", "language", "age_group", "referral", "service")
UNKNOWN = ""  # the key of "not given"

# Columns that count people (suppressed below the threshold) and the figures derived from them.
COUNTS = (
    "families",
    "bookings",
    "attended",
    "no_show",
    "cancelled",
    "requests",
    "active",
    "completed",
    "invitations",
    "responses",
)
PARTICIPATION_COLUMNS = (*COUNTS[:8], "median_days", *COUNTS[8:], "response_rate")
CANCELLED = (BookingStatus.CANCELLED_BY_PARENT, BookingStatus.CANCELLED_BY_EXPERT)
MATCHED = (MatchStatus.ACTIVE, MatchStatus.COMPLETED, MatchStatus.ENDED)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.first, time(0), zone),
            datetime.combine(self.last + timedelta(days=1), time(0), zone),
        )

    @property
    def months(self) -> tuple[str, str]:
        return self.first.strftime("%Y-%m"), self.last.strftime("%Y-%m")


@dataclass
class Row:
    key: str
    values: dict[str, float | int | None] = field(default_factory=dict)
    # Cells hidden by small-cell suppression ("<5" on the page, left out of the export).
    hidden: set[str] = field(default_factory=set)


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: list[Row]
    total: Row


def month_of(column):
    """'YYYY-MM' of a timestamp column, in SQL, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def booking_dimensions():
    return {
        "month": month_of(Booking.created_at),
        "district": Booking.district,
        "language": Booking.locale,
        "age_group": Booking.age_group,
        "referral": cast(literal(None), String),
        "service": literal("consultation"),
    }


def match_dimensions():
    return {
        "month": month_of(MentoringMatch.requested_at),
        "district": MentoringMatch.district,
        "language": User.locale,
        "age_group": MentoringMatch.age_group,
        "referral": MentoringMatch.referral_source,
        "service": literal("mentoring"),
    }


def invitation_dimensions():
    return {
        "month": month_of(SurveyInvitation.created_at),
        "district": SurveyInvitation.district,
        "language": SurveyInvitation.locale,
        "age_group": SurveyInvitation.age_group,
        "referral": cast(literal(None), String),
        "service": SurveyInvitation.service,
    }


def response_dimensions():
    return {
        "month": SurveyResponse.month,
        "district": SurveyResponse.district,
        "language": SurveyResponse.locale,
        "age_group": SurveyResponse.age_group,
        "referral": cast(literal(None), String),
        "service": SurveyResponse.service,
    }


def as_int(expression):
    return func.coalesce(func.sum(case((expression, 1), else_=0)), 0)


def grouped(query, by: str) -> dict[str, tuple]:
    """Rows of an aggregate query whose first column is the dimension, keyed by it; None → UNKNOWN."""
    result: dict[str, tuple] = {}
    for key, *values in db.session.execute(query):
        key = UNKNOWN if key is None else str(key)
        previous = result.get(key)
        result[key] = (
            tuple(values) if previous is None else tuple(a + b for a, b in zip(previous, values, strict=True))
        )
    return result


def participation(period: Period, by: str, zone: ZoneInfo) -> Table:
    """Families reached, bookings, mentoring and the survey, one row per value of `by`, plus a total."""
    start, end = period.bounds(zone)
    dims = {"b": booking_dimensions()[by], "m": match_dimensions()[by], "i": invitation_dimensions()[by]}
    in_period = Booking.created_at.between(start, end - timedelta(microseconds=1))
    consultation = Slot.host_mentor_id.is_(None)
    bookings_query = (
        select(
            dims["b"],
            func.count(),
            as_int(Booking.status == BookingStatus.ATTENDED),
            as_int(Booking.status == BookingStatus.NO_SHOW),
            as_int(Booking.status.in_(CANCELLED)),
        )
        .join(Booking.slot)
        .where(in_period, consultation)
        .group_by(dims["b"])
    )
    requested = MentoringMatch.requested_at.between(start, end - timedelta(microseconds=1))
    matches_query = (
        select(
            dims["m"],
            func.count(),
            as_int(MentoringMatch.status == MatchStatus.ACTIVE),
            as_int(MentoringMatch.status == MatchStatus.COMPLETED),
        )
        .join(User, User.id == MentoringMatch.parent_id)
        .where(requested)
        .group_by(dims["m"])
    )
    invitations_query = (
        select(dims["i"], func.count(), as_int(SurveyInvitation.is_used))
        .where(SurveyInvitation.created_at.between(start, end - timedelta(microseconds=1)))
        .group_by(dims["i"])
    )
    family_key_booking = func.coalesce(
        literal("u") + cast(Booking.user_id, String), literal("c") + Booking.contact_key
    )
    families = union_all(
        select(dims["b"].label("dim"), family_key_booking.label("family"))
        .join(Booking.slot)
        .where(in_period, consultation),
        select(
            dims["m"].label("dim"), (literal("u") + cast(MentoringMatch.parent_id, String)).label("family")
        )
        .join(User, User.id == MentoringMatch.parent_id)
        .where(requested),
    ).subquery()
    families_query = select(families.c.dim, func.count(func.distinct(families.c.family))).group_by(
        families.c.dim
    )
    families_total = select(literal("total"), func.count(func.distinct(families.c.family)))
    waits_query = (
        select(dims["m"], MentoringMatch.requested_at, MentoringMatch.answered_at)
        .join(User, User.id == MentoringMatch.parent_id)
        .where(requested, MentoringMatch.status.in_(MATCHED), MentoringMatch.answered_at.is_not(None))
    )

    bookings = grouped(bookings_query, by)
    matches = grouped(matches_query, by)
    invitations = grouped(invitations_query, by)
    reached = {key: counted[0] for key, counted in grouped(families_query, by).items()}
    reached_total = db.session.execute(families_total).one()[1]
    waits: dict[str, list[float]] = {}
    for key, requested_at, answered_at in db.session.execute(waits_query):
        waits.setdefault(UNKNOWN if key is None else str(key), []).append(
            (answered_at - requested_at).total_seconds() / 86400
        )
    responses = response_counts(period, by)

    def row(key: str, families: int, wait: list[float]) -> Row:
        b = bookings.get(key, (0, 0, 0, 0))
        m = matches.get(key, (0, 0, 0))
        i = invitations.get(key, (0, 0))
        values = {
            "families": families,
            "bookings": b[0],
            "attended": b[1],
            "no_show": b[2],
            "cancelled": b[3],
            "requests": m[0],
            "active": m[1],
            "completed": m[2],
            "median_days": round(median(wait), 1) if wait else None,
            "invitations": i[0],
            "responses": responses.get(key, 0),
            "response_rate": round(100 * i[1] / i[0]) if i[0] else None,
            "_matched": len(wait),
            "_answered": i[1],
        }
        return Row(key, values)

    keys = sorted(set(bookings) | set(matches) | set(invitations) | set(reached) | set(responses))
    rows = [row(key, reached.get(key, 0), waits.get(key, [])) for key in keys]
    total = row("total", reached_total, [w for ws in waits.values() for w in ws])
    for name in ("bookings", "attended", "no_show", "cancelled", "requests", "active", "completed"):
        total.values[name] = count_sum(rows, name)
    total.values["invitations"] = invited = count_sum(rows, "invitations")
    total.values["_answered"] = answered = count_sum(rows, "_answered")
    total.values["responses"] = count_sum(rows, "responses")
    total.values["response_rate"] = round(100 * answered / invited) if invited else None
    return Table(PARTICIPATION_COLUMNS, rows, total)


def count_sum(rows: list[Row], name: str) -> float:
    """The sum of a count column over `rows`; a count is never None (only derived figures are)."""
    total: float = 0
    for row in rows:
        value = row.values[name]
        assert value is not None, name
        total += value
    return total


def response_counts(period: Period, by: str) -> dict[str, int]:
    dim = response_dimensions()[by]
    first, last = period.months
    query = select(dim, func.count()).where(SurveyResponse.month.between(first, last)).group_by(dim)
    return {key: values[0] for key, values in grouped(query, by).items()}


def survey_results(period: Period, by: str) -> Table:
    """Responses and the mean (with its count) of each question, one row per value of `by`."""
    dim = response_dimensions()[by]
    first, last = period.months
    columns: list[ColumnElement[Any]] = [func.count()]
    for key in QUESTION_KEYS:
        column = getattr(SurveyResponse, key)
        columns += [func.avg(cast(column, Integer)), func.count(column)]
    query = select(dim, *columns).where(SurveyResponse.month.between(first, last)).group_by(dim)
    total_query = select(literal("total"), *columns).where(SurveyResponse.month.between(first, last))

    def row(key: str, values: tuple) -> Row:
        result: dict[str, float | int | None] = {"responses": values[0]}
        for index, name in enumerate(QUESTION_KEYS):
            mean, count = values[1 + 2 * index], values[2 + 2 * index]
            result[name] = round(float(mean), 2) if mean is not None else None
            result[f"{name}_n"] = count
        return Row(key, result)

    rows = [row(key, values) for key, values in sorted(grouped(query, by).items())]
    total = row("total", tuple(db.session.execute(total_query).one())[1:])
    return Table(("responses", *QUESTION_KEYS), rows, total)


# Small-cell suppression -----------------------------------------------------------------------------


def suppress(table: Table, threshold: int) -> Table:
    """Hide every count below `threshold` (never below 5), then one more per column where only one
    is hidden, so the total minus the visible cells cannot reveal it; derived figures follow."""
    threshold = max(threshold, 5)
    counted = [c for c in table.columns if c in COUNTS]
    for row in [*table.rows, table.total]:
        for column in counted:
            value = row.values.get(column)
            if value is not None and value < threshold:
                row.hidden.add(column)
    for column in counted:
        hidden = [r for r in table.rows if column in r.hidden]
        visible = [r for r in table.rows if column not in r.hidden]
        if len(hidden) == 1 and visible and column not in table.total.hidden:
            min(visible, key=lambda r: (r.values[column], r.key)).hidden.add(column)
    for row in [*table.rows, table.total]:
        hide_derived(row, threshold)
    return table


def hide_derived(row: Row, threshold: int) -> None:
    values = row.values
    if "median_days" in values and ((values.get("_matched") or 0) < threshold or "active" in row.hidden):
        row.hidden.add("median_days")
    if "response_rate" in values and (
        {"invitations", "responses"} & row.hidden or (values.get("_answered") or 0) < threshold
    ):
        row.hidden.add("response_rate")
    for key in QUESTION_KEYS:
        if key in values and (values.get(f"{key}_n") or 0) < threshold:
            row.hidden.add(key)


def shown(row: Row, column: str) -> float | int | None:
    """The value the page and the export may show; None when hidden or not given."""
    return None if column in row.hidden else row.values.get(column)
