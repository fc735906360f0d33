"""Group mentoring (Eltern-AG): cohorts of families led by one or two mentor parents.

The office creates a cohort with its weekly meetings; families join through the same request page
or are placed by a coordinator. The places rule holds like a mentor's: joining claims a place with
one conditional `UPDATE cohorts SET member_count = member_count + 1 WHERE member_count < capacity`,
under the row lock on PostgreSQL (one writer at a time on SQLite), with a CHECK constraint as
backstop. After the last meeting a daily job ends the cohort: the families are asked the survey
questions (if they agreed) and invited, once, to become mentor parents themselves.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mentoring import clock, events
from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.extensions import db, increment_if
from mentoring.mentorships import messages, pathway
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import (
    Attendance,
    Cohort,
    CohortMeeting,
    CohortMember,
    CohortStatus,
    MatchStatus,
    MemberStatus,
    MentoringMatch,
    MentorProfile,
    MentorStatus,
)
from mentoring.mentorships.services import has_help


@dataclass(frozen=True)
class CohortPlan:
    """What the office decides: who, where, when, how long, how many."""

    name: str
    languages: tuple[str, ...]
    district: str | None
    starts_on: date
    weeks: int
    meets_at: time
    place: str
    capacity: int
    mentor_id: int
    co_mentor_id: int | None = None


def create_cohort(plan: CohortPlan) -> Cohort:
    """A cohort and its weekly meetings; raise MentoringError('group_mentor' | 'group_plan').

    The mentors must be active (which needs the vetting); places are 1..GROUP_MAX_FAMILIES;
    the first meeting is not in the past.
    """
    limit = current_app.config["GROUP_MAX_FAMILIES"]
    if not 1 <= plan.capacity <= limit or not 1 <= plan.weeks <= 52 or plan.starts_on < clock.today():
        raise MentoringError("group_plan")
    mentor_ids = [plan.mentor_id] + ([plan.co_mentor_id] if plan.co_mentor_id else [])
    if len(set(mentor_ids)) != len(mentor_ids):
        raise MentoringError("group_mentor")
    for mentor_id in mentor_ids:
        profile = db.session.get(MentorProfile, mentor_id)
        if profile is None or profile.status != MentorStatus.ACTIVE:  # active means vetted
            raise MentoringError("group_mentor")
    cohort = Cohort(
        name=plan.name,
        languages=sorted(plan.languages),
        district=plan.district,
        starts_on=plan.starts_on,
        weeks=plan.weeks,
        place=plan.place,
        capacity=plan.capacity,
        mentor_id=plan.mentor_id,
        co_mentor_id=plan.co_mentor_id,
    )
    db.session.add(cohort)
    db.session.flush()
    for week in range(plan.weeks):
        day = plan.starts_on + timedelta(weeks=week)
        db.session.add(
            CohortMeeting(cohort_id=cohort.id, starts_at=clock.at(day, plan.meets_at), place=plan.place)
        )
    db.session.flush()
    return cohort


def last_meeting_day(cohort: Cohort) -> date:
    return cohort.starts_on + timedelta(weeks=cohort.weeks - 1)


def fitting_cohorts(need: Need, today: date) -> list[Cohort]:
    """Open cohorts with a free place, not over yet, in one of the family's languages and, if the
    family named one, their district."""
    cohorts = db.session.scalars(
        select(Cohort)
        .where(Cohort.status == CohortStatus.OPEN, Cohort.member_count < Cohort.capacity)
        .order_by(Cohort.starts_on, Cohort.id)
    )
    return [
        cohort
        for cohort in cohorts
        if last_meeting_day(cohort) >= today
        and set(cohort.languages) & need.languages
        and (need.district is None or cohort.district in (None, need.district))
    ]


def membership_of(parent: User) -> CohortMember | None:
    """The family's place in a group that is still running."""
    return db.session.scalars(
        select(CohortMember)
        .where(CohortMember.parent_id == parent.id, CohortMember.status == MemberStatus.ACTIVE)
        .options(joinedload(CohortMember.cohort))
    ).first()


def claim_group_place(cohort_id: int) -> bool:
    return increment_if(
        Cohort.member_count,
        cohort_id,
        Cohort.status == CohortStatus.OPEN,
        Cohort.member_count < Cohort.capacity,
    )


