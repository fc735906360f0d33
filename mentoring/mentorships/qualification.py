"""Mentor parents keep learning: their qualification record, and the office's group sessions.

- The record lists trainings, exchange meetings and supervision; coordinators write it, the mentor
  reads their own.
- Exchange meetings, supervision and trainings are group sessions the office publishes; only active
  (vetted) mentor parents see and book them. A seat is claimed like a consultation seat
  (`consultations.seats.claim_seat`): one conditional `UPDATE ... SET booked_count = booked_count + 1
  WHERE booked_count < capacity AND starts_at > now`, which takes the row lock on PostgreSQL (SQLite
  lets one writer in at a time); the CHECK `booked_count <= capacity` is the backstop.
- One rule feeds the record from attendance (`record_attendance`): attended adds the line, taken
  back removes it.
- The office hears once per gap when an active mentor had no exchange or supervision for
  MENTOR_EXCHANGE_REMINDER_DAYS (`exchange_gaps`, in the coordinators' digest).
Services flush; the caller commits.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mentoring.accounts.models import User
from mentoring.clock import local_date
from mentoring.extensions import db, decrement, increment_if
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import (
    GroupSeat,
    GroupSession,
    LearningEntry,
    LearningKind,
    MentorProfile,
    MentorStatus,
)

MEETING_KINDS = (LearningKind.EXCHANGE, LearningKind.SUPERVISION)
TRAINED_WITHIN_DAYS = 365


def record_of(profile: MentorProfile) -> list[LearningEntry]:
    """A mentor parent's qualification record, newest first."""
    return list(
        db.session.scalars(
            select(LearningEntry)
            .where(LearningEntry.mentor_id == profile.id)
            .order_by(LearningEntry.on.desc(), LearningEntry.id.desc())
        )
    )


