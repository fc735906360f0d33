"""Daily chores so no family is forgotten and nothing is kept longer than the law allows."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from mentoring.clock import local_date
from mentoring.extensions import db
from mentoring.mentorships.certificates import certificate_expires_on
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile, MentorStatus


@dataclass
class Digest:
    """What the coordinators are told today; empty lists mean no message."""

    unmatched: list[tuple[MentoringMatch, int]] = field(default_factory=list)  # (match, days waiting)
    no_contact: list[tuple[MentoringMatch, int]] = field(default_factory=list)  # (match, days silent)
    certificates: list[tuple[MentorProfile, date]] = field(default_factory=list)  # (mentor, expires on)
    applicants: list[tuple[MentorProfile, int]] = field(default_factory=list)  # (applicant, days waiting)
    # (mentor, days) without an exchange or supervision; filled by `qualification.exchange_gaps`.
    no_exchange: list[tuple[MentorProfile, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.unmatched or self.no_contact or self.certificates or self.applicants or self.no_exchange
        )


def thresholds(name: str) -> list[int]:
    return sorted(int(days) for days in current_app.config[name])


def next_step(days: int, steps: list[int], sent: int) -> int | None:
    """The count of steps reached, if it is more than the count already sent; else None."""
    count = sum(1 for step in steps if days >= step)
    return count if count > sent else None


def collect_digest(today: date) -> Digest:
    """Families waiting 7/14/45 days, matches silent 14/28 days, certificates soon five years old,
    mentor applicants waiting for vetting (new, 7 and 14 days).

    Each step is told once: the match remembers how many reminders went out.
    """
    digest = Digest()
    unmatched_steps = thresholds("UNMATCHED_REMINDER_DAYS")
    unanswered = (MatchStatus.WAITING, MatchStatus.EXPIRED, MatchStatus.DECLINED)
    for match in db.session.scalars(
        select(MentoringMatch).where(
            MentoringMatch.status.in_(unanswered),
            MentoringMatch.unmatched_reminders < len(unmatched_steps),
        )
    ):
        if not is_still_unmatched(match):
            continue
        days = (today - local_date(match.requested_at)).days
        step = next_step(days, unmatched_steps, match.unmatched_reminders)
        if step is not None:
            match.unmatched_reminders = step
            digest.unmatched.append((match, days))
    silent_steps = thresholds("NO_CONTACT_REMINDER_DAYS")
    for match in db.session.scalars(
        select(MentoringMatch).where(
            MentoringMatch.status == MatchStatus.ACTIVE,
            MentoringMatch.no_contact_reminders < len(silent_steps),
        )
    ):
        since = match.last_contact_on or (local_date(match.answered_at) if match.answered_at else today)
        days = (today - since).days
        step = next_step(days, silent_steps, match.no_contact_reminders)
        if step is not None:
            match.no_contact_reminders = step
            digest.no_contact.append((match, days))
    warn_from = today + timedelta(days=current_app.config["CERTIFICATE_REMINDER_DAYS"])
    for profile in db.session.scalars(
        select(MentorProfile).where(
            MentorProfile.status.in_((MentorStatus.ACTIVE, MentorStatus.PAUSED)),
            MentorProfile.certificate_seen_on.is_not(None),
            or_(
                MentorProfile.certificate_reminded_on.is_(None),
                MentorProfile.certificate_reminded_on < MentorProfile.certificate_seen_on,
            ),
        )
    ):
        assert profile.certificate_seen_on is not None  # the query chose only profiles with the date
        expires_on = certificate_expires_on(profile.certificate_seen_on)
        if expires_on <= warn_from:
            profile.certificate_reminded_on = today
            digest.certificates.append((profile, expires_on))
    applicant_steps = thresholds("APPLICANT_REMINDER_DAYS")
    for profile in db.session.scalars(
        select(MentorProfile)
        .where(
            MentorProfile.status == MentorStatus.APPLICANT,
            MentorProfile.applicant_reminders < len(applicant_steps),
        )
        .order_by(MentorProfile.created_at)
    ):
        days = (today - local_date(profile.created_at)).days
        step = next_step(days, applicant_steps, profile.applicant_reminders)
        if step is not None:
            profile.applicant_reminders = step
            digest.applicants.append((profile, days))
    db.session.flush()
    return digest


def is_still_unmatched(match: MentoringMatch) -> bool:
    """A waiting family, or one whose last request ended unanswered or declined and who has no new one."""
    if match.status == MatchStatus.WAITING:
        return True
    newer = db.session.scalar(
        select(MentoringMatch.id).where(
            MentoringMatch.parent_id == match.parent_id,
            MentoringMatch.id != match.id,
            MentoringMatch.requested_at >= match.requested_at,
        )
    )
    return newer is None


def forget_vetting_facts(today: date) -> int:
    """Three months after a mentor stops, the facts about their certificate are deleted."""
    cutoff = today - timedelta(days=current_app.config["VETTING_KEEP_DAYS"])
    profiles = db.session.scalars(
        select(MentorProfile).where(
            MentorProfile.status.in_((MentorStatus.RETIRED, MentorStatus.REJECTED)),
            MentorProfile.stopped_at.is_not(None),
            or_(
                MentorProfile.certificate_seen_on.is_not(None),
                MentorProfile.certificate_has_relevant_entry.is_not(None),
                MentorProfile.training_on.is_not(None),
            ),
        )
    ).all()
    forgotten = 0
    for profile in profiles:
        assert profile.stopped_at is not None  # the query chose only profiles that stopped
        if local_date(profile.stopped_at) <= cutoff:
            profile.certificate_seen_on = None
            profile.certificate_has_relevant_entry = None
            profile.training_on = None
            forgotten += 1
    db.session.flush()
    return forgotten
