"""Experts publish slots: one-off or weekly series; parents see the ones they can still book."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from mentoring import clock
from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.consultations.models import (
    CallDirection,
    ContactMode,
    ExpertProfile,
    Slot,
    SlotSeries,
)
from mentoring.extensions import db
from mentoring.security import Role

MAX_SERIES_WEEKS = 53


class SlotError(Exception):
    """A slot rule was broken; `code` names it, the view words it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class SlotSpec:
    """What an expert chooses for a slot or a series."""

    mode: ContactMode
    languages: list[str]
    topics: list[str]
    capacity: int = 1
    call_direction: CallDirection = CallDirection.EXPERT_CALLS
    call_number: str | None = None
    min_notice_hours: int = 12
    horizon_days: int = 60
    cancel_deadline_hours: int = 12
    extra: dict = field(default_factory=dict)

    def columns(self) -> dict:
        return {
            "mode": self.mode,
            "languages": self.languages,
            "topics": self.topics,
            "capacity": self.capacity,
            "call_direction": self.call_direction,
            "call_number": self.call_number if self.mode == ContactMode.PHONE else None,
            "min_notice_hours": self.min_notice_hours,
            "horizon_days": self.horizon_days,
            "cancel_deadline_hours": self.cancel_deadline_hours,
        }


# Experts publish consultation hours; mentor parents publish meeting times for their families.
HOSTING_ROLES = (Role.EXPERT, Role.MENTOR)


def create_profile_for(user: User) -> None:
    """When an expert's or mentor's account is made, their (empty) publishing profile is made too."""
    if user.role in HOSTING_ROLES:
        db.session.add(ExpertProfile(user_id=user.id, languages=[user.locale]))
        db.session.flush()


def expert_profile_of(user: User) -> ExpertProfile:
    """The publishing profile made with the account (see `create_profile_for`)."""
    return db.session.scalars(select(ExpertProfile).where(ExpertProfile.user_id == user.id)).one()


def update_profile(
    profile: ExpertProfile, profession: str, languages: list[str], call_number: str | None
) -> None:
    profile.profession = profession.strip()
    profile.languages = languages
    profile.call_number = call_number or None
    db.session.flush()


def new_slot(
    expert: ExpertProfile, starts_at: datetime, minutes: int, spec: SlotSpec, series_id: int | None = None
) -> Slot:
    return Slot(
        expert_id=expert.id,
        series_id=series_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        bookable_from=starts_at - timedelta(days=spec.horizon_days),
        bookable_until=starts_at - timedelta(hours=spec.min_notice_hours),
        **spec.columns(),
    )


def occupied_starts(expert: ExpertProfile, first: datetime, last: datetime) -> set[datetime]:
    return set(
        db.session.scalars(
            select(Slot.starts_at).where(
                Slot.expert_id == expert.id,
                Slot.starts_at >= first,
                Slot.starts_at <= last,
            )
        )
    )


def create_slot(
    expert: ExpertProfile,
    starts_at: datetime,
    minutes: int,
    spec: SlotSpec,
    host_mentor_id: int | None = None,
) -> Slot:
    """One-off slot; raise SlotError('in_past' | 'taken').

    With `host_mentor_id` it is that mentor parent's meeting time, bookable by their families only.
    """
    if starts_at <= utcnow():
        raise SlotError("in_past")
    if starts_at in occupied_starts(expert, starts_at, starts_at):
        raise SlotError("taken")
    slot = new_slot(expert, starts_at, minutes, spec)
    slot.host_mentor_id = host_mentor_id
    db.session.add(slot)
    db.session.flush()
    return slot


def series_starts(series: SlotSeries) -> list[datetime]:
    """Every slot start of the rule as UTC, from local wall times (daylight saving included)."""
    starts: list[datetime] = []
    skipped = set(series.skipped_dates or [])
    day = series.first_date + timedelta(days=(series.weekday - series.first_date.weekday()) % 7)
    length = timedelta(minutes=series.slot_minutes)
    while day <= series.last_date:
        if day.isoformat() not in skipped:
            local = clock.at(day, series.start_time)
            end = clock.at(day, series.end_time)
            while local + length <= end:
                starts.append(local.astimezone(UTC))
                local += length
        day += timedelta(days=7)
    return starts


def create_series(
    expert: ExpertProfile,
    weekday: int,
    start_time: time,
    end_time: time,
    slot_minutes: int,
    first_date: date,
    last_date: date,
    skipped_dates: list[date],
    spec: SlotSpec,
) -> tuple[SlotSeries, int]:
    """Create the weekly rule and its future slots; times already taken by the expert are left out.

    Raise SlotError('dates' | 'times' | 'too_long' | 'no_slots').
    """
    if last_date < first_date:
        raise SlotError("dates")
    if (last_date - first_date).days > MAX_SERIES_WEEKS * 7:
        raise SlotError("too_long")
    if (
        end_time <= start_time
        or slot_minutes
        > (datetime.combine(first_date, end_time) - datetime.combine(first_date, start_time)).total_seconds()
        / 60
    ):
        raise SlotError("times")
    series = SlotSeries(
        expert_id=expert.id,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        slot_minutes=slot_minutes,
        first_date=first_date,
        last_date=last_date,
        skipped_dates=[d.isoformat() for d in skipped_dates],
        **spec.columns(),
    )
    db.session.add(series)
    db.session.flush()
    now = utcnow()
    starts = [s for s in series_starts(series) if s > now]
    if not starts:
        raise SlotError("no_slots")
    taken = occupied_starts(expert, starts[0], starts[-1])
    slots = [new_slot(expert, s, slot_minutes, spec, series.id) for s in starts if s not in taken]
    db.session.add_all(slots)
    db.session.flush()
    return series, len(slots)


def own_series(expert: ExpertProfile, series_id: int) -> SlotSeries | None:
    """A series only if it is this expert's (else None: 404, not a leak)."""
    series = db.session.get(SlotSeries, series_id)
    return series if series is not None and series.expert_id == expert.id else None


def series_slot_ids(series: SlotSeries) -> list[int]:
    return list(
        db.session.scalars(select(Slot.id).where(Slot.series_id == series.id).order_by(Slot.starts_at))
    )


def expert_slots(expert: ExpertProfile, start: datetime, end: datetime) -> list[Slot]:
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.expert_id == expert.id, Slot.starts_at >= start, Slot.starts_at < end)
            .order_by(Slot.starts_at)
        )
    )


def expert_series(expert: ExpertProfile) -> list[SlotSeries]:
    return list(
        db.session.scalars(
            select(SlotSeries)
            .where(SlotSeries.expert_id == expert.id, SlotSeries.is_cancelled.is_(False))
            .order_by(SlotSeries.first_date)
        )
    )
