"""Survey invitations and anonymous answers.

Invitations go out when an expert marks a consultation attended, and for a mentoring after three
months and at its end, only to parents who agreed to be asked. The link token is derived with an
HMAC from the app's secret and the invitation's source, so an expert can show the same link as a QR
code; the database keeps only its SHA-256, so a copy of the database alone opens no survey.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from flask import current_app
from sqlalchemy import or_, select

from mentoring.clock import utcnow
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.mentorships.models import MentoringMatch
from mentoring.notifications.services import cancel_pending, queue_message
from mentoring.surveys.models import SCALE, SurveyInvitation, SurveyResponse
from mentoring.surveys.questionnaire import COMMENT_MAX, QUESTION_KEYS, VERSION

CONSULTATION, MENTORING = "consultation", "mentoring"


class MessageContext(TypedDict):
    """What the invitation and its reminder show (typed, so it cannot pass for queue_message's own
    send_after or cancel_key)."""

    link: str
    service: str
    expires_at: datetime


class SurveyError(Exception):
    """'unknown' (forged or mistyped link), 'used', 'expired' or 'answers'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Recipient:
    """Who is asked and the context their answer keeps (never who they are)."""

    locale: str
    email: str | None
    phone: str | None
    district: str | None = None
    age_group: str | None = None


def token_for(source_key: str) -> str:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"survey:{source_key}".encode(), "sha256")
    return digest.hexdigest()[:32]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(invitation: SurveyInvitation) -> str:
    return public_url("surveys.answer", token=token_for(invitation.source_key), lang=invitation.locale)


def reminder_key(invitation: SurveyInvitation) -> str:
    return f"survey:{invitation.id}:reminder"


def invite(
    source_key: str, service: str, recipient: Recipient, now: datetime | None = None
) -> SurveyInvitation | None:
    """Create the invitation once per source and queue the message and its one reminder.

    None if there is no way to reach the parent or the source was already invited.
    """
    if not (recipient.email or recipient.phone):
        return None
    if db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.source_key == source_key)):
        return None
    now = now or utcnow()
    invitation = SurveyInvitation(
        token_hash=hash_token(token_for(source_key)),
        source_key=source_key,
        service=service,
        locale=recipient.locale,
        district=recipient.district,
        age_group=recipient.age_group,
        email=recipient.email,
        phone=recipient.phone,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["SURVEY_LINK_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    context = MessageContext(link=survey_url(invitation), service=service, expires_at=invitation.expires_at)
    queue_message(recipient.email, recipient.phone, "surveys/invitation", recipient.locale, **context)
    queue_message(
        recipient.email,
        recipient.phone,
        "surveys/reminder",
        recipient.locale,
        send_after=now + timedelta(days=current_app.config["SURVEY_REMINDER_DAYS"]),
        cancel_key=reminder_key(invitation),
        **context,
    )
    return invitation


def unused_invitation_for(source_key: str) -> SurveyInvitation | None:
    """The invitation of a booking or mentoring moment, while it has not been answered."""
    invitation = db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.source_key == source_key)
    ).first()
    return invitation if invitation is not None and not invitation.is_used else None


def open_invitation(token: str, now: datetime | None = None) -> SurveyInvitation:
    """The invitation behind a link, or SurveyError('unknown' | 'used' | 'expired')."""
    if not token or len(token) > 64:
        raise SurveyError("unknown")
    invitation = db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(token)).with_for_update()
    ).first()
    if invitation is None:
        raise SurveyError("unknown")
    if invitation.is_used:
        raise SurveyError("used")
    if invitation.expires_at <= (now or utcnow()):
        raise SurveyError("expired")
    return invitation


def submit(token: str, answers: dict[str, int | None], comment: str, today: date) -> SurveyResponse:
    """Store the answers with their context only; the invitation forgets its contact and is used up."""
    invitation = open_invitation(token)
    if set(answers) - set(QUESTION_KEYS) or any(v is not None and v not in SCALE for v in answers.values()):
        raise SurveyError("answers")
    if answers.get("satisfaction") is None or len(comment) > COMMENT_MAX:
        raise SurveyError("answers")
    response = SurveyResponse(
        questionnaire=VERSION,
        service=invitation.service,
        locale=invitation.locale,
        district=invitation.district,
        age_group=invitation.age_group,
        month=today.strftime("%Y-%m"),
        comment=comment.strip(),
        **answers,
    )
    db.session.add(response)
    invitation.is_used = True
    invitation.email = invitation.phone = None
    cancel_pending(reminder_key(invitation))
    db.session.flush()
    return response


def invite_after_consultation(booking: Booking) -> SurveyInvitation | None:
    """An attended consultation; only if the parent agreed when booking."""
    if not booking.survey_consent:
        return None
    recipient = Recipient(booking.locale, booking.email, booking.phone, booking.district, booking.age_group)
    return invite(f"booking:{booking.id}", CONSULTATION, recipient)


def invite_for_mentoring(match: MentoringMatch, moment: str) -> SurveyInvitation | None:
    """After three months ("3m") and at the end ("end") of a mentoring, if the family agreed."""
    parent = match.parent
    if not parent.survey_consent:
        return None
    recipient = Recipient(parent.locale, parent.email, parent.phone, match.district, match.age_group)
    return invite(f"match:{match.id}:{moment}", MENTORING, recipient)


def forget_expired_contacts(now: datetime) -> int:
    """Expired links forget their contact (the row stays, counted as an invitation not answered)."""
    rows = db.session.scalars(
        select(SurveyInvitation).where(
            SurveyInvitation.expires_at <= now,
            or_(SurveyInvitation.email.is_not(None), SurveyInvitation.phone.is_not(None)),
        )
    ).all()
    for invitation in rows:
        invitation.email = invitation.phone = None
    db.session.flush()
    return len(rows)
