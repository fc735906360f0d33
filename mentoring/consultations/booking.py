"""Booking rules: a seat is claimed atomically, never beyond capacity, on SQLite and PostgreSQL.

How the capacity rule holds under concurrency, with any number of app instances:
1. `UPDATE slots SET booked_count = booked_count + 1 WHERE id = ? AND booked_count < capacity`
   claims a seat in one statement. On PostgreSQL it takes the row lock, and a concurrent
   claimant waits and re-checks the condition after we commit; SQLite lets one writer in at a
   time. The loser's update matches no row: SlotFull.
2. With the row held, the seat-holding bookings are counted again, so a drifted counter
   cannot let one more in; the CHECK constraint `booked_count <= capacity` is the backstop.
3. Per-contact rules (no overlapping bookings, at most N future ones) run under a
   transaction-level advisory lock on the contact on PostgreSQL (the write lock on SQLite).
Services flush; the caller commits, which releases the locks.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import joinedload, selectinload

from mentoring.clock import utcnow
from mentoring.consultations.models import (
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    ContactMode,
    ExpertProfile,
    InterpreterRequest,
    Slot,
    SlotSeries,
    SlotStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.notifications.services import cancel_pending, queue_email, queue_message

REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B to misread on the phone


class BookingError(Exception):
    code = "booking"


class SlotFull(BookingError):
    code = "full"


class SlotUnavailable(BookingError):
    code = "unavailable"


class OverlappingBooking(BookingError):
    code = "overlap"


class TooManyBookings(BookingError):
    code = "too_many"


class TooLateToChange(BookingError):
    code = "too_late"


class NotForYou(BookingError):
    """A mentor parent's meeting time, and the person booking is not one of their active families."""

    code = "audience"


@dataclass(frozen=True)
class Contact:
    name: str
    locale: str
    privacy_version: str
    phone: str | None = None
    email: str | None = None
    district: str | None = None
    age_group: str | None = None
    note: str = ""
    user_id: int | None = None
    survey_consent: bool = False
    discreet: bool = False

    @property
    def key(self) -> str:
        return self.phone or (self.email or "").lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


def lock_contact(contact_key: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(contact_key.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def claim_seat(slot_id: int) -> bool:
    claimed = db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == SlotStatus.OPEN, Slot.booked_count < Slot.capacity)
        .values(booked_count=Slot.booked_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def release_seat(slot_id: int) -> None:
    db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked_count > 0)
        .values(booked_count=Slot.booked_count - 1)
        .execution_options(synchronize_session=False)
    )


def seats_held(slot_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.slot_id == slot_id, Booking.status.in_(SEAT_HOLDING))
    )


