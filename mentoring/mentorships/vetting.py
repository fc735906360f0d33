"""Vetting mentor parents and keeping them available: certificate, status, absences.

A mentor parent becomes active only after a coordinator saw the training and an extended
certificate of conduct (§72a SGB VIII) younger than five years; the certificate's age pauses them.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import messages
from mentoring.mentorships.certificates import CERTIFICATE_VALID_YEARS, certificate_expires_on
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import MentorAway, MentorProfile, MentorStatus
from mentoring.security import Role

__all__ = ["CERTIFICATE_VALID_YEARS", "certificate_expires_on"]  # kept here for the callers of vetting


@dataclass(frozen=True)
class Vetting:
    training_on: date | None
    certificate_seen_on: date | None
    has_relevant_entry: bool


def create_profile_for(user: User) -> None:
    """A mentor applicant's profile is made with their account; it waits for vetting."""
    if user.role == Role.MENTOR:
        db.session.add(MentorProfile(user_id=user.id, languages=[user.locale]))
        db.session.flush()


def mentor_profile_of(user: User) -> MentorProfile:
    """The profile made with the mentor's account (see `create_profile_for`)."""
    return db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == user.id)).one()


def applicant_count() -> int:
    """How many mentor applicants wait for a coordinator's vetting (the coordinator's start page)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MentorProfile)
            .where(MentorProfile.status == MentorStatus.APPLICANT)
        )
        or 0
    )


def write_to_applicant(profile: MentorProfile, coordinator: User, text: str) -> None:
    """A message from the office; raise MentoringError('unreachable') without phone and e-mail."""
    if not messages.office_message(profile, coordinator, text.strip()):
        raise MentoringError("unreachable")


def activate(profile: MentorProfile, coordinator: User, vetting: Vetting, today: date) -> None:
    """Activate after vetting; raise MentoringError('training' | 'certificate' | 'conviction')."""
    if vetting.training_on is None or vetting.training_on > today:
        raise MentoringError("training")
    if vetting.certificate_seen_on is None or certificate_expires_on(vetting.certificate_seen_on) <= today:
        raise MentoringError("certificate")
    if vetting.has_relevant_entry:
        raise MentoringError("conviction")
    record_vetting(profile, coordinator, vetting)
    profile.status = MentorStatus.ACTIVE
    profile.status_reason = ""
    db.session.flush()
    messages.vetting_decided(profile, approved=True)


def reject(profile: MentorProfile, coordinator: User, vetting: Vetting, reason: str) -> None:
    record_vetting(profile, coordinator, vetting)
    profile.status = MentorStatus.REJECTED
    profile.status_reason = reason
    profile.stopped_at = utcnow()
    db.session.flush()
    messages.vetting_decided(profile, approved=False)


def record_vetting(profile: MentorProfile, coordinator: User, vetting: Vetting) -> None:
    profile.training_on = vetting.training_on
    profile.certificate_seen_on = vetting.certificate_seen_on
    profile.certificate_has_relevant_entry = vetting.has_relevant_entry
    profile.vetted_by_id = coordinator.id
    profile.vetted_at = utcnow()


def pause_expired_certificates(today: date) -> int:
    """Active mentors whose certificate is five years old are paused and get no new requests."""
    paused = 0
    for profile in db.session.scalars(
        select(MentorProfile).where(MentorProfile.status == MentorStatus.ACTIVE)
    ):
        if (
            profile.certificate_seen_on is None
            or certificate_expires_on(profile.certificate_seen_on) <= today
        ):
            profile.status = MentorStatus.PAUSED
            profile.status_reason = "certificate_expired"
            paused += 1
    db.session.flush()
    return paused


# Which status changes a coordinator may make after vetting: from → allowed targets.
STATUS_CHANGES = {
    MentorStatus.ACTIVE: (MentorStatus.PAUSED, MentorStatus.RETIRED),
    MentorStatus.PAUSED: (MentorStatus.ACTIVE, MentorStatus.RETIRED),
}


def change_status(profile: MentorProfile, target: MentorStatus, today: date) -> None:
    """active ⇄ paused → retired; raise MentoringError('status' | 'certificate' | 'has_families')."""
    if target not in STATUS_CHANGES.get(profile.status, ()):
        raise MentoringError("status")
    if target == MentorStatus.ACTIVE and (
        profile.certificate_seen_on is None or certificate_expires_on(profile.certificate_seen_on) <= today
    ):
        raise MentoringError("certificate")
    if target == MentorStatus.RETIRED and profile.active_count > 0:
        raise MentoringError("has_families")
    profile.status = target
    profile.status_reason = ""
    if target == MentorStatus.RETIRED:
        profile.stopped_at = utcnow()
    db.session.flush()


def away_mentor_ids(today: date) -> set[int]:
    return set(
        db.session.scalars(
            select(MentorAway.mentor_id).where(MentorAway.first_day <= today, MentorAway.last_day >= today)
        )
    )


def add_away(profile: MentorProfile, first_day: date, last_day: date, today: date) -> MentorAway:
    """A holiday or other absence; raise MentoringError('away_dates') for dates out of order or past."""
    if last_day < first_day or last_day < today or (last_day - first_day).days > 366:
        raise MentoringError("away_dates")
    away = MentorAway(mentor_id=profile.id, first_day=first_day, last_day=last_day)
    db.session.add(away)
    db.session.flush()
    return away


def away_periods(profile: MentorProfile, today: date) -> list[MentorAway]:
    return list(
        db.session.scalars(
            select(MentorAway)
            .where(MentorAway.mentor_id == profile.id, MentorAway.last_day >= today)
            .order_by(MentorAway.first_day)
        )
    )


def own_away(profile: MentorProfile, away_id: int) -> MentorAway | None:
    """An absence only if it is this mentor's (else None: 404, not a leak)."""
    away = db.session.get(MentorAway, away_id)
    return away if away is not None and away.mentor_id == profile.id else None


def remove_away(profile: MentorProfile, away_id: int) -> None:
    away = own_away(profile, away_id)
    if away is None:
        raise MentoringError("gone")
    db.session.delete(away)
    db.session.flush()
