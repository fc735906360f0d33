"""The waitlist: when a seat frees up, the next waiting parent who fits gets it on hold.

A hold is a booking in the state HELD: it takes a seat like any booking (so the capacity rule and
the public list see the seat as taken) and carries `hold_until`. The parent confirms it through the
link in the offer message; a hold that lapses gives the seat to the next fitting parent. Everything
runs in the caller's transaction, next to the cancellation that freed the seat.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from mentoring import clock
from mentoring.consultations import messages, seats
from mentoring.consultations.models import Booking, Slot, WaitlistEntry, WaitlistStatus
from mentoring.consultations.slots import SlotFilter, bookable_slots, is_bookable
from mentoring.extensions import db
from mentoring.links import public_url
from mentoring.notifications.services import queue_message

MAX_CANDIDATES = 50  # waiting parents looked at per freed seat
# Fitting slots tried for a new entry; only open ones with a free seat are listed, so the first
# one usually takes (the parent's own overlapping bookings can refuse a few).
MAX_SLOTS_TRIED = 20


@dataclass(frozen=True)
class Wish:
    """What a waiting parent looks for; None means any."""

    topic: str | None
    language: str | None
    mode: str | None
    weeks: int


def join(contact: seats.Contact, wish: Wish, today: date) -> tuple[WaitlistEntry, str]:
    """Put a parent on the waitlist; returns the entry and the raw token of the link to leave it."""
    token = secrets.token_urlsafe(24)
    entry = WaitlistEntry(
        token_hash=seats.hash_token(token),
        topic=wish.topic,
        language=wish.language,
        mode=wish.mode,
        until=today + timedelta(weeks=wish.weeks),
        user_id=contact.user_id,
        **contact.columns(),
    )
    db.session.add(entry)
    db.session.flush()
    message = queue_message(
        entry.email,
        entry.phone,
        "consultations/waitlist_joined",
        entry.locale,
        links={"leave_url": public_url("consultations.leave_waitlist", token=token, lang=entry.locale)},
        **context(entry),
    )
    message.user_id = entry.user_id
    offer_open_seats(entry)
    return entry, token


def context(entry: WaitlistEntry) -> dict:
    return {"entry": entry, "discreet": entry.discreet}


def entry_by_token(token: str) -> WaitlistEntry | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.token_hash == seats.hash_token(token))
    ).first()


def contact_of(entry: WaitlistEntry) -> seats.Contact:
    return seats.Contact(
        name=entry.name,
        locale=entry.locale,
        privacy_version=entry.privacy_version,
        phone=entry.phone,
        email=entry.email,
        district=entry.district,
        age_group=entry.age_group,
        discreet=entry.discreet,
        user_id=entry.user_id,
    )


def contacts_of(email: str | None, phone: str | None, *more: str | None) -> frozenset[str]:
    """The forms a person's contact takes in a contact key or a recipient: phone, e-mail in lower case."""
    return frozenset("".join(c.split()).lower() for c in (email, phone, *more) if c and c.strip())


def is_same_contact(entry: WaitlistEntry, contacts: frozenset[str]) -> bool:
    return bool(contacts & contacts_of(entry.email, entry.phone, entry.contact_key))


def waiting_entries(today: date) -> list[WaitlistEntry]:
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.WAITING, WaitlistEntry.until >= today)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            .limit(MAX_CANDIDATES)
        )
    )


def wish_filter(entry: WaitlistEntry) -> SlotFilter:
    """The entry's wish as the one slot rule's filter: public hours up to the last day it waits."""
    return SlotFilter(
        topic=entry.topic,
        language=entry.language,
        mode=entry.mode,
        date_to=entry.until,
        exclude_ids=frozenset(int(slot_id) for slot_id in entry.passed_slots),
    )


def try_hold(entry: WaitlistEntry, slot_id: int, now: datetime) -> Booking | None:
    """Hold a seat of this slot for the entry, if the slot and the parent's other bookings allow it.

    The checks run before the seat is claimed, so a refusal writes nothing.
    """
    slot = seats.locked_slot(slot_id)
    if not is_bookable(slot_id, wish_filter(entry)):
        return None
    try:
        seats.check_contact_rules(entry.contact_key, slot)
        slot = seats.take_seat(slot_id, entry.contact_key, None)
    except seats.BookingError:
        return None
    hold_until = now + timedelta(hours=current_app.config["WAITLIST_HOLD_HOURS"])
    booking, token = seats.new_booking(slot, contact_of(entry), hold_until=hold_until)
    booking.waitlist_entry_id = entry.id
    entry.status = WaitlistStatus.OFFERED
    db.session.flush()
    messages.tell_parent(booking, "waitlist_offer", token)
    return booking


def offer_freed_seat(slot_id: int, exclude: frozenset[str] = frozenset()) -> Booking | None:
    """A seat of this slot is free: the longest-waiting parent who fits gets it on hold, never one
    whose contact is in `exclude` (the person who freed it by deleting their data)."""
    now = clock.utcnow()
    if db.session.get(Slot, slot_id) is None:
        return None
    for entry in waiting_entries(clock.today(now)):
        if exclude and is_same_contact(entry, exclude):
            continue
        held = try_hold(entry, slot_id, now)
        if held is not None:
            return held
    return None


def offer_open_seats(entry: WaitlistEntry) -> Booking | None:
    """Right after joining, a fitting free seat (one that freed a moment ago) is offered at once."""
    now = clock.utcnow()
    for slot_id in db.session.scalars(
        bookable_slots(wish_filter(entry), now).with_only_columns(Slot.id).limit(MAX_SLOTS_TRIED)
    ):
        held = try_hold(entry, slot_id, now)
        if held is not None:
            return held
    return None


def offer_new_slots(slot_ids: list[int]) -> int:
    """New times were published: waiting parents who fit get their seats on hold, longest-waiting first."""
    if not db.session.scalar(
        select(WaitlistEntry.id).where(WaitlistEntry.status == WaitlistStatus.WAITING).limit(1)
    ):
        return 0  # the usual case: nobody waits, nothing to look at
    offered = 0
    for slot_id in slot_ids:
        while offer_freed_seat(slot_id) is not None:
            offered += 1
    return offered
