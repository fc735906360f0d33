"""The waitlist: a freed seat is held for the next fitting parent, holds count against capacity,
lapse to the next one, can be taken or passed on; leaving takes one tap."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import seats, waitlist
from mentoring.consultations.models import Booking, BookingStatus, Slot, WaitlistEntry, WaitlistStatus
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import PARENT, book_in_db, make_expert, make_slot, text_as_sent

JOIN = {
    "name": "Ioana",
    "phone": "0176 11112222",
    "email": "",
    "locale": "ro",
    "topic": "",
    "language": "",
    "mode": "",
    "weeks": "4",
    "district": "",
    "age_group": "",
    "consent": "y",
}


def full_slot(app, **slot):
    """A one-seat slot, booked by Ayla; returns (slot id, Ayla's manage token)."""
    slot_id = make_slot(app, make_expert(app), **slot)
    _id, token = book_in_db(app, slot_id, name="Ayla", phone="+4917600000001")
    return slot_id, token


def join(app, **changes):
    client = app.test_client()
    response = submit(client, "/waitlist", JOIN | changes)
    assert response.status_code == 303, response.text[:500]
    return re.search(r"/waitlist/([\w-]+)", response.location).group(1)


def held(app) -> list[Booking]:
    with app.app_context():
        return db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).all()


def test_joining_needs_the_same_few_details_and_a_way_to_reach_the_parent(app):
    bad = submit(app.test_client(), "/waitlist", JOIN | {"phone": "", "consent": ""})
    assert bad.status_code == 422 and 'href="#email"' in bad.text and 'href="#consent"' in bad.text
    token = join(app)
    with app.app_context():
        entry = db.session.scalars(select(WaitlistEntry)).one()
        assert (entry.locale, entry.status) == ("ro", WaitlistStatus.WAITING)
        sms = db.session.scalars(select(OutboxMessage)).one()
        assert f"/waitlist/{token}/leave" in text_as_sent(sms) and sms.locale == "ro"


def test_a_cancelled_seat_is_held_for_the_first_fitting_parent_and_nobody_else_can_take_it(app):
    slot_id, ayla = full_slot(app, languages=["de", "ro"])
    join(app, name="Maria", language="tr")  # does not fit: the expert does not speak Turkish
    join(app, name="Ioana")
    join(app, name="Elena")
    assert submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}").status_code == 303
    [hold] = held(app)
    assert hold.name == "Ioana" and hold.slot_id == slot_id and hold.hold_until > utcnow()
    with app.app_context():
        assert db.session.get(Slot, slot_id).booked_count == 1  # the hold takes the seat
        offer = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "+4917611112222")
        ).all()[-1]
        assert "/booking/" in text_as_sent(offer) and offer.locale == "ro"
    # A third parent cannot take the held seat.
    third = submit(
        app.test_client(),
        f"/consultations/slots/{slot_id}/book",
        PARENT | {"phone": "0176 99990000"},
        page="/login",
    )
    assert third.status_code == 303 and "/consultations" in third.location
    with app.app_context():
        assert db.session.scalars(select(Booking).where(Booking.phone == "+4917699990000")).all() == []


def test_the_parent_takes_the_hold_within_the_time_and_gets_the_usual_confirmation(app):
    _slot, ayla = full_slot(app)
    join(app)
    submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "+4917611112222")
        ).all()[-1]
        token = re.search(r"/booking/([\w-]+)", text_as_sent(message)).group(1)
    parent = app.test_client()
    page = parent.get(f"/booking/{token}")
    assert 'action="/booking/' in page.text and "/take" in page.text
    assert submit(parent, f"/booking/{token}/take", page=f"/booking/{token}").status_code == 303
    with app.app_context():
        booking = db.session.scalars(select(Booking).where(Booking.name == "Ioana")).one()
        assert booking.status == BookingStatus.CONFIRMED and booking.hold_until is None
        assert db.session.scalars(select(WaitlistEntry)).one().status == WaitlistStatus.BOOKED


