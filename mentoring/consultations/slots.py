"""Which slots may be booked, and by whom: the one query every list and every seat claim uses.

The public list, the print sheet, the API, the move page, a family's meeting times with their
mentor, the waitlist and the seat claim itself all ask `bookable_slots`, so "bookable" means the
same everywhere: open, inside its booking window (minimum notice, horizon), with a free seat, for
the right audience (the public hours, or one mentor parent's families), matching the filters.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from mentoring import clock
from mentoring.consultations.models import ContactMode, ExpertProfile, Slot, SlotStatus
from mentoring.db import has_tag
from mentoring.extensions import db

ANY_HOST = -1  # `host_mentor=ANY_HOST`: public slots and mentors' meeting times alike (the seat claim)


@dataclass(frozen=True)
class SlotFilter:
    """What a parent (or the waitlist on their behalf) looks for; None means any."""

    topic: str | None = None
    language: str | None = None
    mode: ContactMode | str | None = None
    day: date | None = None
    date_from: date | None = None
    date_to: date | None = None
    # None: the public consultation hours; a mentor profile id: that mentor parent's meeting times.
    host_mentor: int | None = None
    slot_id: int | None = None
    exclude_ids: frozenset[int] = field(default_factory=frozenset)
    # False only for a slot whose seat the caller has just claimed (the count already includes it).
    needs_free_seat: bool = True


def bookable_now(now: datetime, needs_free_seat: bool = True) -> list[ColumnElement[bool]]:
    """The time and seat rule as SQL: open, inside the booking window, a seat left."""
    conditions = [
        Slot.status == SlotStatus.OPEN,
        Slot.bookable_from <= now,
        Slot.bookable_until > now,
    ]
    if needs_free_seat:
        conditions.append(Slot.booked_count < Slot.capacity)
    return conditions


def bookable_slots(filters: SlotFilter, now: datetime | None = None) -> Select[Slot]:
    """The slots one may book now that match `filters`, soonest first (a query to page or limit)."""
    query = select(Slot).where(*bookable_now(now or clock.utcnow(), filters.needs_free_seat))
    if filters.host_mentor is None:
        query = query.where(Slot.host_mentor_id.is_(None))
    elif filters.host_mentor != ANY_HOST:
        query = query.where(Slot.host_mentor_id == filters.host_mentor)
    if filters.slot_id is not None:
        query = query.where(Slot.id == filters.slot_id)
    if filters.exclude_ids:
        query = query.where(Slot.id.not_in(filters.exclude_ids))
    if filters.topic:
        query = query.where(has_tag(Slot.topics, filters.topic))
    if filters.language:
        query = query.where(has_tag(Slot.languages, filters.language))
    if filters.mode:
        query = query.where(Slot.mode == ContactMode(filters.mode))
    first = filters.day or filters.date_from
    last = filters.day or filters.date_to
    if first:
        query = query.where(Slot.starts_at >= clock.day_start(first))
    if last:
        query = query.where(Slot.starts_at < clock.end_of_day(last))
    return query.order_by(Slot.starts_at, Slot.id)


def list_bookable_slots(filters: SlotFilter, limit: int = 200, offset: int = 0) -> list[Slot]:
    """Bookable slots with their experts loaded in the same query."""
    query = (
        bookable_slots(filters)
        .options(joinedload(Slot.expert).joinedload(ExpertProfile.user))
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(query).unique())


def is_bookable(slot_id: int, filters: SlotFilter | None = None) -> bool:
    """Whether this one slot passes the same rule (and `filters`) right now."""
    wanted = filters or SlotFilter(host_mentor=ANY_HOST)
    query = bookable_slots(replace(wanted, slot_id=slot_id))
    return db.session.scalar(query.with_only_columns(Slot.id).limit(1)) is not None


def get_slot(slot_id: int) -> Slot | None:
    """A slot with its expert, bookable or not (the booking page explains why it is not)."""
    return db.session.scalars(
        select(Slot).where(Slot.id == slot_id).options(joinedload(Slot.expert).joinedload(ExpertProfile.user))
    ).first()