def add_entry(
    profile: MentorProfile, coordinator: User, kind: LearningKind, on: date, topic: str, today: date
) -> LearningEntry:
    """A training, exchange or supervision the mentor took part in; raise MentoringError('learning_date')
    for a day in the future or more than ten years back."""
    if on > today or on < today - timedelta(days=3653):
        raise MentoringError("learning_date")
    entry = LearningEntry(
        mentor_id=profile.id, kind=kind, on=on, topic=topic.strip(), recorded_by_id=coordinator.id
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class SessionSpec:
    kind: LearningKind
    topic: str
    starts_at: datetime
    minutes: int
    place: str
    is_online: bool
    capacity: int


def publish_session(coordinator: User, spec: SessionSpec, now: datetime) -> GroupSession:
    """A group session for active mentor parents; raise MentoringError('session_in_past')."""
    if spec.starts_at <= now:
        raise MentoringError("session_in_past")
    session = GroupSession(
        kind=spec.kind,
        topic=spec.topic.strip(),
        starts_at=spec.starts_at,
        ends_at=spec.starts_at + timedelta(minutes=spec.minutes),
        place=spec.place.strip(),
        is_online=spec.is_online,
        capacity=spec.capacity,
        created_by_id=coordinator.id,
    )
    db.session.add(session)
    db.session.flush()
    return session


def sessions(since: datetime) -> list[GroupSession]:
    """Sessions that end after `since` (the office's list), soonest first."""
    return list(
        db.session.scalars(
            select(GroupSession).where(GroupSession.ends_at > since).order_by(GroupSession.starts_at)
        )
    )


def past_sessions(now: datetime, limit: int = 20) -> list[GroupSession]:
    return list(
        db.session.scalars(
            select(GroupSession)
            .where(GroupSession.starts_at <= now)
            .order_by(GroupSession.starts_at.desc())
            .limit(limit)
        )
    )


def may_take_part(profile: MentorProfile) -> bool:
    """Only vetted, active mentor parents see and book group sessions."""
    return profile.status == MentorStatus.ACTIVE


def open_sessions(profile: MentorProfile, now: datetime) -> list[GroupSession]:
    """What an active mentor parent may book: sessions still to come (none for anyone else)."""
    if not may_take_part(profile):
        return []
    return [s for s in sessions(now) if s.starts_at > now]


def booked_session_ids(profile: MentorProfile) -> set[int]:
    return set(db.session.scalars(select(GroupSeat.session_id).where(GroupSeat.mentor_id == profile.id)))


def book(profile: MentorProfile, session_id: int, now: datetime) -> GroupSeat:
    """Take one place; raise MentoringError('not_active' | 'session_gone' | 'session_full' |
    'already_booked'). The seat is claimed by one conditional UPDATE, never beyond capacity."""
    if not may_take_part(profile):
        raise MentoringError("not_active")
    if not increment_if(
        GroupSession.booked_count,
        session_id,
        GroupSession.starts_at > now,
        GroupSession.booked_count < GroupSession.capacity,
    ):
        session = db.session.get(GroupSession, session_id)
        if session is None or session.starts_at <= now:
            raise MentoringError("session_gone")
        raise MentoringError("session_full")
    # Checked with the session's row held (PostgreSQL) or the write lock (SQLite), so a double
    # click cannot take two places; the unique constraint is the backstop.
    if session_id in booked_session_ids(profile):
        raise MentoringError("already_booked")
    seat = GroupSeat(session_id=session_id, mentor_id=profile.id)
    db.session.add(seat)
    db.session.flush()
    return seat


def cancel(profile: MentorProfile, session_id: int, now: datetime) -> None:
    """Give the place back before the session starts; raise MentoringError('session_gone')."""
    seat = db.session.scalars(
        select(GroupSeat).where(GroupSeat.session_id == session_id, GroupSeat.mentor_id == profile.id)
    ).one_or_none()
    if seat is None or seat.session.starts_at <= now:
        raise MentoringError("session_gone")
    db.session.delete(seat)
    db.session.flush()
    decrement(GroupSession.booked_count, session_id)


def my_sessions(profile: MentorProfile, now: datetime) -> list[GroupSession]:
    """The sessions a mentor booked that are still to come."""
    return list(
        db.session.scalars(
            select(GroupSession)
            .join(GroupSeat, GroupSeat.session_id == GroupSession.id)
            .where(GroupSeat.mentor_id == profile.id, GroupSession.ends_at > now)
            .order_by(GroupSession.starts_at)
        )
    )


def seats_of(session_id: int) -> list[GroupSeat]:
    """Who booked a session, with their names loaded in one go (the office's attendance list)."""
    return list(
        db.session.scalars(
            select(GroupSeat)
            .where(GroupSeat.session_id == session_id)
            .options(selectinload(GroupSeat.mentor).selectinload(MentorProfile.user))
            .order_by(GroupSeat.id)
        )
    )


def record_attendance(session_id: int, coordinator: User, attended_ids: set[int], now: datetime) -> int:
    """Who came to a session that has started: each seat is marked, and the qualification record
    follows (one line per attending mentor, removed again if taken back); raise
    MentoringError('session_not_started'). Returns how many attended."""
    session = db.session.get(GroupSession, session_id)
    if session is None or session.starts_at > now:
        raise MentoringError("session_not_started")
    count = 0
    for seat in seats_of(session_id):
        seat.attended = seat.mentor_id in attended_ids
        entry = db.session.scalars(
            select(LearningEntry).where(
                LearningEntry.session_id == session_id, LearningEntry.mentor_id == seat.mentor_id
            )
        ).one_or_none()
        if seat.attended:
            count += 1
            if entry is None:
                db.session.add(
                    LearningEntry(
                        mentor_id=seat.mentor_id,
                        kind=session.kind,
                        on=local_date(session.starts_at),
                        topic=session.topic,
                        session_id=session.id,
                        recorded_by_id=coordinator.id,
                    )
                )
        elif entry is not None:
            db.session.delete(entry)
    session.attendance_recorded_at = now
    db.session.flush()
    return count


def last_meeting_on(profile_ids: list[int], today: date) -> dict[int, date]:
    """The day of each mentor's last exchange or supervision, up to today."""
    rows = db.session.execute(
        select(LearningEntry.mentor_id, func.max(LearningEntry.on))
        .where(
            LearningEntry.mentor_id.in_(profile_ids),
            LearningEntry.kind.in_(MEETING_KINDS),
            LearningEntry.on <= today,
        )
        .group_by(LearningEntry.mentor_id)
    ).all()
    return {mentor_id: on for mentor_id, on in rows}


def exchange_gaps(today: date) -> list[tuple[MentorProfile, int]]:
    """Active mentors with no exchange or supervision for MENTOR_EXCHANGE_REMINDER_DAYS, each told
    once per gap: (mentor, days since the last one, or since they became active)."""
    limit = current_app.config["MENTOR_EXCHANGE_REMINDER_DAYS"]
    profiles = db.session.scalars(
        select(MentorProfile).where(MentorProfile.status == MentorStatus.ACTIVE).order_by(MentorProfile.id)
    ).all()
    last = last_meeting_on([p.id for p in profiles], today)
    gaps = []
    for profile in profiles:
        since = last.get(profile.id) or (local_date(profile.vetted_at) if profile.vetted_at else None)
        if since is None:
            continue
        days = (today - since).days
        already_told = profile.exchange_reminded_on is not None and profile.exchange_reminded_on >= since
        if days >= limit and not already_told:
            profile.exchange_reminded_on = today
            gaps.append((profile, days))
    db.session.flush()
    return gaps


def trained_counts(today: date) -> tuple[int, int]:
    """(active mentors with a training in the last twelve months, active mentors)."""
    since = today - timedelta(days=TRAINED_WITHIN_DAYS)
    trained = (
        select(LearningEntry.id)
        .where(
            LearningEntry.mentor_id == MentorProfile.id,
            LearningEntry.kind == LearningKind.TRAINING,
            LearningEntry.on > since,
            LearningEntry.on <= today,
        )
        .exists()
    )
    row = db.session.execute(  # one statement: the dashboard's count is pinned
        select(func.count(), func.count().filter(trained))
        .select_from(MentorProfile)
        .where(MentorProfile.status == MentorStatus.ACTIVE)
    ).one()
    return row[1] or 0, row[0] or 0
