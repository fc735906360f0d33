"""Survey invitations and anonymous answers (see the threat model in `mentoring.surveys.models`).

Invitations go out when an expert marks a consultation attended, and for a mentoring after three
months and at its end, only to parents who agreed to be asked. Every link is random and made when
its message is sent (`make_link`), so no table holds one; the database keeps its SHA-256 only.
An answer is checked against the link, recorded as spent under a second hash, and put into the
pool with a context that at least `SURVEY_GROUP_SIZE` open invitations share. Nothing else
changes when a parent answers: no invitation row, no reminder, no message.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from mentoring import keys
from mentoring.clock import local_date, today, utcnow
from mentoring.consultations.models import Booking
from mentoring.extensions import db, rows_changed
from mentoring.links import public_url
from mentoring.mentorships.models import CohortMember, MentoringMatch
from mentoring.notifications.services import LINK_PLACEHOLDER, queue_message, withdraw_late_link
from mentoring.surveys.kanon import ALL, FIELDS, Context, generalise
from mentoring.surveys.models import (
    SCALE,
    InvitationCount,
    PooledAnswer,
    SpentLink,
    SurveyInvitation,
    SurveyLink,
)
from mentoring.surveys.periods import period_of
from mentoring.surveys.questionnaire import COMMENT_MAX, QUESTION_KEYS, VERSION

CONSULTATION, MENTORING = "consultation", "mentoring"
LINK_KIND = "survey"


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


def group_size() -> int:
    return max(current_app.config["SURVEY_GROUP_SIZE"], 5)


def generalisation_steps() -> Sequence[str]:
    return current_app.config["SURVEY_GENERALISATION"]


def source_hash(source_key: str) -> str:
    """What an invitation was sent for, keyed, so one source is asked once (it opens nothing)."""
    return keys.sign("survey-source", f"survey-source:{source_key}")


def source_hashes(source_key: str) -> list[str]:
    """The source's hash under the current key and under each key still in rotation."""
    message = f"survey-source:{source_key}".encode()
    return [hmac.new(key, message, "sha256").hexdigest() for key in keys.candidates("survey-source")]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def spent_hash(token: str) -> str:
    """The used mark: a different hash of the link, so it joins to no SurveyLink row."""
    return hashlib.sha256(f"spent:{token}".encode()).hexdigest()


def count_invitation(invitation: SurveyInvitation) -> None:
    """One more invitation in its quarter and context (the response rate's denominator)."""
    key = {
        "period": invitation.period,
        "service": invitation.service or ALL,
        "locale": invitation.locale,
        "district": invitation.district or "",
        "age_group": invitation.age_group or "",
    }
    match = [getattr(InvitationCount, name) == value for name, value in key.items()]
    bump = update(InvitationCount).where(*match).values(sent=InvitationCount.sent + 1)
    if rows_changed(bump):
        return
    try:
        with db.session.begin_nested():
            db.session.add(InvitationCount(**key, sent=1))
    except IntegrityError:  # another invitation of the same cell was counted first
        rows_changed(bump)


def queue_survey_message(
    invitation: SurveyInvitation, template: str, send_after: datetime | None = None
) -> None:
    context = MessageContext(
        link=LINK_PLACEHOLDER, service=invitation.service or "", expires_at=invitation.expires_at
    )
    queue_message(
        invitation.email,
        invitation.phone,
        template,
        invitation.locale,
        send_after=send_after,
        late_link=f"{LINK_KIND}:{invitation.id}",
        **context,
    )


