"""Messages of the mentoring relationship, each in the recipient's language, through the outbox."""

from mentoring.accounts.models import User
from mentoring.links import public_url
from mentoring.mentorships.models import MentoringMatch
from mentoring.notifications.services import queue_message


def tell(user: User, template: str, match: MentoringMatch, endpoint: str) -> None:
    """Only people who gave an e-mail or a phone number can be told; the page shows it anyway."""
    if not (user.email or user.phone):
        return
    queue_message(
        user.email,
        user.phone,
        f"mentorships/{template}",
        user.locale,
        match=match,
        person=user,
        link=public_url(endpoint, lang=user.locale),
    )


def new_request(match: MentoringMatch) -> None:
    tell(match.mentor.user, "new_request", match, "mentorships.requests")


def request_answered(match: MentoringMatch, accepted: bool) -> None:
    tell(match.parent, "request_accepted" if accepted else "request_declined", match, "mentorships.start")


def request_expired(match: MentoringMatch) -> None:
    tell(match.parent, "request_expired", match, "mentorships.start")


def assigned(match: MentoringMatch) -> None:
    tell(match.mentor.user, "assigned", match, "mentorships.requests")
