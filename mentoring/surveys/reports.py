"""The participation indicator: whom the programme reaches, and what parents say.

Publication resists differencing (issue 16):
- Participation is counted by whole months only (`Period.whole_months`, in the municipality's time
  zone), so two overlapping ranges never differ by a day.
- Survey results come from the released table only, for one sealed quarter at a time (a quarter is
  sealed once it is over and all of it is released), never for the running one.
- Every published count and mean carries the consistent noise of the cell-key method (`cellkey`):
  the same set of records always gets the same noise, whatever the filter.
- Then cells under the threshold (never below 5) are hidden, and one more per column where only
  one is hidden while the total is shown, for counts and means alike (`suppress`).

A fixed number of queries whatever the data size: one each for bookings and mentor requests (the
records, whose keys and months are worked out here), and one each for the quarter's responses and
invitation counts; the cells are summed up in Python.

Definitions:
- families reached: distinct families with a booking made or a mentor request, counted through a
  pseudonymous key (the account id, else the booking's contact key), never names;
- bookings made / attended / no-show / cancelled: consultation bookings by the month they were made;
- mentor requests / active / completed: requests by the month they were made, and their state now;
- median days to a match: from request to the day a mentor (or the office) said yes;
- survey invitations / responses / response rate: invitations sent in the quarter and responses
  released for it; where contexts were merged the rate of a row is approximate, the total is exact
  before the noise; the mean of each question over the responses that answered it.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import combinations
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.consultations import interpreters
from mentoring.consultations.models import Booking, BookingStatus, Slot
from mentoring.extensions import db
from mentoring.mentorships import concerns
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile, MentorStatus
from mentoring.surveys import cellkey
from mentoring.surveys.kanon import ALL
from mentoring.surveys.models import InvitationCount, SurveyPeriod, SurveyResponse
from mentoring.surveys.questionnaire import QUESTION_KEYS

DIMENSIONS = ("month", "district", "language", "age_group", "referral", "service")
SURVEY_DIMENSIONS = ("district", "language", "age_group", "service")
UNKNOWN = ""  # the key of "not given"
MERGED = ALL  # the key of contexts merged with others to keep groups of at least 5
TOTAL = "total"

PARTICIPATION_COUNTS = (
    "families",
    "bookings",
    "attended",
    "no_show",
    "cancelled",
    "requests",
    "active",
    "completed",
)
SURVEY_COUNTS = ("invitations", "responses")
# Active mentor parents, and those among them who were mentees first (from mentee to mentor).
MENTOR_COUNTS = ("mentors", "former_mentees")
# Columns that count people (perturbed, suppressed below the threshold); means are perturbed too.
COUNTS = (*PARTICIPATION_COUNTS, *SURVEY_COUNTS, *MENTOR_COUNTS)
MEANS = QUESTION_KEYS
PARTICIPATION_COLUMNS = (*PARTICIPATION_COUNTS, "median_days")
SURVEY_COLUMNS = (*SURVEY_COUNTS, "response_rate", *QUESTION_KEYS)
CANCELLED = (BookingStatus.CANCELLED_BY_PARENT, BookingStatus.CANCELLED_BY_EXPERT)
MATCHED = (MatchStatus.ACTIVE, MatchStatus.COMPLETED, MatchStatus.ENDED)


def last_of_month(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of `first`'s month to the last day of `last`'s."""

    first: date
    last: date

    @classmethod
    def whole_months(cls, first: date, last: date) -> "Period":
        return cls(first.replace(day=1), last_of_month(last))

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        start = self.first.replace(day=1)
        return (
            datetime.combine(start, time(0), zone),
            datetime.combine(last_of_month(self.last) + timedelta(days=1), time(0), zone),
        )

    @property
    def months(self) -> tuple[str, str]:
        return self.first.strftime("%Y-%m"), self.last.strftime("%Y-%m")


