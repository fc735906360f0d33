"""From mentee to mentor parent: the family who was helped is asked, once, to help others.

When a mentoring is completed or a group ends, the family gets one invitation in their language.
Its link opens the mentor application, filled in from what the family already told us. The new
mentor profile keeps only the fact that it came this way (`was_mentee`), never which family it was,
so the dashboard can count former mentees among the active mentors without linking anyone.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentoring.accounts.models import User
from mentoring.accounts.services import NewAccount, create_user
from mentoring.extensions import db
from mentoring.mentorships import messages
from mentoring.mentorships.models import (
    Cohort,
    CohortMember,
    MatchStatus,
    MentoringMatch,
    MentorInvitation,
)
from mentoring.mentorships.vetting import mentor_profile_of
from mentoring.security import Role


def invite_to_mentor(parent: User) -> bool:
    """Queue the invitation unless this family was invited before; True if it was queued now.

    The unique row per family makes "once" hold even when a mentoring and a group end together.
    """
    if db.session.scalar(select(MentorInvitation.id).where(MentorInvitation.parent_id == parent.id)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(MentorInvitation(parent_id=parent.id))
    except IntegrityError:  # invited in a parallel transaction
        return False
    messages.become_mentor(parent)
    return True


def is_invited(parent: User) -> bool:
    return (
        db.session.scalar(select(MentorInvitation.id).where(MentorInvitation.parent_id == parent.id))
        is not None
    )


@dataclass(frozen=True)
class Prefill:
    """What the application form starts with: the family's name, languages and district."""

    display_name: str
    languages: tuple[str, ...]
    district: str | None


def prefill_for(parent: User) -> Prefill:
    """From the family's account and their latest completed mentoring or group."""
    match = db.session.scalars(
        select(MentoringMatch)
        .where(MentoringMatch.parent_id == parent.id, MentoringMatch.status == MatchStatus.COMPLETED)
        .order_by(MentoringMatch.ended_at.desc())
    ).first()
    cohort = db.session.scalars(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.parent_id == parent.id)
        .order_by(CohortMember.joined_at.desc())
    ).first()
    languages = list(match.languages) if match else list(cohort.languages) if cohort else []
    district = match.district if match and match.district else cohort.district if cohort else None
    if parent.locale not in languages:
        languages.append(parent.locale)
    return Prefill(display_name=parent.display_name, languages=tuple(languages), district=district)


@dataclass(frozen=True)
class Application:
    username: str
    password: str
    display_name: str
    languages: tuple[str, ...]
    district: str | None


def apply_as_mentor(parent: User, application: Application) -> User:
    """An invited family applies: a mentor applicant account of their own, waiting for vetting.

    Raise AccountError('username_taken' | 'weak_password'); raise LookupError if never invited.
    The office reaches the applicant through the family's e-mail and phone.
    """
    if not is_invited(parent):
        raise LookupError("not invited")
    mentor = create_user(
        NewAccount(
            username=application.username,
            password=application.password,
            locale=parent.locale,
            display_name=application.display_name,
            email=parent.email,
            phone=parent.phone,
        ),
        Role.MENTOR,
    )
    mentor.privacy_version = parent.privacy_version
    profile = mentor_profile_of(mentor)
    profile.languages = sorted(set(application.languages))
    profile.districts = [application.district] if application.district else []
    profile.was_mentee = True
    db.session.flush()
    return mentor