def locked_slot(slot_id: int) -> Slot:
    slot = db.session.scalars(
        select(Slot).where(Slot.id == slot_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return slot


def check_contact_rules(contact_key: str, slot: Slot, ignore_booking_id: int | None = None) -> None:
    """One contact: no two overlapping seats, at most MAX_FUTURE_BOOKINGS future ones."""
    lock_contact(contact_key)
    mine = (
        select(Booking.id, Slot.starts_at, Slot.ends_at)
        .join(Booking.slot)
        .where(
            Booking.contact_key == contact_key,
            Booking.status.in_(SEAT_HOLDING),
            Slot.ends_at > utcnow(),
        )
    )
    if ignore_booking_id is not None:
        mine = mine.where(Booking.id != ignore_booking_id)
    rows = db.session.execute(mine).all()
    if any(start < slot.ends_at and slot.starts_at < end for _id, start, end in rows):
        raise OverlappingBooking(slot.id)
    if len(rows) >= current_app.config["MAX_FUTURE_BOOKINGS_PER_CONTACT"]:
        raise TooManyBookings(slot.id)


def may_book(slot: Slot, user_id: int | None) -> bool:
    """The audience rule: open slots are for everyone; a mentor's meeting slot only for their families."""
    if slot.host_mentor_id is None:
        return True
    # Imported here: the mentorships package builds on this engine, so it loads after it.
    from mentoring.mentorships.models import MatchStatus, MentoringMatch

    return (
        user_id is not None
        and db.session.scalar(
            select(func.count())
            .select_from(MentoringMatch)
            .where(
                MentoringMatch.mentor_id == slot.host_mentor_id,
                MentoringMatch.parent_id == user_id,
                MentoringMatch.status == MatchStatus.ACTIVE,
            )
        )
        > 0
    )


def take_seat(
    slot_id: int, contact_key: str, user_id: int | None, ignore_booking_id: int | None = None
) -> Slot:
    """Claim one seat of the slot for this contact, or raise; the caller commits or rolls back."""
    if not claim_seat(slot_id):
        slot = db.session.get(Slot, slot_id)
        if slot is None or slot.status != SlotStatus.OPEN:
            raise SlotUnavailable(slot_id)
        raise SlotFull(slot_id)
    slot = locked_slot(slot_id)
    if not is_bookable_ignoring_seat(slot):
        raise SlotUnavailable(slot_id)
    if seats_held(slot_id) >= slot.capacity:
        raise SlotFull(slot_id)
    if not may_book(slot, user_id):
        raise NotForYou(slot_id)
    check_contact_rules(contact_key, slot, ignore_booking_id)
    return slot


def is_bookable_ignoring_seat(slot: Slot) -> bool:
    """The time rules (notice, horizon) for a slot whose seat we already claimed."""
    now = utcnow()
    return slot.status == SlotStatus.OPEN and slot.bookable_from <= now < slot.bookable_until


def video_room() -> str:
    return "elternberatung-" + secrets.token_urlsafe(18).replace("_", "x").replace("-", "y")


def book_slot(slot_id: int, contact: Contact, hold_until: datetime | None = None) -> tuple[Booking, str]:
    """Book one seat; returns the booking and its raw manage token (shown once, stored hashed).

    With `hold_until` the seat is held for a waiting parent, who confirms it through the link.
    Raise SlotFull, SlotUnavailable, OverlappingBooking or TooManyBookings; nothing is written then.
    """
    slot = take_seat(slot_id, contact.key, contact.user_id)
    token = secrets.token_urlsafe(24)
    booking = Booking(
        slot_id=slot.id,
        reference=new_reference(),
        manage_token_hash=hash_token(token),
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        contact_key=contact.key,
        locale=contact.locale,
        district=contact.district,
        age_group=contact.age_group,
        note=contact.note,
        user_id=contact.user_id,
        privacy_version=contact.privacy_version,
        survey_consent=contact.survey_consent,
        discreet=contact.discreet,
        status=BookingStatus.HELD if hold_until else BookingStatus.CONFIRMED,
        hold_until=hold_until,
        video_room=video_room() if slot.mode == ContactMode.ONLINE else None,
    )
    booking.slot = slot
    db.session.add(booking)
    db.session.flush()
    if hold_until:
        tell_parent(booking, "waitlist_offer", token)
    else:
        confirmed(booking, token)
    return booking, token


def confirmed(booking: Booking, token: str) -> None:
    tell_parent(booking, "booking_confirmed", token)
    schedule_reminder(booking, token)
    tell_expert(booking, "expert_new_booking")


def confirm_hold(booking: Booking, token: str, now: datetime | None = None) -> None:
    """The waiting parent takes the seat held for them; raise TooLateToChange once the hold lapsed."""
    if (
        booking.status != BookingStatus.HELD
        or booking.hold_until is None
        or booking.hold_until <= (now or utcnow())
    ):
        raise TooLateToChange(booking.id)
    booking.status = BookingStatus.CONFIRMED
    booking.hold_until = None
    entry = db.session.get(WaitlistEntry, booking.waitlist_entry_id) if booking.waitlist_entry_id else None
    if entry is not None:
        entry.status = WaitlistStatus.BOOKED
    db.session.flush()
    confirmed(booking, token)


def decline_hold(booking: Booking) -> None:
    """The waiting parent does not want this time: the seat goes on to the next one at once."""
    if booking.status != BookingStatus.HELD:
        raise TooLateToChange(booking.id)
    entry = db.session.get(WaitlistEntry, booking.waitlist_entry_id) if booking.waitlist_entry_id else None
    if entry is not None:
        entry.passed_slots = [*entry.passed_slots, str(booking.slot_id)]
        entry.status = WaitlistStatus.WAITING
    end_booking(booking, BookingStatus.LAPSED, "")


def get_own_booking(token: str) -> Booking | None:
    """The booking behind a manage link; None for an unknown token."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(Booking)
        .where(Booking.manage_token_hash == hash_token(token))
        .options(joinedload(Booking.slot).joinedload(Slot.expert).joinedload(ExpertProfile.user))
    ).first()


def can_change(booking: Booking, now: datetime | None = None) -> bool:
    """The parent may cancel or move until the slot's cancellation deadline."""
    now = now or utcnow()
    deadline = booking.slot.starts_at - timedelta(hours=booking.slot.cancel_deadline_hours)
    return booking.status == BookingStatus.CONFIRMED and now < deadline


def cancel_by_parent(booking: Booking, token: str) -> None:
    if not can_change(booking):
        raise TooLateToChange(booking.id)
    end_booking(booking, BookingStatus.CANCELLED_BY_PARENT, "")
    tell_parent(booking, "booking_cancelled", token)
    tell_expert(booking, "expert_booking_cancelled")


def cancel_by_expert(booking: Booking, reason: str) -> None:
    """The expert cancels one booking; the parent is told why, in their language."""
    if booking.status != BookingStatus.CONFIRMED:
        raise SlotUnavailable(booking.slot_id)
    end_booking(booking, BookingStatus.CANCELLED_BY_EXPERT, reason)
    tell_parent(booking, "booking_cancelled_by_expert", None)


def end_booking(booking: Booking, status: BookingStatus, reason: str) -> None:
    """The seat is free again: the next waiting parent who fits is offered it in the same transaction."""
    booking.status = status
    booking.cancelled_at = utcnow()
    booking.cancel_reason = reason
    booking.hold_until = None
    release_seat(booking.slot_id)
    cancel_pending(reminder_key(booking))
    db.session.flush()
    offer_freed_seat(booking.slot_id)


def offer_freed_seat(slot_id: int) -> None:
    # Imported here: the waitlist builds on this module's booking rules.
    from mentoring.clock import zone
    from mentoring.consultations import waitlist

    slot = db.session.get(Slot, slot_id)
    if slot is not None and slot.status == SlotStatus.OPEN:
        waitlist.offer_freed_seat(slot_id, zone())


def move_booking(booking: Booking, token: str, new_slot_id: int) -> None:
    """Move to another slot until the deadline; the manage link stays the same."""
    if not can_change(booking):
        raise TooLateToChange(booking.id)
    if new_slot_id == booking.slot_id:
        raise SlotUnavailable(new_slot_id)
    new_slot = take_seat(new_slot_id, booking.contact_key, booking.user_id, ignore_booking_id=booking.id)
    old_slot_id = booking.slot_id
    release_seat(booking.slot_id)
    cancel_pending(reminder_key(booking))
    old_expert = booking.slot.expert
    booking.slot_id = new_slot.id
    booking.slot = new_slot
    booking.video_room = video_room() if new_slot.mode == ContactMode.ONLINE else None
    db.session.flush()
    tell_parent(booking, "booking_moved", token)
    schedule_reminder(booking, token)
    tell_expert(booking, "expert_new_booking")
    if old_expert.id != new_slot.expert_id:
        tell_expert(booking, "expert_booking_cancelled", expert=old_expert)
    offer_freed_seat(old_slot_id)


def mark_attendance(booking: Booking, attended: bool) -> None:
    """After the slot has begun, the expert records attended or no-show (both keep the seat)."""
    if booking.status not in SEAT_HOLDING or booking.slot.starts_at > utcnow():
        raise SlotUnavailable(booking.slot_id)
    booking.status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    db.session.flush()


def get_expert_booking(expert: ExpertProfile, booking_id: int) -> Booking | None:
    """A booking only if it is in one of this expert's slots (else None: 404, not a leak)."""
    return db.session.scalars(
        select(Booking).join(Booking.slot).where(Booking.id == booking_id, Slot.expert_id == expert.id)
    ).first()


def bookings_for_slots(slot_ids: list[int]) -> dict[int, list[Booking]]:
    by_slot: dict[int, list[Booking]] = {slot_id: [] for slot_id in slot_ids}
    if slot_ids:
        for booking in db.session.scalars(
            select(Booking)
            .where(Booking.slot_id.in_(slot_ids))
            .options(selectinload(Booking.interpreter))  # the agenda shows it: one query, not one each
            .order_by(Booking.created_at)
        ):
            by_slot[booking.slot_id].append(booking)
    return by_slot


def cancel_slot(slot: Slot, reason: str) -> int:
    """Cancel a whole slot; every parent in it is told. Returns how many bookings ended.

    The slot is closed first, so no freed seat of it is offered to the waitlist; a seat held for
    a waiting parent just ends, and they stay on the waitlist.
    """
    slot.status = SlotStatus.CANCELLED
    db.session.flush()
    ended = 0
    for booking in db.session.scalars(
        select(Booking).where(
            Booking.slot_id == slot.id, Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.HELD))
        )
    ).all():
        if booking.status == BookingStatus.HELD:
            reopen_entry(booking)
            end_booking(booking, BookingStatus.LAPSED, reason)
            continue
        cancel_by_expert(booking, reason)
        ended += 1
    db.session.flush()
    return ended


