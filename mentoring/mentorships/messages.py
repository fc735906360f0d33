"""Messages of the mentoring relationship, each in the recipient's language, through the outbox."""

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.mentorships.chores import Digest
from mentoring.mentorships.models import CohortMember, EndedBy, MentoringMatch, MentorProfile
from mentoring.notifications.services import queue_email, queue_message
from mentoring.security import Role


def tell(user: User, template: str, match: MentoringMatch, endpoint: str) -> None:
    """Only people who gave an e-mail or a phone number can be told; the page shows it anyway."""
    if not (user.email or user.phone):
        return
    message = queue_message(
        user.email,
        user.phone,
        f"mentorships/{template}",
        user.locale,
        match=match,
        person=user,
        link=public_url(endpoint, lang=user.locale),
    )
    message.user_id = user.id


def mentor_user(match: MentoringMatch) -> User:
    """The mentor parent of a match that has one: asked, assigned or active (never one still waiting)."""
    if match.mentor is None:
        raise ValueError(f"mentoring match {match.id} has no mentor parent")
    return match.mentor.user


def new_request(match: MentoringMatch) -> None:
    tell(mentor_user(match), "new_request", match, "mentorships.requests")


def request_answered(match: MentoringMatch, accepted: bool) -> None:
    tell(match.parent, "request_accepted" if accepted else "request_declined", match, "mentorships.start")


def request_expired(match: MentoringMatch) -> None:
    tell(match.parent, "request_expired", match, "mentorships.start")


def assigned(match: MentoringMatch) -> None:
    tell(mentor_user(match), "assigned", match, "mentorships.requests")


def ended(match: MentoringMatch, ended_by: EndedBy) -> None:
    """Whoever did not end the mentoring themselves hears of it."""
    if ended_by != EndedBy.PARENT:
        tell(match.parent, "mentoring_ended", match, "mentorships.start")
    if ended_by != EndedBy.MENTOR:
        tell(mentor_user(match), "mentoring_ended", match, "mentorships.requests")


def group_joined(member: CohortMember) -> None:
    """The family has a place in a group (they joined, or a coordinator placed them)."""
    parent = member.parent
    if not (parent.email or parent.phone):
        return
    queue_message(
        parent.email,
        parent.phone,
        "mentorships/group_joined",
        parent.locale,
        cohort=member.cohort,
        person=parent,
        link=public_url("mentorships.start", lang=parent.locale),
    )


def become_mentor(parent: User) -> None:
    """The one invitation to become a mentor parent, in the family's language."""
    if not (parent.email or parent.phone):
        return
    queue_message(
        parent.email,
        parent.phone,
        "mentorships/become_mentor",
        parent.locale,
        person=parent,
        link=public_url("mentorships.become_mentor", lang=parent.locale),
    )


def trial_review(match: MentoringMatch) -> None:
    tell(match.parent, "trial_review", match, "mentorships.start")


def vetting_decided(profile: MentorProfile, approved: bool) -> None:
    """The applicant hears the coordinator's decision, in their language (the reason stays internal)."""
    user = profile.user
    if not (user.email or user.phone):
        return
    queue_message(
        user.email,
        user.phone,
        f"mentorships/{'mentor_approved' if approved else 'mentor_declined'}",
        user.locale,
        person=user,
        link=public_url("mentorships.requests" if approved else "accounts.home", lang=user.locale),
    )


def office_message(profile: MentorProfile, coordinator: User, text: str) -> bool:
    """The coordinator's text, quoted in a message in the applicant's language; False if unreachable."""
    user = profile.user
    if not (user.email or user.phone):
        return False
    queue_message(
        user.email,
        user.phone,
        "mentorships/office_message",
        user.locale,
        person=user,
        sender=coordinator.name,
        text=text,
        link=public_url("accounts.home", lang=user.locale),
    )
    return True


def coordinator_digest(digest: Digest) -> int:
    """One message per coordinator with an e-mail address, in their language; returns how many."""
    coordinators = db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR, User.email.is_not(None), User.is_active_account)
    ).all()
    for coordinator in coordinators:
        assert coordinator.email is not None  # the query above chose only those with an address
        queue_email(
            coordinator.email,
            "mentorships/coordinator_digest",
            coordinator.locale,
            digest=digest,
            person=coordinator,
            matching_link=public_url("mentorships.matching", lang=coordinator.locale),
            mentorings_link=public_url("mentorships.mentorings", lang=coordinator.locale),
            mentors_link=public_url("mentorships.mentors", lang=coordinator.locale),
            sessions_link=public_url("mentorships.group_sessions", lang=coordinator.locale),
        )
    return len(coordinators)
