"""The mentoring relationship once a family and a mentor parent are matched.

active → completed (goals met, or the planned end reached) or ended early with a reason, by the
family, the mentor or a coordinator. The first logged contact is the first-contact step; after the
trial weeks the family answers "does it fit?", and "no" ends the match so they can be matched again.
Every end gives the mentor's place back in the same statement style as the claim (never below 0).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from mentoring import clock, events
from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.extensions import db, decrement
from mentoring.mentorships import messages, pathway
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import (
    EndedBy,
    MatchStatus,
    MentorContact,
    MentoringMatch,
    MentorProfile,
)

# A logged contact can be corrected or deleted by its mentor for this many days, then it is read-only.
CONTACT_EDIT_DAYS = 14

# Why a mentoring ends; "goals_met" ends it as completed, every other reason as ended early.
END_REASONS = ("goals_met", "not_fitting", "no_time", "moved_away", "no_contact", "other")


@dataclass(frozen=True)
class ContactEntry:
    on: date
    mode: str
    minutes: int
    topics: list[str]
    note: str


def release_place(mentor_id: int) -> None:
    decrement(MentorProfile.active_count, mentor_id)


def locked_active_match(match_id: int) -> MentoringMatch:
    match = db.session.scalars(
        select(MentoringMatch)
        .where(MentoringMatch.id == match_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if match is None or match.status != MatchStatus.ACTIVE:
        raise MentoringError("gone")
    return match


def end_match(match_id: int, reason: str, ended_by: EndedBy, now: datetime | None = None) -> MentoringMatch:
    """End an active match; raise MentoringError('gone') if it is not active any more."""
    if reason not in END_REASONS:
        raise MentoringError("reason")
    match = locked_active_match(match_id)
    match.status = MatchStatus.COMPLETED if reason == "goals_met" else MatchStatus.ENDED
    match.end_reason = reason
    match.ended_by = ended_by.value
    match.ended_at = now or utcnow()
    assert match.mentor_id is not None, "an active match always has its mentor parent"
    release_place(match.mentor_id)
    db.session.flush()
    events.mentoring_milestone.send(match, moment="end")  # the family may get a survey
    messages.ended(match, ended_by)
    if match.status == MatchStatus.COMPLETED:
        pathway.invite_to_mentor(match.parent)  # once per family, from mentee to mentor parent
    return match


def complete_at_planned_end(today: date) -> list[MentoringMatch]:
    """Active matches whose planned end has come are completed; both sides are told (by end_match)."""
    due = db.session.scalars(
        select(MentoringMatch.id).where(
            MentoringMatch.status == MatchStatus.ACTIVE, MentoringMatch.planned_end_on <= today
        )
    ).all()
    return [end_match(match_id, "goals_met", EndedBy.PLATFORM) for match_id in due]


def log_contact(profile: MentorProfile, match_id: int, entry: ContactEntry) -> MentorContact:
    """The mentor logs a contact with one of their active families; the first one is the first contact."""
    match = own_match(profile, match_id)
    if match is None or match.status != MatchStatus.ACTIVE:
        raise MentoringError("gone")
    check_contact_entry(match, entry)
    contact = MentorContact(
        match_id=match.id,
        on=entry.on,
        mode=entry.mode,
        minutes=entry.minutes,
        topics=entry.topics,
        note=entry.note,
    )
    db.session.add(contact)
    match.first_contact_on = min(filter(None, [match.first_contact_on, entry.on]))
    match.last_contact_on = max(filter(None, [match.last_contact_on, entry.on]))
    match.no_contact_reminders = 0  # a later silence is reported again from the first step
    db.session.flush()
    return contact


def check_contact_entry(match: MentoringMatch, entry: ContactEntry) -> None:
    if entry.on > clock.today() or (match.answered_at and entry.on < clock.local_date(match.answered_at)):
        raise MentoringError("contact_date")


def may_change_contact(contact: MentorContact, now: datetime | None = None) -> bool:
    """A contact stays correctable for CONTACT_EDIT_DAYS after it was logged."""
    return (now or utcnow()) < contact.created_at + timedelta(days=CONTACT_EDIT_DAYS)


def own_contact(profile: MentorProfile, contact_id: int) -> MentorContact | None:
    """A contact only if this mentor logged it (in one of their mentorings), else None: 404."""
    return db.session.scalars(
        select(MentorContact)
        .join(MentoringMatch, MentoringMatch.id == MentorContact.match_id)
        .where(MentorContact.id == contact_id, MentoringMatch.mentor_id == profile.id)
    ).first()


def changeable_contact(profile: MentorProfile, contact_id: int, now: datetime | None) -> MentorContact:
    contact = own_contact(profile, contact_id)
    if contact is None:
        raise MentoringError("gone")
    if not may_change_contact(contact, now):
        raise MentoringError("contact_locked")
    return contact


def recount_contact_days(match_id: int) -> None:
    """First and last contact day follow the log after a correction or a deletion."""
    first, last = db.session.execute(
        select(func.min(MentorContact.on), func.max(MentorContact.on)).where(
            MentorContact.match_id == match_id
        )
    ).one()
    match = db.session.get(MentoringMatch, match_id)
    assert match is not None
    match.first_contact_on, match.last_contact_on = first, last


def correct_contact(
    profile: MentorProfile, contact_id: int, entry: ContactEntry, now: datetime | None = None
) -> MentorContact:
    """The mentor corrects a contact within CONTACT_EDIT_DAYS.

    Raise 'contact_locked' after that, 'gone' if it is not theirs.
    """
    contact = changeable_contact(profile, contact_id, now)
    match = db.session.get(MentoringMatch, contact.match_id)
    assert match is not None
    check_contact_entry(match, entry)
    contact.on, contact.mode, contact.minutes = entry.on, entry.mode, entry.minutes
    contact.topics, contact.note = entry.topics, entry.note
    db.session.flush()
    recount_contact_days(match.id)
    db.session.flush()
    return contact


def delete_contact(profile: MentorProfile, contact_id: int, now: datetime | None = None) -> int:
    """The mentor deletes a contact within CONTACT_EDIT_DAYS; returns the match id."""
    contact = changeable_contact(profile, contact_id, now)
    match_id = contact.match_id
    db.session.delete(contact)
    db.session.flush()
    recount_contact_days(match_id)
    db.session.flush()
    return match_id


def own_match(profile: MentorProfile, match_id: int) -> MentoringMatch | None:
    """A match only if it is this mentor's (else None: 404, not a leak)."""
    return db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id, MentoringMatch.mentor_id == profile.id)
    ).first()