@dataclass
class Row:
    key: str
    # The published figures (with their noise); `exact` keeps the figures before the noise for
    # the suppression rules and the tests, and is never shown.
    values: dict[str, float | int | None] = field(default_factory=dict)
    exact: dict[str, float | int | None] = field(default_factory=dict)
    # Cells hidden by small-cell suppression ("<5" on the page, left out of the export).
    hidden: set[str] = field(default_factory=set)
    # Means another table of the same quarter could give away by subtraction (`differencing_guard`).
    guarded: set[str] = field(default_factory=set)


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: list[Row]
    total: Row


class Cells:
    """Record keys per row key and column, summed up into published counts."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))

    def add(self, row: str, column: str, record_key: int) -> None:
        self.keys[row][column].append(record_key)
        self.keys[TOTAL][column].append(record_key)

    def count(self, row: str, column: str) -> tuple[int, int]:
        """(exact, published) count of a cell."""
        keys = self.keys[row][column] if row in self.keys else []
        return len(keys), cellkey.perturb_count(len(keys), cellkey.cell_key(keys))


def key_of(value: object) -> str:
    return UNKNOWN if value is None else str(value)


def participation(period: Period, by: str, zone: ZoneInfo, secret: bytes) -> Table:
    """Families reached, bookings and mentoring, one row per value of `by`, plus a total."""
    start, end = period.bounds(zone)

    def month(instant: datetime) -> str:
        return instant.astimezone(zone).strftime("%Y-%m")  # the municipality's month

    bookings = db.session.execute(
        select(
            Booking.id,
            Booking.created_at,
            Booking.status,
            Booking.district,
            Booking.locale,
            Booking.age_group,
            Booking.user_id,
            Booking.contact_key,
        )
        .join(Booking.slot)
        .where(Booking.created_at >= start, Booking.created_at < end, Slot.host_mentor_id.is_(None))
    ).all()
    matches = db.session.execute(
        select(
            MentoringMatch.id,
            MentoringMatch.requested_at,
            MentoringMatch.answered_at,
            MentoringMatch.status,
            MentoringMatch.district,
            User.locale,
            MentoringMatch.age_group,
            MentoringMatch.referral_source,
            MentoringMatch.parent_id,
        )
        .join(User, User.id == MentoringMatch.parent_id)
        .where(MentoringMatch.requested_at >= start, MentoringMatch.requested_at < end)
    ).all()

    cells = Cells()
    families: dict[str, set[str]] = defaultdict(set)
    waits: dict[str, list[float]] = defaultdict(list)

    def family(row: str, family_id: str) -> None:
        families[row].add(family_id)
        families[TOTAL].add(family_id)

    for b in bookings:
        dims = {
            "month": month(b.created_at),
            "district": b.district,
            "language": b.locale,
            "age_group": b.age_group,
            "referral": None,
            "service": "consultation",
        }
        row = key_of(dims[by])
        record = cellkey.derived_key(secret, "booking", b.id)
        cells.add(row, "bookings", record)
        if b.status == BookingStatus.ATTENDED:
            cells.add(row, "attended", record)
        elif b.status == BookingStatus.NO_SHOW:
            cells.add(row, "no_show", record)
        elif b.status in CANCELLED:
            cells.add(row, "cancelled", record)
        family(row, f"u{b.user_id}" if b.user_id is not None else f"c{b.contact_key}")
    for m in matches:
        dims = {
            "month": month(m.requested_at),
            "district": m.district,
            "language": m.locale,
            "age_group": m.age_group,
            "referral": m.referral_source,
            "service": "mentoring",
        }
        row = key_of(dims[by])
        record = cellkey.derived_key(secret, "match", m.id)
        cells.add(row, "requests", record)
        if m.status == MatchStatus.ACTIVE:
            cells.add(row, "active", record)
        elif m.status == MatchStatus.COMPLETED:
            cells.add(row, "completed", record)
        family(row, f"u{m.parent_id}")
        if m.status in MATCHED and m.answered_at is not None:
            days = (m.answered_at - m.requested_at).total_seconds() / 86400
            waits[row].append(days)
            waits[TOTAL].append(days)

    def make_row(key: str) -> Row:
        row = Row(key)
        for column in PARTICIPATION_COUNTS[1:]:
            row.exact[column], row.values[column] = cells.count(key, column)
        members = families.get(key, set())
        row.exact["families"] = len(members)
        row.values["families"] = cellkey.perturb_count(
            len(members), cellkey.cell_key(cellkey.derived_key(secret, "family", f) for f in members)
        )
        wait = waits.get(key, [])
        row.exact["median_days"] = row.values["median_days"] = round(median(wait), 1) if wait else None
        row.exact["_matched"] = len(wait)
        return row

    rows = [make_row(key) for key in sorted((set(cells.keys) | set(families)) - {TOTAL})]
    return Table(PARTICIPATION_COLUMNS, rows, make_row(TOTAL))


# Survey results of a sealed quarter ------------------------------------------------------------


def sealed_quarters() -> list[str]:
    """The quarters whose survey results may be published, newest first."""
    return list(db.session.scalars(select(SurveyPeriod.period).order_by(SurveyPeriod.period.desc())))


SURVEY_FIELDS = {"district": "district", "language": "locale", "age_group": "age_group", "service": "service"}


def survey_key(value: object) -> str:
    """A response's or an invitation count's row key: "" and None are "not given", ALL is merged."""
    return UNKNOWN if value in (None, "") else str(value)


def survey_results(quarter: str, by: str, secret: bytes, threshold: int = 5) -> Table:
    """Invitations, responses, response rate and the mean of each question, one row per value of
    `by`, for one quarter; the caller makes sure it is sealed."""
    name = SURVEY_FIELDS[by]
    fields = tuple(SURVEY_FIELDS[d] for d in SURVEY_DIMENSIONS)
    everything = db.session.execute(
        select(
            *(getattr(SurveyResponse, f) for f in fields),
            SurveyResponse.record_key,
            *(getattr(SurveyResponse, key) for key in QUESTION_KEYS),
        ).where(SurveyResponse.period == quarter)
    ).all()
    guarded = differencing_guard(everything, len(fields), max(threshold, 5))
    responses = [(response[fields.index(name)], *response[len(fields) :]) for response in everything]
    invitations = db.session.execute(
        select(
            InvitationCount.service,
            InvitationCount.locale,
            InvitationCount.district,
            InvitationCount.age_group,
            InvitationCount.sent,
        ).where(InvitationCount.period == quarter)
    ).all()

    cells = Cells()
    answers: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for response in responses:
        row = survey_key(response[0])
        cells.add(row, "responses", response[1])
        for index, question in enumerate(QUESTION_KEYS):
            answer = response[2 + index]
            if answer is not None:
                answers[row][question].append((answer, response[1]))
                answers[TOTAL][question].append((answer, response[1]))
    sent: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for service, locale, district, age_group, number in invitations:
        context = {"service": service, "locale": locale, "district": district, "age_group": age_group}
        # Each count row stands for `sent` invitations of one context: its key is that many times
        # the context's derived key, so the same invitations always give the same cell key.
        record = cellkey.derived_key(
            secret, "invitations", f"{quarter}:{service}:{locale}:{district}:{age_group}"
        )
        for row in (survey_key(context[name]), TOTAL):
            sent[row].append((number, record * number))

    def make_row(key: str) -> Row:
        row = Row(key)
        row.guarded = {q for q in QUESTION_KEYS if (by, key, q) in guarded}
        row.exact["responses"], row.values["responses"] = cells.count(key, "responses")
        invited = sent.get(key, [])
        row.exact["invitations"] = exact_invited = sum(n for n, _ in invited)
        row.values["invitations"] = published = cellkey.perturb_count(
            exact_invited, cellkey.cell_key(k for _, k in invited)
        )
        row.exact["response_rate"] = rate(row.exact["responses"], exact_invited)
        row.values["response_rate"] = rate(row.values["responses"], published)
        for question in QUESTION_KEYS:
            given = answers[key][question] if key in answers else []
            row.exact[f"{question}_n"] = len(given)
            if not given:
                row.exact[question] = row.values[question] = None
                continue
            mean = sum(a for a, _ in given) / len(given)
            row.exact[question] = round(mean, 2)
            row.values[question] = cellkey.perturb_mean(
                mean, len(given), cellkey.cell_key(k for _, k in given), salt=question
            )
        return row

    keys = sorted((set(cells.keys) | set(sent)) - {TOTAL})
    return Table(SURVEY_COLUMNS, [make_row(key) for key in keys], make_row(TOTAL))


def differencing_guard(responses: Sequence[Any], width: int, limit: int) -> set[tuple[str, str, str]]:
    """The means that two tables of the same quarter could give away by subtraction.

    Every dimension's cells and the total are sets of responses (per question, those that
    answered it). Where two of them, in any two tables, differ by fewer than `limit` (the
    threshold, at least 5) answers but are not the same set, subtracting one sum from the other
    would tell what those few parents said: the smaller of the two (never the total) has its
    mean hidden, in every table and view of the quarter alike. The noise alone would not do: half
    the cells get none.
    Returns (dimension, row key, question) triples.
    """
    guarded: set[tuple[str, str, str]] = set()
    for index, question in enumerate(QUESTION_KEYS):
        cells: dict[tuple[str, str], set[int]] = defaultdict(set)
        for number, response in enumerate(responses):
            if response[width + 1 + index] is None:
                continue
            cells[(TOTAL, TOTAL)].add(number)
            for position, dimension in enumerate(SURVEY_DIMENSIONS):
                cells[(dimension, survey_key(response[position]))].add(number)
        named = sorted(cells.items(), key=lambda item: (len(item[1]), item[0] == (TOTAL, TOTAL), item[0]))
        for (first, one), (second, other) in combinations(named, 2):
            if len(other) - len(one) >= limit or one == other:
                continue
            if len(one ^ other) < limit:
                for dimension, key in (first, second):
                    if (dimension, key) != (TOTAL, TOTAL):
                        guarded.add((dimension, key, question))
                        break
    return guarded


def rate(responses: float | int | None, invitations: float | int | None) -> int | None:
    if not invitations or responses is None:
        return None
    return min(100, round(100 * responses / invitations))


def interpreter_languages(threshold: int, days: int = 365) -> Table:
    """The languages families asked an interpreter for in the last `days`, one row each, with the
    same small-cell suppression as the dashboard: a rare language shows "<5", not "1". The total is
    not published (so nothing can be worked out from it)."""
    counts = interpreters.requests_by_language(days)
    rows = [Row(key=language, values={"requests": n}, exact={"requests": n}) for language, n in counts]
    total = sum(n for _language, n in counts)
    table = Table(("requests",), rows, Row(TOTAL, {"requests": total}, {"requests": total}, {"requests"}))
    return suppress(table, threshold)


def mentor_pathway(secret: bytes) -> Table:
    """Active mentor parents today and how many of them were mentees first: one total row, with
    the same noise as every count, to be suppressed like the other tables."""
    cells = Cells()
    for profile_id, was_mentee in db.session.execute(
        select(MentorProfile.id, MentorProfile.was_mentee).where(MentorProfile.status == MentorStatus.ACTIVE)
    ):
        record = cellkey.derived_key(secret, "mentor", profile_id)
        cells.add("mentors", "mentors", record)  # `add` counts every record into the total too
        if was_mentee:
            cells.add("mentors", "former_mentees", record)
    total = Row(TOTAL)
    for column in MENTOR_COUNTS:
        total.exact[column], total.values[column] = cells.count(TOTAL, column)
    return Table(columns=MENTOR_COUNTS, rows=[], total=total)


# Small-cell suppression -----------------------------------------------------------------------------


def suppress(table: Table, threshold: int) -> Table:
    """Hide every count below `threshold` (never below 5), before or after its noise, and every mean
    of fewer answers; then one more per column where only one is hidden while the total is shown,
    so the total minus the visible cells cannot reveal it; derived figures follow their counts."""
    threshold = max(threshold, 5)
    counted = [c for c in table.columns if c in COUNTS]
    means = [c for c in table.columns if c in MEANS]
    everything = [*table.rows, table.total]
    for row in everything:
        for column in counted:
            exact, published = row.exact.get(column), row.values.get(column)
            if exact is not None and min(exact, published or 0) < threshold:
                row.hidden.add(column)
        for column in means:
            if (row.exact.get(f"{column}_n") or 0) < threshold or column in row.guarded:
                row.hidden.add(column)
    for column in counted:
        hide_one_more(table, column, size=column)
    for column in means:
        # Only means that are there count: a row with no answers has nothing to give away.
        hide_one_more(table, column, size=f"{column}_n", needs_value=True)
    for row in everything:
        hide_derived(row, threshold)
    return table


def trained_share(trained: int, active: int, threshold: int) -> int | None:
    """The share (%) of active mentor parents trained in the last twelve months, or None when the
    trained or the untrained ones are fewer than the threshold (the same `suppress` as every table:
    one group hidden hides the other, so the total cannot give it away)."""
    rows = [
        Row("trained", values={"active": trained}, exact={"active": trained}),
        Row("untrained", values={"active": active - trained}, exact={"active": active - trained}),
    ]
    table = suppress(
        Table(("active",), rows, Row(TOTAL, values={"active": active}, exact={"active": active})), threshold
    )
    if active == 0 or any("active" in row.hidden for row in table.rows):
        return None
    return round(100 * trained / active)


def hide_one_more(table: Table, column: str, size: str, needs_value: bool = False) -> None:
    """If exactly one row hides `column` while the total shows it, hide the smallest other row too
    (by the exact figure `size`: the count itself, or a mean's number of answers)."""

    def present(row: Row) -> bool:
        return not needs_value or row.exact.get(column) is not None

    hidden = [r for r in table.rows if column in r.hidden and present(r)]
    visible = [r for r in table.rows if column not in r.hidden and present(r)]
    if len(hidden) == 1 and visible and column not in table.total.hidden:
        min(visible, key=lambda r: (r.exact.get(size) or 0, r.key)).hidden.add(column)


def hide_derived(row: Row, threshold: int) -> None:
    values = row.values
    if "median_days" in values and ((row.exact.get("_matched") or 0) < threshold or "active" in row.hidden):
        row.hidden.add("median_days")
    if "response_rate" in values and {"invitations", "responses"} & row.hidden:
        row.hidden.add("response_rate")
    if "answer_hours" in values and (row.exact.get("_answered") or 0) < threshold:
        row.hidden.add("answer_hours")


def concern_answer_table() -> Table:
    """The median hours from a mentor's concern to the office's first answer (one figure, all time);
    like every figure, hidden below the threshold (`suppress`)."""
    answered, hours = concerns.median_first_answer_hours()
    total = Row(
        key=TOTAL, values={"answer_hours": hours}, exact={"answer_hours": hours, "_answered": answered}
    )
    return Table(columns=("answer_hours",), rows=[], total=total)


def shown(row: Row, column: str) -> float | int | None:
    """The value the page and the export may show; None when hidden or not given."""
    return None if column in row.hidden else row.values.get(column)


def published(tables: Iterable[Table]) -> list[dict[str, str | float | int | None]]:
    """Every shown figure of some tables, row by row (for tests and audits)."""
    return [
        {"key": row.key, **{c: shown(row, c) for c in table.columns}}
        for table in tables
        for row in [*table.rows, table.total]
    ]
