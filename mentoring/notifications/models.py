from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.clock import utcnow
from mentoring.db import UTCDateTime, str_enum
from mentoring.extensions import Model


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    CANCELLED = "cancelled"  # e.g. a reminder for a booking that was cancelled


class OutboxMessage(Model):
    """A rendered message waiting to be delivered; written in the same transaction as its cause.

    Once sent, cancelled or given up, only its metadata stays (channel, template, status, times)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "send_after"),
        Index("ix_outbox_messages_cancel_key", "cancel_key"),
        Index("ix_outbox_messages_contact_ref", "contact_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8))
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200), default="")
    # A sender other than MAIL_SENDER (a neutral one for discreet bookings).
    sender: Mapped[str | None] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, 10), default=OutboxStatus.PENDING)
    # Lets the cause withdraw a scheduled message (a reminder) without the outbox knowing it.
    cancel_key: Mapped[str | None] = mapped_column(String(80))
    # A link made only when the message is sent ("survey:12"), so no table ever holds it; the
    # body holds LINK_PLACEHOLDER where it goes (see notifications.services.register_link_maker).
    late_link: Mapped[str | None] = mapped_column(String(80))
    # The template it was rendered from ("consultations/reminder"): what a blanked row still says
    # about itself, and what the data export calls it.
    template: Mapped[str | None] = mapped_column(String(80))
    # The links of the body, AES-GCM under a key that is not in the database; the body holds
    # placeholders where they go (see notifications.sealing). Blank once sent or cancelled.
    sealed: Mapped[str | None] = mapped_column(Text)
    # Not a message but a request the worker turns into messages (queue_request), e.g. "password-reset".
    request: Mapped[str | None] = mapped_column(String(40))
    # Keyed HMAC of the normalised recipient (notifications.services.contact_ref): finds every
    # message to a person whose data is deleted, without keeping the contact a second time.
    contact_ref: Mapped[str | None] = mapped_column(String(64))
    # The account it was sent to, where the cause knows one: the data export lists these.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
