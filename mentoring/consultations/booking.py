"""The booking lifecycle: book, confirm a held seat, move, cancel, attend; the expert's changes.

Seats are claimed and released by `seats` (the capacity rule); every seat that frees up goes to the
waitlist in the same transaction (`waitlist.offer_freed_seat`); parents and experts are told by
`messages`. Services flush; the caller commits.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from mentoring import clock, events
from mentoring.clock import utcnow
from mentoring.consultations import messages, waitlist
from mentoring.consultations.models import (
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    ContactMode,
    ExpertProfile,
    Slot,
    SlotSeries,
    SlotStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from mentoring.consultations.seats import (
    Contact,
    SlotUnavailable,
    TooLateToChange,
    hash_token,
    new_booking,
    release_seat,
    take_seat,
    video_room,
)
from mentoring.extensions import db, rows_changed


def book_slot(slot_id: int, contact: Contact) -> tuple[Booking, str]:
    """Book one seat; returns the booking and its raw manage token (shown once, stored hashed).

    Raise SlotFull, SlotUnavailable, OverlappingBooking, TooManyBookings or NotForYou; the caller
    rolls back then.
    """
    slot = take_seat(slot_id, contact.key, contact.user_id)
    booking, token = new_booking(slot, contact)
    confirmed(booking, token)
    return booking, token


def confirmed(booking: Booking, token: str) -> None:
    messages.tell_parent(booking, "booking_confirmed", token)
    messages.schedule_reminder(booking, token)
    messages.tell_expert(booking, "expert_new_booking")


def confirm_hold(booking: Booking, token: str, now: datetime | None = None) -> None:
    """The waiting parent takes the seat held for them; raise TooLateToChange once the hold lapsed."""
    now = now or utcnow()
    if booking.status != BookingStatus.HELD or booking.hold_until is None or booking.hold_until <= now:
        raise TooLateToChange(booking.id)
    # Used up by one conditional write: of parallel "take" presses, one confirms, the others are refused.
    if not rows_changed(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.HELD, Booking.hold_until > now)
        .values(status=BookingStatus.CONFIRMED, hold_until=None)
        .execution_options(synchronize_session=False)
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


def booking_by_token(token: str) -> Booking | None:
    """The booking behind a manage link, expired or not; None for an unknown token (or a booking
    anonymised, whose token hash is cleared)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(Booking)
        .where(Booking.manage_token_hash == hash_token(token))
        .options(joinedload(Booking.slot).joinedload(Slot.expert).joinedload(ExpertProfile.user))
    ).first()


def manage_link_expired(booking: Booking, now: datetime | None = None) -> bool:
    """A manage link opens until MANAGE_LINK_DAYS after the appointment's end, then never again."""
    days = current_app.config["MANAGE_LINK_DAYS"]
    return booking.slot.ends_at + timedelta(days=days) <= (now or utcnow())


def get_own_booking(token: str) -> Booking | None:
    """The booking behind a manage link that still opens; None for unknown and expired links."""
    booking = booking_by_token(token)
    if booking is None or manage_link_expired(booking):
        return None
    return booking


def can_change(booking: Booking, now: datetime | None = None) -> bool:
    """The parent may cancel or move until the slot's cancellation deadline."""
    now = now or utcnow()
    deadline = booking.slot.starts_at - timedelta(hours=booking.slot.cancel_deadline_hours)
    return booking.status == BookingStatus.CONFIRMED and now < deadline


def cancel_by_parent(booking: Booking, token: str) -> None:
    if not can_change(booking):
        raise TooLateToChange(booking.id)
    end_booking(booking, BookingStatus.CANCELLED_BY_PARENT, "")
    messages.tell_parent(booking, "booking_cancelled", token)
    messages.tell_expert(booking, "expert_booking_cancelled")


def cancel_by_expert(booking: Booking, reason: str) -> None:
    """The expert cancels one booking; the parent is told why, in their language."""
    if booking.status != BookingStatus.CONFIRMED:
        raise SlotUnavailable(booking.slot_id)
    end_booking(booking, BookingStatus.CANCELLED_BY_EXPERT, reason)
    messages.tell_parent(booking, "booking_cancelled_by_expert", None)


def end_booking(
    booking: Booking, status: BookingStatus, reason: str, exclude: frozenset[str] = frozenset()
) -> None:
    """The seat is free again: the next waiting parent who fits is offered it in the same transaction
    (never a contact in `exclude`: whoever deletes their data is not offered their own seat).

    The change of state is one conditional write, so of two parallel ends (two "I can't come" taps,
    a cancel and a lapse) one frees the seat and the other raises TooLateToChange.
    """
    if not rows_changed(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == booking.status)
        .values(status=status)
        .execution_options(synchronize_session=False)
    ):
        raise TooLateToChange(booking.id)
    booking.status = status
    booking.cancelled_at = utcnow()
    booking.cancel_reason = reason
    booking.hold_until = None
    release_seat(booking.slot_id)
    messages.withdraw_reminder(booking)
    db.session.flush()
    waitlist.offer_freed_seat(booking.slot_id, exclude)


