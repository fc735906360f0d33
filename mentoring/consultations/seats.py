"""The seat core: a seat is claimed atomically, never beyond capacity, on SQLite and PostgreSQL.

How the capacity rule holds under concurrency, with any number of app instances:
1. `UPDATE slots SET booked_count = booked_count + 1 WHERE id = ? AND <bookable now>` claims a
   seat in one statement (the condition is `slots.bookable_now`, the rule every list uses). On
   PostgreSQL it takes the row lock, and a concurrent claimant waits and re-checks the condition
   after we commit; SQLite lets one writer in at a time. The loser's update matches no row.
2. With the row held, the seat-holding bookings are counted again, so a drifted counter
   cannot let one more in; the CHECK constraint `booked_count <= capacity` is the backstop.
3. Per-contact rules (no overlapping bookings, at most N future ones) run under a
   transaction-level advisory lock on the contact on PostgreSQL (the write lock on SQLite).
Services flush; the caller commits, which releases the locks.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from mentoring.clock import utcnow
from mentoring.consultations.models import (
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    ContactMode,
    Slot,
)
from mentoring.consultations.slots import ANY_HOST, SlotFilter, bookable_now, is_bookable
from mentoring.extensions import db, decrement, increment_if

REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B to misread on the phone


class BookingError(Exception):
    """A booking rule was broken; `message` says so to the parent, in their language."""

    code = "booking"
    message = _l("This time can no longer be booked. Please choose another one.")


class SlotFull(BookingError):
    code = "full"
    message = _l("This time has just been taken. Please choose another one.")


class SlotUnavailable(BookingError):
    code = "unavailable"


class OverlappingBooking(BookingError):
    code = "overlap"
    message = _l("You already have an appointment at this time.")


class TooManyBookings(BookingError):
    code = "too_many"
    message = _l("You already have the most appointments we allow at once. Please cancel one first.")


class TooLateToChange(BookingError):
    code = "too_late"
    message = _l("It is too late to change this appointment. Please call the programme office.")


class NotForYou(BookingError):
    """A mentor parent's meeting time, and the person booking is not one of their active families."""

    code = "audience"
    message = _l("Only the families of this mentor parent can book this time.")


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

    def columns(self) -> dict[str, object]:
        """The ContactColumns a booking and a waitlist entry both keep."""
        return {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "contact_key": self.key,
            "locale": self.locale,
            "district": self.district,
            "age_group": self.age_group,
            "discreet": self.discreet,
            "privacy_version": self.privacy_version,
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


def lock_contact(contact_key: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(contact_key.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def claim_seat(slot_id: int, now: datetime | None = None) -> bool:
    return increment_if(Slot.booked_count, slot_id, *bookable_now(now or utcnow()))


def release_seat(slot_id: int) -> None:
    decrement(Slot.booked_count, slot_id)


def seats_held(slot_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot_id, Booking.status.in_(SEAT_HOLDING))
        )
        or 0
    )


def locked_slot(slot_id: int) -> Slot:
    return db.session.scalars(
        select(Slot).where(Slot.id == slot_id).with_for_update().execution_options(populate_existing=True)
    ).one()


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


# The audience seam. A mentor parent's meeting slot is only for that mentor's active families, but
# the mentorships domain builds on this engine, so it registers the check here at start-up
# (mentoring.mentorships.meetings.may_book_meeting) instead of this module importing upwards.
# (host mentor profile id, user id, start of the slot) -> may book
AudienceRule = Callable[[int, int, datetime], bool]
_audience_rules: list[AudienceRule] = []


def register_audience_rule(rule: AudienceRule) -> None:
    if rule not in _audience_rules:
        _audience_rules.append(rule)


def may_book(slot: Slot, user_id: int | None) -> bool:
    """Public slots are for everyone; a mentor's meeting slot only for their active families."""
    if slot.host_mentor_id is None:
        return True
    return user_id is not None and any(
        rule(slot.host_mentor_id, user_id, slot.starts_at) for rule in _audience_rules
    )


def take_seat(
    slot_id: int, contact_key: str, user_id: int | None, ignore_booking_id: int | None = None
) -> Slot:
    """Claim one seat of the slot for this contact, or raise; the caller commits or rolls back."""
    if not claim_seat(slot_id):
        if not is_bookable(slot_id, SlotFilter(host_mentor=ANY_HOST, needs_free_seat=False)):
            raise SlotUnavailable(slot_id)
        raise SlotFull(slot_id)
    slot = locked_slot(slot_id)
    if seats_held(slot_id) >= slot.capacity:
        raise SlotFull(slot_id)
    if not may_book(slot, user_id):
        raise NotForYou(slot_id)
    check_contact_rules(contact_key, slot, ignore_booking_id)
    return slot


def video_room() -> str:
    return "elternberatung-" + secrets.token_urlsafe(18).replace("_", "x").replace("-", "y")


def new_booking(slot: Slot, contact: Contact, hold_until: datetime | None = None) -> tuple[Booking, str]:
    """The booking row for a seat just taken; returns it and its raw manage token (stored hashed)."""
    token = secrets.token_urlsafe(24)
    booking = Booking(
        slot_id=slot.id,
        reference=new_reference(),
        manage_token_hash=hash_token(token),
        note=contact.note,
        user_id=contact.user_id,
        survey_consent=contact.survey_consent,
        status=BookingStatus.HELD if hold_until else BookingStatus.CONFIRMED,
        hold_until=hold_until,
        video_room=video_room() if slot.mode == ContactMode.ONLINE else None,
        **contact.columns(),
    )
    booking.slot = slot
    db.session.add(booking)
    db.session.flush()
    return booking, token
