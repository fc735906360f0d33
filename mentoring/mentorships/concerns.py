""" "I am worried / I need advice": a mentor parent's private thread with the programme office.

A mentor raises a concern about one of their own families; the mentor and coordinators write in
it, nobody else reads it (not the family, not the mentor's other families, not other mentors).
The office sees the open threads oldest first, answers and closes; the mentor is told that there
is an answer (never what it says). The time to the first answer feeds one dashboard figure.
"""

from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import (
    Concern,
    ConcernMessage,
    ConcernStatus,
    MentoringMatch,
    MentorProfile,
)
from mentoring.notifications.services import queue_message

MAX_MESSAGE = 4000


def checked_body(body: str) -> str:
    text = body.strip()
    if not text or len(text) > MAX_MESSAGE:
        raise MentoringError("concern_text")
    return text


def raise_concern(profile: MentorProfile, match_id: int, body: str, now: datetime | None = None) -> Concern:
    """The mentor opens a thread about one of their own families (active or ended); else 'gone'."""
    match = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id, MentoringMatch.mentor_id == profile.id)
    ).first()
    if match is None:
        raise MentoringError("gone")
    text = checked_body(body)
    at = now or utcnow()
    concern = Concern(mentor_id=profile.id, match_id=match.id, status=ConcernStatus.OPEN, opened_at=at)
    db.session.add(concern)
    db.session.flush()
    db.session.add(ConcernMessage(concern_id=concern.id, author_id=profile.user_id, body=text, written_at=at))
    db.session.flush()
    return concern


def own_concern(profile: MentorProfile, concern_id: int) -> Concern | None:
    """A concern only if this mentor raised it (else None: 404, nothing leaks)."""
    return db.session.scalars(
        select(Concern).where(Concern.id == concern_id, Concern.mentor_id == profile.id)
    ).first()


def concern_for_office(concern_id: int) -> Concern | None:
    return db.session.get(Concern, concern_id)


def concerns_about(profile: MentorProfile, match_id: int) -> list[Concern]:
    """This mentor's threads about one family, newest first."""
    return list(
        db.session.scalars(
            select(Concern)
            .where(Concern.mentor_id == profile.id, Concern.match_id == match_id)
            .order_by(Concern.opened_at.desc(), Concern.id.desc())
        )
    )


def thread(concern: Concern) -> list[ConcernMessage]:
    return list(
        db.session.scalars(
            select(ConcernMessage)
            .where(ConcernMessage.concern_id == concern.id)
            .order_by(ConcernMessage.written_at, ConcernMessage.id)
        )
    )


def mentor_writes(profile: MentorProfile, concern_id: int, body: str, now: datetime | None = None) -> Concern:
    """The mentor adds to their own thread; writing again re-opens a closed one."""
    concern = own_concern(profile, concern_id)
    if concern is None:
        raise MentoringError("gone")
    db.session.add(
        ConcernMessage(
            concern_id=concern.id,
            author_id=profile.user_id,
            body=checked_body(body),
            written_at=now or utcnow(),
        )
    )
    concern.status = ConcernStatus.OPEN
    concern.closed_at = None
    db.session.flush()
    return concern


def office_answers(coordinator: User, concern_id: int, body: str, now: datetime | None = None) -> Concern:
    """A coordinator answers; the mentor is told there is an answer (in their language, no content)."""
    concern = db.session.scalars(select(Concern).where(Concern.id == concern_id).with_for_update()).first()
    if concern is None:
        raise MentoringError("gone")
    at = now or utcnow()
    db.session.add(
        ConcernMessage(
            concern_id=concern.id,
            author_id=coordinator.id,
            is_from_office=True,
            body=checked_body(body),
            written_at=at,
        )
    )
    if concern.first_answer_at is None:
        concern.first_answer_at = at
    db.session.flush()
    tell_mentor(concern)
    return concern


def tell_mentor(concern: Concern) -> None:
    mentor = concern.mentor.user
    if not (mentor.email or mentor.phone):
        return
    queue_message(
        mentor.email,
        mentor.phone,
        "mentorships/concern_answered",
        mentor.locale,
        person=mentor,
        link=public_url("mentorships.concern", concern_id=concern.id, lang=mentor.locale),
    )


def close(concern_id: int, now: datetime | None = None) -> Concern:
    """The office closes a thread; raise 'gone' if it is closed already."""
    concern = db.session.get(Concern, concern_id)
    if concern is None or concern.status != ConcernStatus.OPEN:
        raise MentoringError("gone")
    concern.status = ConcernStatus.CLOSED
    concern.closed_at = now or utcnow()
    db.session.flush()
    return concern


def open_concerns() -> list[Concern]:
    """The office's list: open threads, the oldest first (the longest waiting on top)."""
    return list(
        db.session.scalars(
            select(Concern)
            .options(joinedload(Concern.mentor).joinedload(MentorProfile.user))  # the list names them
            .where(Concern.status == ConcernStatus.OPEN)
            .order_by(Concern.opened_at, Concern.id)
        )
    )


def median_first_answer_hours() -> tuple[int, float | None]:
    """How many threads were answered, and the median hours from opening to the first answer.

    The caller suppresses the figure below the threshold, like every other figure.
    """
    rows = db.session.execute(
        select(Concern.opened_at, Concern.first_answer_at).where(Concern.first_answer_at.is_not(None))
    ).all()
    hours = [(answered - opened).total_seconds() / 3600 for opened, answered in rows if answered]
    return len(hours), (round(median(hours), 1) if hours else None)