def reopen_entry(booking: Booking) -> None:
    entry = db.session.get(WaitlistEntry, booking.waitlist_entry_id) if booking.waitlist_entry_id else None
    if entry is not None and entry.status == WaitlistStatus.OFFERED:
        entry.status = WaitlistStatus.WAITING


def cancel_series_from(
    series: SlotSeries, first_day: date, first_day_start: datetime, reason: str
) -> tuple[int, int]:
    """End a series from `first_day` on: its slots are cancelled and their parents told."""
    slots = db.session.scalars(
        select(Slot).where(
            Slot.series_id == series.id, Slot.starts_at >= first_day_start, Slot.status == SlotStatus.OPEN
        )
    ).all()
    told = sum(cancel_slot(slot, reason) for slot in slots)
    if first_day <= series.first_date:
        series.is_cancelled = True
    else:
        series.last_date = min(series.last_date, first_day - timedelta(days=1))
    db.session.flush()
    return len(slots), told


def skip_series_date(
    series: SlotSeries, day_start: datetime, day_end: datetime, reason: str
) -> tuple[int, int]:
    """A day off in a series (a holiday): that day's slots are cancelled, parents told."""
    slots = db.session.scalars(
        select(Slot).where(
            Slot.series_id == series.id,
            Slot.starts_at >= day_start,
            Slot.starts_at < day_end,
            Slot.status == SlotStatus.OPEN,
        )
    ).all()
    told = sum(cancel_slot(slot, reason) for slot in slots)
    series.skipped_dates = [*series.skipped_dates, day_start.date().isoformat()]
    db.session.flush()
    return len(slots), told