def move_booking(booking: Booking, token: str, new_slot_id: int) -> None:
    """Move to another slot until the deadline; the manage link stays the same."""
    if not can_change(booking):
        raise TooLateToChange(booking.id)
    if new_slot_id == booking.slot_id:
        raise SlotUnavailable(new_slot_id)
    new_slot = take_seat(new_slot_id, booking.contact_key, booking.user_id, ignore_booking_id=booking.id)
    old_slot_id = booking.slot_id
    release_seat(booking.slot_id)
    messages.withdraw_reminder(booking)
    old_expert = booking.slot.expert
    booking.slot_id = new_slot.id
    booking.slot = new_slot
    booking.video_room = video_room() if new_slot.mode == ContactMode.ONLINE else None
    db.session.flush()
    messages.tell_parent(booking, "booking_moved", token)
    messages.schedule_reminder(booking, token)
    messages.tell_expert(booking, "expert_new_booking")
    if old_expert.id != new_slot.expert_id:
        messages.tell_expert(booking, "expert_booking_cancelled", expert=old_expert)
    waitlist.offer_freed_seat(old_slot_id)


def mark_attendance(booking: Booking, attended: bool) -> None:
    """After the slot has begun, the expert records attended or no-show (both keep the seat)."""
    if booking.status not in SEAT_HOLDING or booking.slot.starts_at > utcnow():
        raise SlotUnavailable(booking.slot_id)
    booking.status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    db.session.flush()
    if attended:
        events.consultation_attended.send(booking)


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


def cancel_series_from(series: SlotSeries, first_day: date, reason: str) -> tuple[int, int]:
    """End a series from `first_day` on: its slots are cancelled and their parents told."""
    slots = db.session.scalars(
        select(Slot).where(
            Slot.series_id == series.id,
            Slot.starts_at >= clock.day_start(first_day),
            Slot.status == SlotStatus.OPEN,
        )
    ).all()
    told = sum(cancel_slot(slot, reason) for slot in slots)
    if first_day <= series.first_date:
        series.is_cancelled = True
    else:
        series.last_date = min(series.last_date, first_day - timedelta(days=1))
    db.session.flush()
    return len(slots), told


def skip_series_date(series: SlotSeries, day: date, reason: str) -> tuple[int, int]:
    """A day off in a series (a holiday): that day's slots are cancelled, parents told."""
    day_start, day_end = clock.day_bounds(day)
    slots = db.session.scalars(
        select(Slot).where(
            Slot.series_id == series.id,
            Slot.starts_at >= day_start,
            Slot.starts_at < day_end,
            Slot.status == SlotStatus.OPEN,
        )
    ).all()
    told = sum(cancel_slot(slot, reason) for slot in slots)
    series.skipped_dates = [*series.skipped_dates, day.isoformat()]
    db.session.flush()
    return len(slots), told


# Messages ---------------------------------------------------------------------------------


# One-tap answers to the reminder: single-purpose links, valid until the appointment begins. -----


def booking_for_answer(
    reference: str, answer: str, signature: str, now: datetime | None = None
) -> Booking | None:
    """The booking behind a reminder link, only while the link may still be used; else None."""
    if answer not in messages.ANSWERS or len(reference) > 12 or len(signature) > 64:
        return None
    booking = db.session.scalars(
        select(Booking)
        .where(Booking.reference == reference)
        .options(joinedload(Booking.slot).joinedload(Slot.expert).joinedload(ExpertProfile.user))
    ).first()
    if booking is None or not messages.answer_signature_ok(booking, answer, signature):
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
    messages.tell_parent(booking, "booking_cancelled", None)
    messages.tell_expert(booking, "expert_booking_cancelled")


def lapse_holds(now: datetime) -> int:
    """Holds nobody took in time end; each seat goes to the next waiting parent who fits."""
    lapsed = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.HELD, Booking.hold_until <= now)
    ).all()
    ended = 0
    for booking in lapsed:
        slot_id, entry_id = booking.slot_id, booking.waitlist_entry_id
        try:
            end_booking(booking, BookingStatus.LAPSED, "")
        except TooLateToChange:  # taken or passed a moment ago: that answer stands
            continue
        ended += 1
        entry = db.session.get(WaitlistEntry, entry_id) if entry_id else None
        if entry is not None:
            entry.passed_slots = [*entry.passed_slots, str(slot_id)]
            if entry.status == WaitlistStatus.OFFERED:
                entry.status = WaitlistStatus.WAITING
    db.session.flush()
    return ended


def leave_waitlist(entry: WaitlistEntry) -> None:
    """Off the list; a seat held for this parent goes to the next one."""
    held = db.session.scalars(
        select(Booking).where(Booking.waitlist_entry_id == entry.id, Booking.status == BookingStatus.HELD)
    ).all()
    entry.status = WaitlistStatus.LEFT
    for booking in held:
        end_booking(booking, BookingStatus.LAPSED, "")
    db.session.flush()
