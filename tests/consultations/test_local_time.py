"""Appointments keep Oberhausen's wall clock: the agenda files them under their local day, and
'24 hours before' or 'held for 2 hours' means real hours, also on the nights the clocks change
(the last Sundays of March, 02:00 -> 03:00, and of October, when 02:00-03:00 comes twice)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import OBERHAUSEN, log_in, night_params, submit
from tests.consultations.test_waitlist import full_slot, held, join
from tests.factories import book_in_db, make_expert, make_slot

pytestmark = pytest.mark.clock

# Noon on the Sundays the clocks change; a day before that is 23 (March) or 25 (October) hours on the wall.
NOON_AFTER_SPRING_FORWARD = datetime(2027, 3, 28, 12, 0, tzinfo=OBERHAUSEN)  # 10:00 UTC
NOON_AFTER_FALL_BACK = datetime(2027, 10, 31, 12, 0, tzinfo=OBERHAUSEN)  # 11:00 UTC
CLOCK_CHANGES = pytest.mark.parametrize(
    "appointment", [NOON_AFTER_SPRING_FORWARD, NOON_AFTER_FALL_BACK], ids=["spring forward", "fall back"]
)
# A seat freed at 01:30 on those nights is held across the missing or the repeated hour.
FREED_AT_01_30 = pytest.mark.parametrize(
    "freed_at",
    [datetime(2027, 3, 28, 1, 30, tzinfo=OBERHAUSEN), datetime(2027, 10, 31, 1, 30, tzinfo=OBERHAUSEN)],
    ids=["spring forward", "fall back"],
)


@pytest.mark.parametrize("pinned_clock", night_params(), indirect=True)
def test_the_expert_agenda_files_an_appointment_at_00_30_under_its_local_day(
    app, client, pinned_clock, today
):
    day = today + timedelta(days=2)
    with app.app_context():
        starts_at = clock.at(day, time(0, 30))  # 22:30 or 23:30 UTC the day before
    slot = make_slot(
        app, make_expert(app, username="sabine"), starts_in=starts_at - utcnow(), min_notice_hours=2
    )
    book_in_db(app, slot, name="Ayla")
    log_in(client, "sabine")
    agenda = client.get(f"/expert/agenda?day={day.isoformat()}&lang=de").text
    assert "Ayla" in agenda and "00:30–01:00" in agenda
    assert "Ayla" not in client.get(f"/expert/agenda?day={day - timedelta(days=1)}&lang=de").text


@CLOCK_CHANGES
def test_cancelling_online_ends_24_real_hours_before_over_the_night_the_clocks_change(
    app, client, time_machine, appointment
):
    time_machine.move_to(appointment - timedelta(days=4), tick=False)
    slot = make_slot(app, make_expert(app), starts_in=appointment - utcnow(), cancel_deadline_hours=24)
    _id, token = book_in_db(app, slot)
    deadline = appointment.astimezone(UTC) - timedelta(hours=24)  # not noon on Saturday
    time_machine.move_to(deadline - timedelta(minutes=30), tick=False)
    manage = client.get(f"/booking/{token}?lang=en").text
    assert "Cancel appointment" in manage and "12:00" in manage
    time_machine.move_to(deadline + timedelta(minutes=30), tick=False)
    assert "too late to change this appointment online" in client.get(f"/booking/{token}?lang=en").text
    submit(client, f"/booking/{token}/cancel", page=f"/booking/{token}")
    with app.app_context():
        assert db.session.scalars(select(Booking.status)).one() == BookingStatus.CONFIRMED
    time_machine.move_to(deadline - timedelta(minutes=30), tick=False)
    assert submit(client, f"/booking/{token}/cancel", page=f"/booking/{token}").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Booking.status)).one() == BookingStatus.CANCELLED_BY_PARENT


@CLOCK_CHANGES
def test_the_reminder_goes_24_real_hours_before_and_says_the_local_time(
    app, runner, time_machine, appointment
):
    time_machine.move_to(appointment - timedelta(days=4), tick=False)
    slot = make_slot(app, make_expert(app), starts_in=appointment - utcnow())
    _id, token = book_in_db(app, slot, email="ayla@example.org", phone=None, locale="de")
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output  # the confirmation
    day_before = appointment.astimezone(UTC) - timedelta(hours=24)
    time_machine.move_to(day_before - timedelta(minutes=30), tick=False)
    assert "sent 0" in runner.invoke(args=["outbox", "send"]).output
    with app.app_context():
        reminder = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.cancel_key.is_not(None))
        ).one()
    assert (
        f"{appointment:%d}. {'März' if appointment.month == 3 else 'Oktober'} 2027, 12:00"
        in reminder.body_text
    )
    time_machine.move_to(day_before + timedelta(minutes=30), tick=False)
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    ics = runner.app.test_client().get(f"/booking/{token}/calendar.ics").data.decode()
    assert f"DTSTART;TZID=Europe/Berlin:{appointment:%Y%m%d}T120000" in ics


@FREED_AT_01_30
def test_a_seat_held_for_a_waiting_parent_lapses_after_2_real_hours_across_the_changed_hour(
    app, runner, time_machine, freed_at
):
    time_machine.move_to(freed_at, tick=False)
    _slot, ayla = full_slot(app)
    join(app, name="Ioana")
    submit(app.test_client(), f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    [hold] = held(app)
    until = freed_at.astimezone(UTC) + timedelta(hours=2)  # 04:30 in March, the second 02:30 in October
    with app.app_context():
        offer = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "+4917611112222")
        ).all()
    assert f"{clock.local(until):%H:%M}" in offer[-1].body_text  # "kept until" in the parent's wall time
    time_machine.move_to(until - timedelta(minutes=1), tick=False)
    assert "0 holds lapsed" in runner.invoke(args=["consultations", "holds"]).output
    time_machine.move_to(until + timedelta(minutes=1), tick=False)
    assert "1 holds lapsed" in runner.invoke(args=["consultations", "holds"]).output
    with app.app_context():
        assert db.session.get(Booking, hold.id).status == BookingStatus.LAPSED
