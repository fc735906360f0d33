"""Parents' comments for the programme office: released comments of sealed quarters only, with
their generalised context, a theme and a reading status; redacted before anyone sees them.

Only `SurveyResponse` rows of a quarter that has a `SurveyPeriod` are read: never the answer pool,
never the running quarter. Nothing here shows anything finer than the released context.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, union

from mentoring.accounts.models import Invitation, User
from mentoring.consultations.models import Booking, WaitlistEntry
from mentoring.extensions import db
from mentoring.surveys.models import CommentStatus, SurveyPeriod, SurveyResponse
from mentoring.surveys.redaction import name_words

THEMES = {
    "appointments": _l("Appointments and times"),
    "language": _l("Language and interpreting"),
    "staff": _l("Staff and friendliness"),
    "places": _l("Places and accessibility"),
    "information": _l("Information"),
    "other": _l("Other"),
}
NO_THEME = "none"  # the filter value for comments not given a theme yet
STATUS_LABELS = {
    CommentStatus.NEW: _l("New"),
    CommentStatus.READ: _l("Read"),
    CommentStatus.ACTED_ON: _l("Acted on"),
}
PAGE_SIZE = 20


@dataclass(frozen=True)
class CommentFilter:
    status: CommentStatus | None = None
    theme: str | None = None  # a key of THEMES, or NO_THEME


@dataclass(frozen=True)
class CommentPage:
    comments: list[SurveyResponse]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def released_comments() -> Select:
    """Non-empty comments of released responses in sealed quarters."""
    return (
        select(SurveyResponse)
        .join(SurveyPeriod, SurveyPeriod.period == SurveyResponse.period)
        .where(SurveyResponse.comment != "")
    )


def filtered(query: Select, chosen: CommentFilter) -> Select:
    if chosen.status is not None:
        query = query.where(SurveyResponse.comment_status == chosen.status)
    if chosen.theme == NO_THEME:
        query = query.where(SurveyResponse.comment_theme.is_(None))
    elif chosen.theme is not None:
        query = query.where(SurveyResponse.comment_theme == chosen.theme)
    return query


def comment_page(chosen: CommentFilter, page: int = 1) -> CommentPage:
    """One page, newest quarter first: two statements, however many comments there are."""
    query = filtered(released_comments(), chosen)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    rows = db.session.scalars(
        query.order_by(SurveyResponse.period.desc(), SurveyResponse.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return CommentPage(list(rows), total, page)


def all_comments(chosen: CommentFilter) -> list[SurveyResponse]:
    """For the export: every comment the filter picks, in the page's order."""
    query = filtered(released_comments(), chosen)
    return list(db.session.scalars(query.order_by(SurveyResponse.period.desc(), SurveyResponse.id)))


def get_comment(response_id: str) -> SurveyResponse | None:
    """A released comment of a sealed quarter, or None (unknown, empty, in the pool or not sealed)."""
    return db.session.scalar(released_comments().where(SurveyResponse.id == response_id))


def mark(response: SurveyResponse, status: CommentStatus, theme: str | None) -> None:
    if theme is not None and theme not in THEMES:
        raise ValueError(theme)
    response.comment_status = status
    response.comment_theme = theme


def comment_backlog() -> int:
    """Released comments nobody has read yet."""
    query = filtered(released_comments(), CommentFilter(status=CommentStatus.NEW))
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def known_names() -> frozenset[str]:
    """Every name the system knows, in one statement: accounts' usernames and display names,
    invited experts, and the names on bookings and waitlist entries not yet anonymised."""
    names = union(
        select(User.username),
        select(User.display_name),
        select(Invitation.display_name),
        select(Booking.name).where(Booking.anonymised_at.is_(None)),
        select(WaitlistEntry.name),
    )
    return name_words(db.session.scalars(select(names.subquery().c[0])))
