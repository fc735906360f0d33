"""Survey invitations (one-time links) and anonymous responses.

A response keeps only context (service, language, district, age group, month) and the answers.
It has no foreign key, no timestamp and no token, and its id is random, so nothing joins it back
to an invitation, a person, a booking or a match. The invitation only remembers that it was used.
"""

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.clock import utcnow
from mentoring.db import UTCDateTime
from mentoring.extensions import Model

SCALE = range(1, 6)


def random_id() -> str:
    return secrets.token_hex(16)


class SurveyInvitation(Model):
    """A one-time link: hashed token, 30 days, one reminder; the contact is forgotten once used."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What it was sent for ("booking:12", "match:7:3m", "match:7:end"): one invitation each.
    source_key: Mapped[str] = mapped_column(String(40), unique=True)
    service: Mapped[str] = mapped_column(String(16))  # "consultation" | "mentoring"
    locale: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_used: Mapped[bool] = mapped_column(default=False)


class SurveyResponse(Model):
    """One anonymous answer set; see the module docstring for what it must never hold."""

    __tablename__ = "survey_responses"
    __table_args__ = tuple(
        CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range")
        for name in ("satisfaction", "language_ok", "knows_help", "booking_easy", "recommend")
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    questionnaire: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    satisfaction: Mapped[int | None]
    language_ok: Mapped[int | None]
    knows_help: Mapped[int | None]
    booking_easy: Mapped[int | None]
    recommend: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