def contacts_of(match: MentoringMatch) -> list[MentorContact]:
    return list(
        db.session.scalars(
            select(MentorContact)
            .where(MentorContact.match_id == match.id)
            .order_by(MentorContact.on.desc(), MentorContact.id.desc())
        )
    )


def contact_counts(match_ids: list[int]) -> dict[int, int]:
    """What coordinators see of the contact log: how many, never the notes."""
    if not match_ids:
        return {}
    return dict(
        db.session.execute(
            select(MentorContact.match_id, func.count())
            .where(MentorContact.match_id.in_(match_ids))
            .group_by(MentorContact.match_id)
        ).all()
    )


def answer_trial(parent: User, match_id: int, fits: bool) -> MentoringMatch:
    """The family's answer at the trial review; "no" ends the match so they can be matched again."""
    match = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id, MentoringMatch.parent_id == parent.id)
    ).first()
    if match is None or match.status != MatchStatus.ACTIVE or match.trial_answer is not None:
        raise MentoringError("gone")
    if match.trial_review_on is None or match.trial_review_on > clock.today():
        raise MentoringError("gone")
    match.trial_answer = "yes" if fits else "no"
    if not fits:
        end_match(match.id, "not_fitting", EndedBy.PARENT)
    db.session.flush()
    return match


def trial_reviews_due(today: date) -> list[MentoringMatch]:
    """Active matches whose trial review day has come and whose family was not asked yet."""
    due = list(
        db.session.scalars(
            select(MentoringMatch).where(
                MentoringMatch.status == MatchStatus.ACTIVE,
                MentoringMatch.trial_review_on <= today,
                MentoringMatch.trial_asked.is_(False),
            )
        )
    )
    for match in due:
        match.trial_asked = True
        messages.trial_review(match)
    db.session.flush()
    return due


def visible_contact(match: MentoringMatch, shares: list[str], user: User) -> dict[str, str]:
    """The contact details one side shares with the other, and only once the match is active."""
    if match.status != MatchStatus.ACTIVE:
        return {}
    return {kind: value for kind in ("phone", "email") if kind in shares and (value := getattr(user, kind))}


def three_months_in(today: date) -> list[MentoringMatch]:
    """Active mentorings that began three months ago (a week's window, so a missed day is caught up)."""
    latest = clock.end_of_day(today - timedelta(days=90))
    earliest = clock.end_of_day(today - timedelta(days=97))
    return list(
        db.session.scalars(
            select(MentoringMatch).where(
                MentoringMatch.status == MatchStatus.ACTIVE,
                MentoringMatch.answered_at >= earliest,
                MentoringMatch.answered_at < latest,
            )
        )
    )


def ask_three_month_surveys(today: date) -> int:
    """Three months into a mentoring the family may be asked for the survey; returns how many were."""
    asked = 0
    for match in three_months_in(today):
        answers = events.mentoring_milestone.send(match, moment="3m")
        asked += any(result for _receiver, result in answers)
    return asked