def invite(
    source_key: str, service: str, recipient: Recipient, now: datetime | None = None
) -> SurveyInvitation | None:
    """Create the invitation once per source and queue the message and its one reminder.

    None if there is no way to reach the parent or the source was already invited.
    """
    if not (recipient.email or recipient.phone):
        return None
    hashed = source_hash(source_key)
    known = source_hashes(source_key)
    if db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.source_hash.in_(known))):
        return None
    now = now or utcnow()
    invitation = SurveyInvitation(
        source_hash=hashed,
        period=period_of(local_date(now)),
        service=service,
        locale=recipient.locale,
        district=recipient.district,
        age_group=recipient.age_group,
        email=recipient.email,
        phone=recipient.phone,
        expires_at=now + timedelta(days=current_app.config["SURVEY_LINK_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    count_invitation(invitation)
    queue_survey_message(invitation, "surveys/invitation")
    # The reminder goes to everyone asked: withdrawing it when a parent answers would tell when.
    reminder_at = now + timedelta(days=current_app.config["SURVEY_REMINDER_DAYS"])
    queue_survey_message(invitation, "surveys/reminder", send_after=reminder_at)
    return invitation


def make_link(argument: str) -> str | None:
    """The outbox's link maker: a fresh random link to an open invitation, None once it expired."""
    invitation = db.session.get(SurveyInvitation, int(argument)) if argument.isdigit() else None
    if invitation is None or invitation.expired or invitation.expires_at <= utcnow():
        return None
    token = secrets.token_urlsafe(24)
    db.session.add(SurveyLink(token_hash=hash_token(token), invitation_id=invitation.id))
    db.session.flush()
    return public_url("surveys.answer", token=token, lang=invitation.locale)


def open_invitation(token: str, now: datetime | None = None) -> SurveyInvitation:
    """The invitation behind a link, or SurveyError('unknown' | 'used' | 'expired').

    Only reads: a row lock would write the answering transaction's id into the invitation row.
    """
    if not token or len(token) > 64:
        raise SurveyError("unknown")
    invitation = db.session.scalars(
        select(SurveyInvitation)
        .join(SurveyLink, SurveyLink.invitation_id == SurveyInvitation.id)
        .where(SurveyLink.token_hash == hash_token(token))
    ).first()
    if invitation is None:
        raise SurveyError("unknown")
    if db.session.get(SpentLink, spent_hash(token)) is not None:
        raise SurveyError("used")
    if invitation.expired or invitation.expires_at <= (now or utcnow()):
        raise SurveyError("expired")
    return invitation


def context_of(invitation: SurveyInvitation) -> Context:
    if invitation.service is None:  # made before the survey was unlinkable: its context is forgotten
        return tuple(ALL for _ in FIELDS)
    return (invitation.service, invitation.locale, invitation.district, invitation.age_group)


def open_invitations_sharing(context: Context, now: datetime) -> int:
    columns = {
        "service": SurveyInvitation.service,
        "locale": SurveyInvitation.locale,
        "district": SurveyInvitation.district,
        "age_group": SurveyInvitation.age_group,
    }
    query = select(func.count()).where(SurveyInvitation.expired.is_(False), SurveyInvitation.expires_at > now)
    for name, value in zip(FIELDS, context, strict=True):
        if value == ALL:
            continue
        column = columns[name]
        query = query.where(column.is_(None) if value is None else column == value)
    return db.session.scalar(query) or 0


def pooled_context(invitation: SurveyInvitation, now: datetime) -> Context:
    """The most detailed context that at least group_size() open invitations share: all a copy of
    the database taken just after the answer can tell about who gave it."""
    context = context_of(invitation)
    steps = generalisation_steps()
    for level in range(len(steps) + 1):
        candidate = generalise(context, steps, level)
        if open_invitations_sharing(candidate, now) >= group_size():
            return candidate
    return generalise(context, steps, len(steps))


def check_answers(answers: dict[str, int | None], comment: str) -> None:
    if set(answers) - set(QUESTION_KEYS) or any(v is not None and v not in SCALE for v in answers.values()):
        raise SurveyError("answers")
    if answers.get("satisfaction") is None or len(comment) > COMMENT_MAX:
        raise SurveyError("answers")


def submit(token: str, answers: dict[str, int | None], comment: str, day: date | None = None) -> None:
    """Pool the answers; the link is spent. The caller commits; SurveyError leaves nothing."""
    now = utcnow()
    invitation = open_invitation(token, now)
    check_answers(answers, comment)
    period = period_of(day or today(now))
    service, locale, district, age_group = pooled_context(invitation, now)
    try:
        with db.session.begin_nested():
            db.session.add(SpentLink(spent_hash=spent_hash(token), period=period))
            db.session.flush()
    except IntegrityError:  # the same link answered at the same moment in another request
        raise SurveyError("used") from None
    db.session.add(
        PooledAnswer(
            questionnaire=VERSION,
            period=period,
            service=service or ALL,
            locale=locale or ALL,
            district=district,
            age_group=age_group,
            comment=comment.strip(),
            **answers,
        )
    )
    db.session.flush()


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


def invite_after_group(member: CohortMember) -> SurveyInvitation | None:
    """At the end of a group (the mentoring service, with the group's district), if the family agreed."""
    parent = member.parent
    if not parent.survey_consent:
        return None
    recipient = Recipient(parent.locale, parent.email, parent.phone, member.cohort.district, None)
    return invite(f"group-member:{member.id}:end", MENTORING, recipient)


def resend_for_booking(booking: Booking, now: datetime | None = None) -> bool:
    """The expert's "send it to the parent's phone again": once per invitation, to the parent's own
    contact, with a new link. False when there is nothing to send (the expert is not told which)."""
    now = now or utcnow()
    invitation = db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.source_hash.in_(source_hashes(f"booking:{booking.id}")))
    ).first()
    if invitation is None or invitation.expired or invitation.expires_at <= now or invitation.resent:
        return False
    if not (invitation.email or invitation.phone):
        return False
    invitation.resent = True
    queue_survey_message(invitation, "surveys/invitation")
    return True


FORGOTTEN = {
    "expired": True,
    "email": None,
    "phone": None,
    "service": None,
    "locale": "",
    "district": None,
    "age_group": None,
}


def forget_invitations(source_keys: list[str]) -> int:
    """A parent's data is deleted: their invitations forget contact and context, and the messages
    not yet sent are withdrawn. (Whether they answered stays unknowable, as for everyone.)"""
    return forget_where(
        SurveyInvitation.source_hash.in_([h for k in source_keys for h in source_hashes(k)])
    )


def forget_invitations_to(contacts: frozenset[str]) -> int:
    """The same for every invitation that still holds one of these contacts (e-mail in lower case
    or phone), whatever it was sent for."""
    if not contacts:
        return 0
    return forget_where(to_contacts(contacts))


def to_contacts(contacts: frozenset[str]) -> ColumnElement[bool]:
    wanted = sorted(contacts)
    return func.lower(SurveyInvitation.email).in_(wanted) | SurveyInvitation.phone.in_(wanted)


def invitations_for(source_keys: list[str]) -> list[SurveyInvitation]:
    """For the data export: the invitations sent for these sources ("booking:12", "match:7:3m")
    that still hold a contact. The caller shows their status only: nothing leads to an answer."""
    if not source_keys:
        return []
    return list(
        db.session.scalars(
            select(SurveyInvitation)
            .where(
                SurveyInvitation.source_hash.in_([h for k in source_keys for h in source_hashes(k)]),
                SurveyInvitation.email.is_not(None) | SurveyInvitation.phone.is_not(None),
            )
            .order_by(SurveyInvitation.id)
        )
    )


def invitation_status(invitation: SurveyInvitation, now: datetime | None = None) -> str:
    return "expired" if invitation.expired or invitation.expires_at <= (now or utcnow()) else "open"


def message_link(invitation: SurveyInvitation) -> str:
    """The late link of the invitation's messages (see queue_survey_message)."""
    return f"{LINK_KIND}:{invitation.id}"


def forget_where(condition: ColumnElement[bool]) -> int:
    invitations = db.session.scalars(select(SurveyInvitation).where(condition)).all()
    for invitation in invitations:
        withdraw_late_link(f"{LINK_KIND}:{invitation.id}")
        for name, value in FORGOTTEN.items():
            setattr(invitation, name, value)
    db.session.flush()
    return len(invitations)


def forget_expired_contacts(now: datetime) -> int:
    """Expired invitations forget contact and context; a year on, they and old used marks go."""
    forgotten = rows_changed(
        update(SurveyInvitation)
        .where(SurveyInvitation.expires_at <= now, SurveyInvitation.expired.is_(False))
        .values(expired=True, email=None, phone=None, service=None, locale="", district=None, age_group=None)
    )
    year_ago = now - timedelta(days=365)
    db.session.execute(
        delete(SurveyLink).where(
            SurveyLink.invitation_id.in_(
                select(SurveyInvitation.id).where(SurveyInvitation.expires_at <= year_ago)
            )
        )
    )
    db.session.execute(delete(SurveyInvitation).where(SurveyInvitation.expires_at <= year_ago))
    db.session.execute(delete(SpentLink).where(SpentLink.period < period_of(local_date(year_ago))))
    return forgotten
