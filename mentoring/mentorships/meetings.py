"""Meeting times of a mentor parent: published through the consultation booking engine, bookable
only by the mentor's own active families and not on the mentor's away days (the audience rule the
seat claim asks through a seam). A mentor can withdraw a time; a family that booked it is told."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from mentoring import clock
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import services as slot_services
from mentoring.consultations.models import ContactMode, Slot, SlotStatus
from mentoring.consultations.slots import SlotFilter, list_bookable_slots
from mentoring.extensions import db
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import MatchStatus, MentorAway, MentoringMatch, MentorProfile


def is_active_family(mentor_id: int, user_id: int) -> bool:
    """The audience rule of a mentor's meeting times: the user is one of their active families."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MentoringMatch)
            .where(
                MentoringMatch.mentor_id == mentor_id,
                MentoringMatch.parent_id == user_id,
                MentoringMatch.status == MatchStatus.ACTIVE,
            )
        )
        or 0
    ) > 0


def is_away_on(mentor_id: int, day: date) -> bool:
    """Whether one of the mentor's away periods covers this local day."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MentorAway)
            .where(MentorAway.mentor_id == mentor_id, MentorAway.first_day <= day, MentorAway.last_day >= day)
        )
        or 0
    ) > 0


def may_book_meeting(mentor_id: int, user_id: int, starts_at: datetime) -> bool:
    """The audience rule: one of the mentor's active families, on a day the mentor is not away."""
    return is_active_family(mentor_id, user_id) and not is_away_on(mentor_id, clock.local_date(starts_at))


def publish_meeting(profile: MentorProfile, starts_at: datetime, minutes: int, mode: ContactMode) -> Slot:
    """A meeting time only this mentor's active families can book (the consultation booking engine).

    Raise SlotError('in_past' | 'taken').
    """
    host = slot_services.expert_profile_of(profile.user)
    spec = slot_services.SlotSpec(
        mode=mode, languages=profile.languages, topics=[], min_notice_hours=2, cancel_deadline_hours=2
    )
    return slot_services.create_slot(host, starts_at, minutes, spec, host_mentor_id=profile.id)


def meeting_times(profile: MentorProfile, first_day: date, days: int = 90) -> list[Slot]:
    """The mentor's own meeting times from `first_day` on (booked or not), soonest first."""
    host = slot_services.expert_profile_of(profile.user)
    start = clock.day_start(first_day)
    upcoming = slot_services.expert_slots(host, start, start + timedelta(days=days))
    return [slot for slot in upcoming if slot.host_mentor_id]


def bookable_meetings(match: MentoringMatch, limit: int = 20) -> list[Slot]:
    """The family's view: their mentor's meeting times they can book now."""
    if match.status != MatchStatus.ACTIVE or match.mentor_id is None:
        return []
    found = list_bookable_slots(SlotFilter(host_mentor=match.mentor_id), limit=limit + 50)
    hidden = hidden_by_away(match.mentor_id, found)
    return [slot for slot in found if slot.id not in hidden][:limit]


def hidden_by_away(mentor_id: int, slots: list[Slot]) -> set[int]:
    """The meeting times that fall on one of the mentor's away days (families do not see them)."""
    away = list(db.session.scalars(select(MentorAway).where(MentorAway.mentor_id == mentor_id)))
    return {
        slot.id
        for slot in slots
        if any(p.first_day <= clock.local_date(slot.starts_at) <= p.last_day for p in away)
    }


def own_meeting(profile: MentorProfile, slot_id: int) -> Slot | None:
    """One of this mentor's meeting times (else None: 404)."""
    return db.session.scalars(
        select(Slot).where(Slot.id == slot_id, Slot.host_mentor_id == profile.id)
    ).first()


def withdraw_meeting(profile: MentorProfile, slot_id: int, reason: str = "") -> int:
    """The mentor withdraws an open meeting time; a family that booked it is told (in their language).

    Raise MentoringError('gone') if it is not theirs or not open any more; returns how many were told.
    """
    slot = db.session.scalars(
        select(Slot).where(Slot.id == slot_id, Slot.host_mentor_id == profile.id).with_for_update()
    ).first()
    if slot is None or slot.status != SlotStatus.OPEN or slot.starts_at <= clock.utcnow():
        raise MentoringError("gone")
    return booking_rules.cancel_slot(slot, reason)