# Messages ---------------------------------------------------------------------------------


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


def message_context(booking: Booking, token: str | None) -> dict:
    return {
        "booking": booking,
        "slot": booking.slot,
        "expert": booking.slot.expert,
        "manage_url": manage_url(booking, token),
        "video_url": video_url(booking),
    }


def tell_parent(
    booking: Booking, template: str, token: str | None, send_after: datetime | None = None, cancel_key=None
) -> None:  # type: ignore[no-untyped-def]
    """In the parent's language; discreet bookings get one neutral message with a neutral sender."""
    context = message_context(booking, token) | {"kind": template}
    if template == "reminder":
        context |= {
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
        **context,
    )
    if booking.discreet:
        message.sender = current_app.config["DISCREET_SENDER"]


def schedule_reminder(booking: Booking, token: str) -> None:
    """The reminder is an outbox row due before the slot, withdrawn if the booking ends."""
    send_at = booking.slot.starts_at - timedelta(hours=current_app.config["REMINDER_HOURS"])
    if send_at <= utcnow():
        return
    tell_parent(booking, "reminder", token, send_after=send_at, cancel_key=reminder_key(booking))


# One-tap answers to the reminder: single-purpose links, valid until the appointment begins. -----

ANSWERS = ("coming", "not-coming")


def answer_signature(booking: Booking, answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(
        key, f"reminder:{booking.id}:{booking.reference}:{answer}".encode(), "sha256"
    ).hexdigest()[:32]


def answer_url(booking: Booking, answer: str) -> str:
    return public_url(
        "consultations.answer_reminder",
        reference=booking.reference,
        answer=answer,
        signature=answer_signature(booking, answer),
        lang=booking.locale,
    )


def booking_for_answer(
    reference: str, answer: str, signature: str, now: datetime | None = None
) -> Booking | None:
    """The booking behind a reminder link, only while the link may still be used; else None."""
    if answer not in ANSWERS or len(reference) > 12 or len(signature) > 64:
        return None
    booking = db.session.scalars(
        select(Booking)
        .where(Booking.reference == reference)
        .options(joinedload(Booking.slot).joinedload(Slot.expert).joinedload(ExpertProfile.user))
    ).first()
    if booking is None or not hmac.compare_digest(answer_signature(booking, answer), signature):
        return None
    if booking.slot.starts_at <= (now or utcnow()):
        return None
    return booking


def says_coming(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise SlotUnavailable(booking.slot_id)
    booking.says_coming = True
    db.session.flush()


def cannot_come(booking: Booking) -> None:
    """From the reminder: the seat is freed at once (even after the usual deadline); not a no-show."""
    if booking.status != BookingStatus.CONFIRMED:
        raise SlotUnavailable(booking.slot_id)
    end_booking(booking, BookingStatus.CANCELLED_BY_PARENT, "")
    tell_parent(booking, "booking_cancelled", None)
    tell_expert(booking, "expert_booking_cancelled")


def tell_expert(booking: Booking, template: str, expert: ExpertProfile | None = None) -> None:
    expert = expert or booking.slot.expert
    if expert.user.email:
        queue_email(
            expert.user.email,
            f"consultations/{template}",
            expert.user.locale,
            **message_context(booking, None),
        )


def request_interpreter(booking: Booking, language: str, mode: str) -> InterpreterRequest:
    """The parent asked for an interpreter; it goes to the programme office's queue."""
    request = InterpreterRequest(booking_id=booking.id, language=language, mode=mode)
    db.session.add(request)
    db.session.flush()
    return request