def test_a_hold_nobody_takes_lapses_to_the_next_parent_who_fits(app, runner):
    slot_id, ayla = full_slot(app)
    join(app, name="Ioana")
    join(app, name="Elena", phone="0176 33334444")
    submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    [first] = held(app)
    assert first.name == "Ioana"
    with time_machine.travel(utcnow() + timedelta(hours=2, minutes=1), tick=False):
        assert "1 holds lapsed" in runner.invoke(args=["consultations", "holds"]).output
        [second] = held(app)
        assert second.name == "Elena"
        with app.app_context():
            assert db.session.get(Booking, first.id).status == BookingStatus.LAPSED
            assert db.session.get(Slot, slot_id).booked_count == 1
            ioana = db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.name == "Ioana")).one()
            assert ioana.status == WaitlistStatus.WAITING and ioana.passed_slots == [str(slot_id)]
            # Too late for Ioana to take it now.
            with pytest.raises(seats.TooLateToChange):
                booking_rules.confirm_hold(db.session.get(Booking, first.id), "x")


def test_passing_a_hold_or_leaving_the_waitlist_moves_the_seat_on_at_once(app):
    _slot, ayla = full_slot(app)
    ioana = join(app, name="Ioana")
    join(app, name="Elena", phone="0176 33334444")
    submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    leave_page = app.test_client().get(f"/waitlist/{ioana}/leave")
    assert leave_page.status_code == 200
    with app.app_context():
        assert db.session.scalars(
            select(WaitlistEntry).where(WaitlistEntry.name == "Ioana")
        ).one().status == (WaitlistStatus.OFFERED)  # opening the link changes nothing; the button does
    assert (
        submit(app.test_client(), f"/waitlist/{ioana}/leave", page=f"/waitlist/{ioana}/leave").status_code
        == 303
    )
    [hold] = held(app)
    assert hold.name == "Elena"
    assert app.test_client().get("/waitlist/not-a-token/leave").status_code == 404


def test_a_new_time_goes_to_the_waiting_parent_first(app, client):
    expert = make_expert(app, username="sabine")
    join(app)

    log_in(client, "sabine")
    day = clock.local_date(utcnow() + timedelta(days=5)).isoformat()
    form = {
        "day": day,
        "start_time": "10:00",
        "minutes": "30",
        "mode": "phone",
        "languages": ["de"],
        "topics": [],
        "capacity": "1",
        "min_notice_hours": "12",
        "horizon_days": "60",
        "cancel_deadline_hours": "12",
        "call_direction": "expert_calls",
    }
    assert submit(client, "/expert/slots/new", form).status_code == 303
    [hold] = held(app)
    assert hold.name == "Ioana"
    with app.app_context():
        assert db.session.get(Slot, hold.slot_id).expert_id == expert  # the time just published


def test_a_cancelled_slot_is_not_offered_and_its_hold_ends(app):
    slot_id, ayla = full_slot(app)
    join(app)
    submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    with app.app_context():
        booking_rules.cancel_slot(db.session.get(Slot, slot_id), "Krank")
        db.session.commit()
        assert db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).all() == []
        assert db.session.scalars(select(WaitlistEntry)).one().status == WaitlistStatus.WAITING
        assert waitlist.offer_new_slots([slot_id]) == 0


def test_a_parent_who_joins_is_held_the_open_time_even_after_many_cancelled_ones(app):
    """Regression: the waitlist had its own copy of "which slots fit", without the open filter
    and stopping after 20 rows, so 20 cancelled times before an open one hid it."""
    expert = make_expert(app)
    cancelled = [make_slot(app, expert, starts_in=timedelta(days=1, hours=hours)) for hours in range(21)]
    with app.app_context():
        for slot_id in cancelled:
            booking_rules.cancel_slot(db.session.get(Slot, slot_id), "Krank")
        db.session.commit()
    open_slot = make_slot(app, expert, starts_in=timedelta(days=3))
    join(app)
    holds = held(app)
    assert [booking.slot_id for booking in holds] == [open_slot]
    with app.app_context():
        to_ioana = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "+4917611112222")
        ).all()
        assert len(to_ioana) == 2  # "you are on the waitlist" and "a time is held for you"
