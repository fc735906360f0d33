"""Messages to parents and experts about bookings, each in the recipient's language, via the outbox.

Discreet bookings get one neutral message with a neutral sender; the reminder carries one-tap
"I'll be there" / "I can't come" links (single-purpose, signed, valid until the appointment).
"""

import hmac
from datetime import datetime, timedelta

from flask import current_app

from mentoring import keys
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, ExpertProfile
from mentoring.links import public_url
from mentoring.notifications.services import cancel_pending, queue_email, queue_message

ANSWERS = ("coming", "not-coming")


def reminder_key(booking: Booking) -> str:
    return f"booking:{booking.id}:reminder"


def manage_url(booking: Booking, token: str | None) -> str | None:
    if token is None:
        return None
    return public_url("consultations.manage", token=token, lang=booking.locale)


def video_url(booking: Booking) -> str | None:
    if not booking.video_room:
        return None
    return current_app.config["VIDEO_BASE_URL"].rstrip("/") + "/" + booking.video_room


def message_context(booking: Booking) -> dict:
    return {
        "booking": booking,
        "slot": booking.slot,
        "expert": booking.slot.expert,
        "video_url": video_url(booking),
    }


def tell_parent(
    booking: Booking, template: str, token: str | None, send_after: datetime | None = None, cancel_key=None
) -> None:
    """In the parent's language; discreet bookings get one neutral message with a neutral sender.

    The links that open the booking are sealed: the outbox row holds none of them in clear."""
    context = message_context(booking) | {"kind": template}
    links = {"manage_url": manage_url(booking, token), "coming_url": None, "not_coming_url": None}
    if template == "reminder":
        links |= {
            "coming_url": answer_url(booking, "coming"),
            "not_coming_url": answer_url(booking, "not-coming"),
        }
    message = queue_message(
        booking.email,
        booking.phone,
        "consultations/discreet" if booking.discreet else f"consultations/{template}",
        booking.locale,
        send_after=send_after,
        cancel_key=cancel_key,
        links=links,
        **context,
    )
    message.user_id = booking.user_id
    if booking.discreet:
        message.sender = current_app.config["DISCREET_SENDER"]


def schedule_reminder(booking: Booking, token: str) -> None:
    """The reminder is an outbox row due before the slot, withdrawn if the booking ends."""
    send_at = booking.slot.starts_at - timedelta(hours=current_app.config["REMINDER_HOURS"])
    if send_at <= utcnow():
        return
    tell_parent(booking, "reminder", token, send_after=send_at, cancel_key=reminder_key(booking))


def answer_message(booking: Booking, answer: str) -> str:
    return f"reminder:{booking.id}:{booking.reference}:{answer}"


def answer_signature(booking: Booking, answer: str) -> str:
    """The reminder answer's signature, under its own key (mentoring/keys.py)."""
    return keys.sign("reminder-answer", answer_message(booking, answer))[:32]


def answer_signature_ok(booking: Booking, answer: str, signature: str) -> bool:
    """Whether `signature` was made for this answer, by the current key or one still in rotation."""
    return any(
        hmac.compare_digest(
            hmac.new(key, answer_message(booking, answer).encode(), "sha256").hexdigest()[:32], signature
        )
        for key in keys.candidates("reminder-answer")
    )


def answer_url(booking: Booking, answer: str) -> str:
    return public_url(
        "consultations.answer_reminder",
        reference=booking.reference,
        answer=answer,
        signature=answer_signature(booking, answer),
        lang=booking.locale,
    )


def tell_expert(booking: Booking, template: str, expert: ExpertProfile | None = None) -> None:
    expert = expert or booking.slot.expert
    if expert.user.email:
        message = queue_email(
            expert.user.email,
            f"consultations/{template}",
            expert.user.locale,
            **message_context(booking) | {"manage_url": None},
        )
        message.user_id = expert.user_id


def withdraw_reminder(booking: Booking) -> None:
    cancel_pending(reminder_key(booking))
