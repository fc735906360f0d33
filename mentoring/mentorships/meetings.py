"""Meeting times of a mentor parent: published through the consultation booking engine, bookable
only by the mentor's own active families (the audience rule the seat claim asks through a seam)."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from mentoring import clock
from mentoring.consultations import services as slot_services
from mentoring.consultations.models import ContactMode, Slot
from mentoring.consultations.slots import SlotFilter, list_bookable_slots
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile


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
    return list_bookable_slots(SlotFilter(host_mentor=match.mentor_id), limit=limit)
