"""Mentor parents: vetting, suggestions, requests and the capacity rule.

The capacity rule holds like the booking engine's: accepting claims a place with one conditional
`UPDATE mentor_profiles SET active_count = active_count + 1 WHERE active_count < capacity`, under
the row lock on PostgreSQL (one writer at a time on SQLite), with a CHECK constraint as backstop.
"""

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from mentoring.accounts.models import User
from mentoring.accounts.services import NewAccount, create_user
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships.matching import Fit, Need, Offer, batch_match, fit, rank
from mentoring.mentorships.models import (
    MatchStatus,
    MentorAway,
    MentoringMatch,
    MentorProfile,
    MentorStatus,
)
from mentoring.security import Role

CERTIFICATE_VALID_YEARS = 5
OPEN_STATUSES = (MatchStatus.WAITING, MatchStatus.REQUESTED, MatchStatus.ACTIVE)


class MentoringError(Exception):
    """A rule was broken; `code` names it, the view words it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Vetting:
    training_on: date | None
    certificate_seen_on: date | None
    has_relevant_entry: bool


def mentor_profile_for(user: User) -> MentorProfile:
    profile = db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == user.id)).first()
    if profile is None:
        profile = MentorProfile(user_id=user.id, languages=[user.locale])
        db.session.add(profile)
        db.session.flush()
    return profile


def certificate_expires_on(seen_on: date) -> date:
    try:
        return seen_on.replace(year=seen_on.year + CERTIFICATE_VALID_YEARS)
    except ValueError:  # 29 February
        return seen_on.replace(year=seen_on.year + CERTIFICATE_VALID_YEARS, day=28)


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


def reject(profile: MentorProfile, coordinator: User, vetting: Vetting, reason: str) -> None:
    record_vetting(profile, coordinator, vetting)
    profile.status = MentorStatus.REJECTED
    profile.status_reason = reason
    profile.stopped_at = utcnow()
    db.session.flush()


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


def away_mentor_ids(today: date) -> set[int]:
    return set(
        db.session.scalars(
            select(MentorAway.mentor_id).where(MentorAway.first_day <= today, MentorAway.last_day >= today)
        )
    )


def offer_of(profile: MentorProfile, away: set[int]) -> Offer:
    return Offer(
        mentor_id=profile.id,
        languages=frozenset(profile.languages),
        districts=frozenset(profile.districts),
        age_groups=frozenset(profile.age_groups),
        topics=frozenset(profile.topics),
        contact_modes=frozenset(profile.contact_modes),
        is_active=profile.status == MentorStatus.ACTIVE,
        free_places=profile.free_places,
        is_away=profile.id in away,
    )


def available_offers(today: date) -> list[Offer]:
    """Every active mentor with a free place, as the matching rules see them (two queries)."""
    away = away_mentor_ids(today)
    profiles = db.session.scalars(
        select(MentorProfile).where(
            MentorProfile.status == MentorStatus.ACTIVE, MentorProfile.active_count < MentorProfile.capacity
        )
    )
    return [offer_of(profile, away) for profile in profiles]


def suggest_mentors(need: Need, today: date, limit: int = 10) -> list[Fit]:
    return rank(need, available_offers(today), limit)


def new_match(parent: User, need: Need, note: str, **fields: object) -> MentoringMatch:
    """A match row carrying what the family asked for (kept for reports and a later re-match)."""
    return MentoringMatch(
        parent_id=parent.id,
        languages=sorted(need.languages),
        district=need.district,
        age_group=need.age_group,
        topics=sorted(need.topics),
        contact_mode=need.contact_mode,
        note=note,
        **fields,
    )


def open_match_of(parent: User) -> MentoringMatch | None:
    return db.session.scalars(
        select(MentoringMatch).where(
            MentoringMatch.parent_id == parent.id, MentoringMatch.status.in_(OPEN_STATUSES)
        )
    ).first()


@dataclass(frozen=True)
class Asking:
    """What the family adds when they send a request: a note, what the mentor may see, who sent them."""

    note: str = ""
    shares: tuple[str, ...] = ()
    referral: str | None = None
    survey_consent: bool = False

    def columns(self) -> dict:
        return {"parent_shares": list(self.shares), "referral_source": self.referral}


def request_mentor(
    parent: User, mentor_id: int, need: Need, asking: Asking, days_to_answer: int
) -> MentoringMatch:
    """Send a request to one mentor; raise MentoringError('already' | 'unavailable')."""
    if open_match_of(parent) is not None:
        raise MentoringError("already")
    profile = db.session.get(MentorProfile, mentor_id)
    result = fit(need, offer_of(profile, away_mentor_ids(utcnow().date()))) if profile else None
    if result is None:
        raise MentoringError("unavailable")
    parent.survey_consent = asking.survey_consent
    expires_at = utcnow() + timedelta(days=days_to_answer)
    match = new_match(
        parent,
        need,
        asking.note,
        mentor_id=mentor_id,
        score=result.score,
        expires_at=expires_at,
        **asking.columns(),
    )
    db.session.add(match)
    db.session.flush()
    return match


def claim_place(mentor_id: int) -> bool:
    return (
        db.session.execute(
            update(MentorProfile)
            .where(
                MentorProfile.id == mentor_id,
                MentorProfile.status == MentorStatus.ACTIVE,
                MentorProfile.active_count < MentorProfile.capacity,
            )
            .values(active_count=MentorProfile.active_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def accept(profile: MentorProfile, match_id: int, now: datetime | None = None) -> MentoringMatch:
    """The mentor accepts a waiting request; raise MentoringError('gone' | 'full')."""
    now = now or utcnow()
    match = db.session.scalars(
        select(MentoringMatch)
        .where(MentoringMatch.id == match_id, MentoringMatch.mentor_id == profile.id)
        .with_for_update()
    ).first()
    if match is None or match.status != MatchStatus.REQUESTED or match.expires_at <= now:
        raise MentoringError("gone")
    if not claim_place(profile.id):
        raise MentoringError("full")
    start_relationship(match, now)
    db.session.flush()
    return match


def start_relationship(match: MentoringMatch, now: datetime) -> None:
    """The match is active: the trial review and the planned end are set from the settings."""
    match.status = MatchStatus.ACTIVE
    match.answered_at = now
    match.trial_review_on = now.date() + timedelta(weeks=current_app.config["MENTORING_TRIAL_WEEKS"])
    match.planned_end_on = now.date() + timedelta(days=current_app.config["MENTORING_PLANNED_DAYS"])


def decline(profile: MentorProfile, match_id: int, reason: str) -> MentoringMatch:
    match = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id, MentoringMatch.mentor_id == profile.id)
    ).first()
    if match is None or match.status != MatchStatus.REQUESTED:
        raise MentoringError("gone")
    match.status = MatchStatus.DECLINED
    match.answered_at = utcnow()
    match.end_reason = reason
    db.session.flush()
    return match


def expire_requests(now: datetime) -> list[MentoringMatch]:
    """Requests nobody answered in time end as expired; the family can pick again."""
    expired = list(
        db.session.scalars(
            select(MentoringMatch).where(
                MentoringMatch.status == MatchStatus.REQUESTED, MentoringMatch.expires_at <= now
            )
        )
    )
    for match in expired:
        match.status = MatchStatus.EXPIRED
        match.ended_at = now
    db.session.flush()
    return expired


def active_families(profile: MentorProfile) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MentoringMatch)
        .where(MentoringMatch.mentor_id == profile.id, MentoringMatch.status == MatchStatus.ACTIVE)
    )


def need_of_match(match: MentoringMatch) -> Need:
    return Need(
        languages=frozenset(match.languages),
        district=match.district,
        age_group=match.age_group,
        topics=frozenset(match.topics),
        contact_mode=match.contact_mode,
    )


def ask_programme_office(parent: User, need: Need, asking: Asking) -> MentoringMatch:
    """The family asks the office to find a mentor parent; raise MentoringError('already')."""
    if open_match_of(parent) is not None:
        raise MentoringError("already")
    parent.survey_consent = asking.survey_consent
    match = new_match(
        parent,
        need,
        asking.note,
        mentor_id=None,
        status=MatchStatus.WAITING,
        expires_at=utcnow(),
        **asking.columns(),
    )
    db.session.add(match)
    db.session.flush()
    return match


def waiting_requests() -> list[MentoringMatch]:
    return list(
        db.session.scalars(
            select(MentoringMatch)
            .where(MentoringMatch.status == MatchStatus.WAITING)
            .options(joinedload(MentoringMatch.parent))  # every row shows the family's name
            .order_by(MentoringMatch.requested_at)
        )
    )


def propose_batch(waiting: list[MentoringMatch], offers: list[Offer]) -> dict[int, Fit]:
    """A draft for the coordinator: waiting families matched for the highest total score."""
    return batch_match({match.id: need_of_match(match) for match in waiting}, offers)


def assign(match_id: int, mentor_id: int, now: datetime | None = None) -> MentoringMatch:
    """The coordinator assigns a waiting family; the capacity rule is checked here, on the server.

    Raise MentoringError('gone' | 'unavailable' | 'full').
    """
    now = now or utcnow()
    match = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id).with_for_update()
    ).first()
    if match is None or match.status != MatchStatus.WAITING:
        raise MentoringError("gone")
    profile = db.session.get(MentorProfile, mentor_id)
    # Language, status and absence here; the free place is claimed atomically below.
    offer = replace(offer_of(profile, away_mentor_ids(now.date())), free_places=1) if profile else None
    result = fit(need_of_match(match), offer) if offer else None
    if result is None:
        raise MentoringError("unavailable")
    if not claim_place(mentor_id):
        raise MentoringError("full")
    match.mentor_id = mentor_id
    match.score = result.score
    start_relationship(match, now)
    db.session.flush()
    return match


@dataclass(frozen=True)
class Family:
    """A family a coordinator enters on their behalf (by phone, at the Kita, at the family centre)."""

    name: str
    locale: str
    phone: str | None = None
    email: str | None = None
    survey_consent: bool = False


def enter_for_family(
    coordinator: User, family: Family, need: Need, note: str, referral: str
) -> MentoringMatch:
    """A waiting request entered by a coordinator; the family gets an account without a password.

    They are reached by phone or SMS; a coordinator can later hand them a link to set a password.
    """
    account = NewAccount(
        username=f"family-{secrets.token_hex(4)}",
        password=secrets.token_urlsafe(24),
        locale=family.locale,
        display_name=family.name,
        email=family.email,
        phone=family.phone,
    )
    parent = create_user(account, Role.PARENT)
    parent.survey_consent = family.survey_consent
    match = new_match(
        parent,
        need,
        note,
        mentor_id=None,
        status=MatchStatus.WAITING,
        expires_at=utcnow(),
        referral_source=referral,
        entered_by_id=coordinator.id,
        parent_shares=[kind for kind in ("phone", "email") if getattr(family, kind)],
    )
    db.session.add(match)
    db.session.flush()
    return match


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


def remove_away(profile: MentorProfile, away_id: int) -> None:
    away = db.session.get(MentorAway, away_id)
    if away is None or away.mentor_id != profile.id:
        raise MentoringError("gone")
    db.session.delete(away)
    db.session.flush()
