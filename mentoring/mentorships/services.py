"""Mentor parents and families: suggestions, requests, answers, assignment and the capacity rule.

Each change tells the people it concerns (through `messages`, in their language, via the outbox).

The capacity rule holds like the booking engine's: accepting claims a place with one conditional
`UPDATE mentor_profiles SET active_count = active_count + 1 WHERE active_count < capacity`, under
the row lock on PostgreSQL (one writer at a time on SQLite), with a CHECK constraint as backstop.
"""

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mentoring import clock
from mentoring.accounts.models import User
from mentoring.accounts.services import NewAccount, create_user
from mentoring.clock import utcnow
from mentoring.extensions import db, increment_if
from mentoring.mentorships import messages
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.matching import Fit, Need, Offer, batch_match, fit, rank
from mentoring.mentorships.models import (
    CohortMember,
    MatchStatus,
    MemberStatus,
    MentoringMatch,
    MentorProfile,
    MentorStatus,
)
from mentoring.mentorships.vetting import away_mentor_ids
from mentoring.security import Role

OPEN_STATUSES = (MatchStatus.WAITING, MatchStatus.REQUESTED, MatchStatus.ACTIVE)


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
        language_levels=dict(need.language_levels),
        note=note,
        **fields,
    )


def open_match_of(parent: User) -> MentoringMatch | None:
    return db.session.scalars(
        select(MentoringMatch).where(
            MentoringMatch.parent_id == parent.id, MentoringMatch.status.in_(OPEN_STATUSES)
        )
    ).first()


def is_in_group(parent: User) -> bool:
    """The family has a place in a parents' group that is still running."""
    query = select(CohortMember.id).where(
        CohortMember.parent_id == parent.id, CohortMember.status == MemberStatus.ACTIVE
    )
    return db.session.scalar(query) is not None


def has_help(parent: User) -> bool:
    """One kind of help at a time: an open request or mentoring, or a place in a group."""
    return open_match_of(parent) is not None or is_in_group(parent)


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
    if has_help(parent):
        raise MentoringError("already")
    profile = db.session.get(MentorProfile, mentor_id)
    result = fit(need, offer_of(profile, away_mentor_ids(clock.today()))) if profile else None
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
    messages.new_request(match)
    return match


def claim_place(mentor_id: int) -> bool:
    return increment_if(
        MentorProfile.active_count,
        mentor_id,
        MentorProfile.status == MentorStatus.ACTIVE,
        MentorProfile.active_count < MentorProfile.capacity,
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
    messages.request_answered(match, accepted=True)
    return match


def start_relationship(match: MentoringMatch, now: datetime) -> None:
    """The match is active: the trial review and the planned end are set from the settings."""
    match.status = MatchStatus.ACTIVE
    match.answered_at = now
    started_on = clock.today(now)
    match.trial_review_on = started_on + timedelta(weeks=current_app.config["MENTORING_TRIAL_WEEKS"])
    match.planned_end_on = started_on + timedelta(days=current_app.config["MENTORING_PLANNED_DAYS"])


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
    messages.request_answered(match, accepted=False)
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
        messages.request_expired(match)
    db.session.flush()
    return expired


def active_families(profile: MentorProfile) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MentoringMatch)
            .where(MentoringMatch.mentor_id == profile.id, MentoringMatch.status == MatchStatus.ACTIVE)
        )
        or 0
    )


def need_of_match(match: MentoringMatch) -> Need:
    return Need(
        languages=frozenset(match.languages),
        district=match.district,
        age_group=match.age_group,
        topics=frozenset(match.topics),
        contact_mode=match.contact_mode,
        language_levels=tuple(sorted((match.language_levels or {}).items())),
    )


def ask_programme_office(parent: User, need: Need, asking: Asking) -> MentoringMatch:
    """The family asks the office to find a mentor parent; raise MentoringError('already')."""
    if has_help(parent):
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
    offer = replace(offer_of(profile, away_mentor_ids(clock.today(now))), free_places=1) if profile else None
    result = fit(need_of_match(match), offer) if offer else None
    if result is None:
        raise MentoringError("unavailable")
    if not claim_place(mentor_id):
        raise MentoringError("full")
    match.mentor_id = mentor_id
    match.score = result.score
    start_relationship(match, now)
    db.session.flush()
    messages.request_answered(match, accepted=True)
    messages.assigned(match)
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


def profiles_by_id(ids: set[int] | list[int]) -> dict[int, MentorProfile]:
    if not ids:
        return {}
    query = select(MentorProfile).where(MentorProfile.id.in_(ids)).options(joinedload(MentorProfile.user))
    return {p.id: p for p in db.session.scalars(query)}


def mentor_requests(profile: MentorProfile) -> list[MentoringMatch]:
    """The mentor's open requests and families, oldest first, with the families in the same query."""
    return list(
        db.session.scalars(
            select(MentoringMatch)
            .where(MentoringMatch.mentor_id == profile.id, MentoringMatch.status.in_(OPEN_STATUSES))
            .options(joinedload(MentoringMatch.parent))
            .order_by(MentoringMatch.requested_at)
        )
    )


def all_mentors() -> list[MentorProfile]:
    """Every mentor parent, applicants first (they wait for vetting), oldest application first."""
    waiting_first = (MentorProfile.status != MentorStatus.APPLICANT).label("vetted")
    return list(
        db.session.scalars(
            select(MentorProfile)
            .options(joinedload(MentorProfile.user))
            .order_by(waiting_first, MentorProfile.status, MentorProfile.created_at)
        )
    )


@dataclass(frozen=True)
class MentorHome:
    """What the mentor's start page says: their status, and the requests waiting for an answer."""

    status: MentorStatus
    waiting: int
    answer_by: datetime | None  # the earliest deadline of a waiting request


def mentor_home(user: User, now: datetime | None = None) -> MentorHome:
    now = now or utcnow()
    profile = db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == user.id)).one()
    deadlines = list(
        db.session.scalars(
            select(MentoringMatch.expires_at).where(
                MentoringMatch.mentor_id == profile.id,
                MentoringMatch.status == MatchStatus.REQUESTED,
                MentoringMatch.expires_at > now,
            )
        )
    )
    return MentorHome(status=profile.status, waiting=len(deadlines), answer_by=min(deadlines, default=None))


def active_mentorings() -> list[MentoringMatch]:
    return list(
        db.session.scalars(
            select(MentoringMatch)
            .where(MentoringMatch.status == MatchStatus.ACTIVE)
            .options(
                joinedload(MentoringMatch.parent),
                joinedload(MentoringMatch.mentor).joinedload(MentorProfile.user),
            )
            .order_by(MentoringMatch.answered_at)
        )
    )


def parent_match(parent: User, match_id: int) -> MentoringMatch | None:
    """A match only if it is this family's (else None: 404, not a leak)."""
    match = db.session.get(MentoringMatch, match_id)
    return match if match is not None and match.parent_id == parent.id else None