def join_cohort(parent: User, cohort_id: int, survey_consent: bool | None = None) -> CohortMember:
    """The family takes a place; raise MentoringError('already' | 'gone' | 'group_full')."""
    if has_help(parent):
        raise MentoringError("already")
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.status != CohortStatus.OPEN or last_meeting_day(cohort) < clock.today():
        raise MentoringError("gone")
    if not claim_group_place(cohort_id):
        raise MentoringError("group_full")
    if survey_consent is not None:
        parent.survey_consent = survey_consent
    member = CohortMember(cohort_id=cohort_id, parent_id=parent.id)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError:  # the same family joined the same group in a parallel request
        raise MentoringError("already") from None
    db.session.flush()
    messages.group_joined(member)
    return member


def assign_to_cohort(match_id: int, cohort_id: int) -> CohortMember:
    """The coordinator places a waiting family in a group; their waiting request is closed.

    Raise MentoringError('gone' | 'group_full').
    """
    match = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.id == match_id).with_for_update()
    ).first()
    if match is None or match.status != MatchStatus.WAITING:
        raise MentoringError("gone")
    match.status = MatchStatus.ENDED
    match.end_reason = "group"
    match.ended_at = utcnow()
    db.session.flush()
    return join_cohort(match.parent, cohort_id)


def get_cohort(cohort_id: int) -> Cohort | None:
    return db.session.get(Cohort, cohort_id)


def all_cohorts() -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .options(
                joinedload(Cohort.mentor).joinedload(MentorProfile.user),
                joinedload(Cohort.co_mentor).joinedload(MentorProfile.user),
            )
            .order_by(Cohort.status, Cohort.starts_on)
        )
    )


def meetings_of(cohort: Cohort) -> list[CohortMeeting]:
    return list(
        db.session.scalars(
            select(CohortMeeting)
            .where(CohortMeeting.cohort_id == cohort.id)
            .order_by(CohortMeeting.starts_at)
        )
    )


def members_of(cohort: Cohort) -> list[CohortMember]:
    return list(
        db.session.scalars(
            select(CohortMember)
            .where(CohortMember.cohort_id == cohort.id)
            .options(joinedload(CohortMember.parent))
            .order_by(CohortMember.joined_at, CohortMember.id)
        )
    )


def mentor_cohorts(profile: MentorProfile) -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .where((Cohort.mentor_id == profile.id) | (Cohort.co_mentor_id == profile.id))
            .order_by(Cohort.status, Cohort.starts_on)
        )
    )


def own_meeting(profile: MentorProfile, meeting_id: int) -> CohortMeeting | None:
    """A meeting only if it is one of this mentor's groups (else None: 404, not a leak)."""
    meeting = db.session.get(CohortMeeting, meeting_id)
    if meeting is None:
        return None
    cohort = db.session.get(Cohort, meeting.cohort_id)
    return meeting if cohort is not None and profile.id in (cohort.mentor_id, cohort.co_mentor_id) else None


def present_member_ids(meeting: CohortMeeting) -> set[int]:
    return set(db.session.scalars(select(Attendance.member_id).where(Attendance.meeting_id == meeting.id)))


def record_attendance(profile: MentorProfile, meeting_id: int, present: set[int]) -> int:
    """The group's mentor says who came; the list replaces the earlier one. Returns how many came.

    Raise MentoringError('gone') for another mentor's meeting, 'attendance_date' before it began,
    'members' for a family that is not in this group.
    """
    meeting = own_meeting(profile, meeting_id)
    if meeting is None:
        raise MentoringError("gone")
    if clock.today() < clock.local_date(meeting.starts_at):
        raise MentoringError("attendance_date")
    members = set(
        db.session.scalars(select(CohortMember.id).where(CohortMember.cohort_id == meeting.cohort_id))
    )
    if not present <= members:
        raise MentoringError("members")
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    db.session.add_all(
        Attendance(meeting_id=meeting.id, member_id=member_id) for member_id in sorted(present)
    )
    db.session.flush()
    return len(present)


def end_finished_cohorts(today: date, now: datetime | None = None) -> list[Cohort]:
    """Daily: a cohort whose last meeting day has passed ends; each family's membership is completed,
    they get the survey (if they agreed) and the invitation to become a mentor parent."""
    now = now or utcnow()
    open_cohorts = db.session.scalars(
        select(Cohort).where(Cohort.status == CohortStatus.OPEN).with_for_update()
    ).all()
    ended = [cohort for cohort in open_cohorts if last_meeting_day(cohort) < today]
    for cohort in ended:
        cohort.status = CohortStatus.ENDED
        cohort.ended_at = now
        for member in members_of(cohort):
            if member.status != MemberStatus.ACTIVE:
                continue
            member.status = MemberStatus.COMPLETED
            member.completed_at = now
            db.session.flush()
            events.group_completed.send(member)  # the family may get a survey
            pathway.invite_to_mentor(member.parent)
    db.session.flush()
    return ended
