"""The waitlist: when a seat frees up, the next waiting parent who fits gets it on hold.

A hold is a booking in the state HELD: it takes a seat like any booking (so the capacity rule and
the public list see the seat as taken) and carries `hold_until`. The parent confirms it through the
link in the offer message; a hold that lapses gives the seat to the next fitting parent. Everything
runs in the caller's transaction, next to the cancellation that freed the seat.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from mentoring.clock import utcnow, zone
from mentoring.consultations import booking as booking_rules
from mentoring.consultations.models import (
    Booking,
    BookingStatus,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)
from mentoring.db import has_tag
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.notifications.services import queue_message

MAX_CANDIDATES = 50  # waiting parents looked at per freed seat


@dataclass(frozen=True)
class Wish:
    """What a waiting parent looks for; None means any."""

    topic: str | None
    language: str | None
    mode: str | None
    weeks: int


def join(contact: booking_rules.Contact, wish: Wish, today: date) -> tuple[WaitlistEntry, str]:
    """Put a parent on the waitlist; returns the entry and the raw token of the link to leave it."""
    token = secrets.token_urlsafe(24)
    entry = WaitlistEntry(
        token_hash=booking_rules.hash_token(token),
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        contact_key=contact.key,
        locale=contact.locale,
        district=contact.district,
        age_group=contact.age_group,
        discreet=contact.discreet,
        privacy_version=contact.privacy_version,
        topic=wish.topic,
        language=wish.language,
        mode=wish.mode,
        until=today + timedelta(weeks=wish.weeks),
    )
    db.session.add(entry)
    db.session.flush()
    queue_message(
        entry.email, entry.phone, "consultations/waitlist_joined", entry.locale, **context(entry, token)
    )
    offer_open_seats(entry)
    return entry, token


def context(entry: WaitlistEntry, token: str) -> dict:
    return {
        "entry": entry,
        "leave_url": public_url("consultations.leave_waitlist", token=token, lang=entry.locale),
        "discreet": entry.discreet,
    }


def entry_by_token(token: str) -> WaitlistEntry | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.token_hash == booking_rules.hash_token(token))
    ).first()


def leave(entry: WaitlistEntry) -> None:
    """Off the list; a seat held for this parent goes to the next one."""
    held = db.session.scalars(
        select(Booking).where(Booking.waitlist_entry_id == entry.id, Booking.status == BookingStatus.HELD)
    ).all()
    entry.status = WaitlistStatus.LEFT
    for booking in held:
        booking_rules.end_booking(booking, BookingStatus.LAPSED, "")
    db.session.flush()


def fitting_slots(entry: WaitlistEntry, now: datetime, zone) -> list[Slot]:  # type: ignore[no-untyped-def]
    """Open, bookable public slots with a free seat that match the wish, soonest first."""
    query = (
        select(Slot)
        .where(
            Slot.host_mentor_id.is_(None),
            Slot.booked_count < Slot.capacity,
            Slot.bookable_from <= now,
            Slot.bookable_until > now,
            Slot.starts_at < datetime.combine(entry.until + timedelta(days=1), time(0), zone),
        )
        .order_by(Slot.starts_at)
        .limit(20)
    )
    if entry.topic:
        query = query.where(has_tag(Slot.topics, entry.topic))
    if entry.language:
        query = query.where(has_tag(Slot.languages, entry.language))
    if entry.mode:
        query = query.where(Slot.mode == entry.mode)
    return [slot for slot in db.session.scalars(query) if str(slot.id) not in entry.passed_slots]


def fits(entry: WaitlistEntry, slot: Slot, zone) -> bool:  # type: ignore[no-untyped-def]
    return (
        slot.host_mentor_id is None
        and str(slot.id) not in entry.passed_slots
        and (not entry.topic or entry.topic in slot.topics)
        and (not entry.language or entry.language in slot.languages)
        and (not entry.mode or entry.mode == slot.mode.value)
        and slot.starts_at < datetime.combine(entry.until + timedelta(days=1), time(0), zone)
    )


def contact_of(entry: WaitlistEntry) -> booking_rules.Contact:
    return booking_rules.Contact(
        name=entry.name,
        locale=entry.locale,
        privacy_version=entry.privacy_version,
        phone=entry.phone,
        email=entry.email,
        district=entry.district,
        age_group=entry.age_group,
        discreet=entry.discreet,
    )


def try_hold(entry: WaitlistEntry, slot_id: int, now: datetime) -> Booking | None:
    """Hold a seat of this slot for the entry, if the slot and the parent's other bookings allow it.

    The checks run before the seat is claimed, so a refusal writes nothing.
    """
    slot = booking_rules.locked_slot(slot_id)
    if not booking_rules.is_bookable_ignoring_seat(slot) or slot.booked_count >= slot.capacity:
        return None
    try:
        booking_rules.check_contact_rules(entry.contact_key, slot)
    except booking_rules.BookingError:
        return None
    hold_until = now + timedelta(hours=current_app.config["WAITLIST_HOLD_HOURS"])
    booking, _token = booking_rules.book_slot(slot_id, contact_of(entry), hold_until=hold_until)
    booking.waitlist_entry_id = entry.id
    entry.status = WaitlistStatus.OFFERED
    db.session.flush()
    return booking


def waiting_entries(today: date) -> list[WaitlistEntry]:
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.WAITING, WaitlistEntry.until >= today)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            .limit(MAX_CANDIDATES)
        )
    )


def offer_freed_seat(slot_id: int, zone) -> Booking | None:  # type: ignore[no-untyped-def]
    """A seat of this slot is free: the longest-waiting parent who fits gets it on hold."""
    now = utcnow()
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        return None
    for entry in waiting_entries(now.astimezone(zone).date()):
        if fits(entry, slot, zone):
            held = try_hold(entry, slot_id, now)
            if held is not None:
                return held
    return None


def offer_open_seats(entry: WaitlistEntry) -> Booking | None:
    """Right after joining, a fitting free seat (one that freed a moment ago) is offered at once."""
    now = utcnow()
    for slot in fitting_slots(entry, now, zone()):
        held = try_hold(entry, slot.id, now)
        if held is not None:
            return held
    return None


def lapse_holds(now: datetime) -> int:
    """Holds nobody took in time end; each seat goes to the next waiting parent who fits."""
    lapsed = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.HELD, Booking.hold_until <= now)
    ).all()
    for booking in lapsed:
        entry = (
            db.session.get(WaitlistEntry, booking.waitlist_entry_id) if booking.waitlist_entry_id else None
        )
        if entry is not None:
            entry.passed_slots = [*entry.passed_slots, str(booking.slot_id)]
            if entry.status == WaitlistStatus.OFFERED:
                entry.status = WaitlistStatus.WAITING
        booking_rules.end_booking(booking, BookingStatus.LAPSED, "")
    db.session.flush()
    return len(lapsed)


def offer_new_slots(slot_ids: list[int]) -> int:
    """New times were published: waiting parents who fit get their seats on hold, longest-waiting first."""
    if not db.session.scalar(
        select(WaitlistEntry.id).where(WaitlistEntry.status == WaitlistStatus.WAITING).limit(1)
    ):
        return 0  # the usual case: nobody waits, nothing to look at
    offered = 0
    for slot_id in slot_ids:
        while offer_freed_seat(slot_id, zone()) is not None:
            offered += 1
    return offered
