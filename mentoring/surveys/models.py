"""Survey invitations, the answers' waiting pool and the released anonymous responses.

Threat model (issue 16). The attacker may be a coordinator (every coordinator page and CSV, with
any filters and periods, as often as they like, plus the matching and mentoring pages), an expert
or a mentor (their own bookings and families), or anyone holding the database, any number of its
snapshots or backups, and the application's secret key. None of them may learn what a given
person answered, or narrow it below a group of 5 people, beyond what the published tables say.

How the tables keep that promise:
- `SurveyInvitation` holds what sending needs (contact, language, expiry) and the context an answer
  will carry (the same context the booking or match already holds). Its links are random; only
  their SHA-256 is kept (`SurveyLink`), and a link's text is made when the message is sent, so no
  table ever holds one. Answering never changes an invitation: a used link is recorded as a
  different hash of the link (`SpentLink`) that nobody can join to the invitation without the
  link itself. At expiry the invitation forgets contact and context.
- `PooledAnswer` is an answer waiting for release: no reference, no timestamp (only the quarter),
  a random id, and a context already generalised so that at least 5 open invitations share it.
- `SurveyResponse` rows come from the pool only in shuffled batches of at least 5 in one
  transaction, each context generalised until every combination stored is shared by at least 5
  responses (`mentoring.surveys.release`).
- `InvitationCount` keeps how many invitations were sent per quarter and context, so response
  rates stay right after the invitations forget.
"""

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.db import UTCDateTime, str_enum
from mentoring.extensions import Model

SCALE = range(1, 6)
ANSWER_COLUMNS = ("satisfaction", "language_ok", "knows_help", "booking_easy", "recommend")


def random_id() -> str:
    return secrets.token_hex(16)


def random_record_key() -> int:
    """The cell-key method's record key: uniform, fixed for the record's life."""
    return secrets.randbelow(2**31)


class SurveyInvitation(Model):
    """Who may answer once, and with which context; forgets contact and context at expiry."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC of what it was sent for ("booking:12", "match:7:3m"), so one source is asked once.
    source_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    period: Mapped[str] = mapped_column(String(7))  # the quarter it was sent in
    service: Mapped[str | None] = mapped_column(String(16))  # "consultation" | "mentoring"
    locale: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expired: Mapped[bool] = mapped_column(default=False)  # contact and context forgotten
    resent: Mapped[bool] = mapped_column(default=False)  # the expert sent it once more


class SurveyLink(Model):
    """The SHA-256 of one link to an invitation (the invitation's, the reminder's, a resend's)."""

    __tablename__ = "survey_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id", ondelete="CASCADE"))


class SpentLink(Model):
    """A used link, as SHA-256("spent:" + link): joins to nothing without the link itself."""

    __tablename__ = "survey_spent_links"

    spent_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7))  # the quarter, so old marks can be purged


class InvitationCount(Model):
    """Invitations sent per quarter and context: the denominator of the response rate."""

    __tablename__ = "survey_invitation_counts"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    district: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" when not given
    age_group: Mapped[str] = mapped_column(String(16), primary_key=True)  # "" when not given
    sent: Mapped[int] = mapped_column(default=0)


def answer_checks() -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range") for name in ANSWER_COLUMNS)


class AnswerSet:
    """The columns an answer has in the pool and once released: random id, quarter, context, answers."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    questionnaire: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))  # "2026-Q4"
    service: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[int | None]
    language_ok: Mapped[int | None]
    knows_help: Mapped[int | None]
    booking_easy: Mapped[int | None]
    recommend: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class PooledAnswer(AnswerSet, Model):
    """An answer waiting to be released in a batch; see the module docstring."""

    __tablename__ = "survey_pool"
    __table_args__ = answer_checks()


class CommentStatus(StrEnum):
    NEW = "new"
    READ = "read"
    ACTED_ON = "acted_on"


class SurveyResponse(AnswerSet, Model):
    """One released anonymous answer set; see the module docstring for what it must never hold.

    Context fields hold ALL where they were merged away; None means the parent did not say.
    """

    __tablename__ = "survey_responses"
    __table_args__ = answer_checks()

    record_key: Mapped[int] = mapped_column(default=random_record_key)
    # The office's reading of the comment.
    comment_status: Mapped[CommentStatus] = mapped_column(
        str_enum(CommentStatus, 10), default=CommentStatus.NEW
    )
    comment_theme: Mapped[str | None] = mapped_column(String(40))


class SurveyPeriod(Model):
    """A quarter whose responses are all released: only sealed quarters are published, and a
    sealed quarter never changes again (answers of it still in the pool are dropped)."""

    __tablename__ = "survey_periods"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
