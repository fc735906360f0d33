from datetime import date, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, Slot, SlotStatus
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import book_in_db, make_expert, make_slot

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = {
    "mode": "phone",
    "call_direction": "expert_calls",
    "languages": ["de", "tr"],
    "topics": ["sleep"],
    "capacity": "1",
    "min_notice_hours": "12",
    "horizon_days": "60",
    "cancel_deadline_hours": "12",
}


def next_weekday(weekday: int) -> date:
    today = utcnow().astimezone(BERLIN).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_expert_publishes_a_weekly_series_in_berlin_time_with_a_day_off(app, client):
    make_expert(app, username="sabine")
    log_in(client, "sabine")
    first = next_weekday(1)
    response = submit(
        client,
        "/expert/series/new",
        SETTINGS
        | {
            "weekday": "1",
            "start_time": "09:00",
            "end_time": "10:30",
            "minutes": "30",
            "first_date": first.strftime("%d.%m.%Y"),
            "last_date": (first + timedelta(days=21)).isoformat(),
            "skipped": (first + timedelta(days=7)).strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        starts = [
            s.starts_at.astimezone(BERLIN) for s in db.session.scalars(select(Slot).order_by(Slot.starts_at))
        ]
    assert len(starts) == 3 * 3  # four Tuesdays, one off, three 30-minute times each
    assert {s.strftime("%H:%M") for s in starts} == {"09:00", "09:30", "10:00"}
    assert {s.date() for s in starts} == {first, first + timedelta(days=14), first + timedelta(days=21)}
    assert all(s.weekday() == 1 for s in starts)


def test_series_form_errors_follow_the_page_order_and_nothing_is_created(app, client):
    make_expert(app, username="sabine")
    log_in(client, "sabine")
    response = submit(client, "/expert/series/new", {"weekday": "9", "start_time": "25:00", "minutes": "x"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.index("#weekday") < summary.index("#start_time") < summary.index("#languages")
    with app.app_context():
        assert db.session.scalars(select(Slot)).first() is None


def test_expert_sees_the_booking_in_the_agenda_and_cancels_it_with_a_reason(app, client):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert)
    booking_id, _token = book_in_db(app, slot, name="Ayla", email="ayla@example.org", locale="en")
    log_in(client, "sabine")
    with app.app_context():
        day = db.session.get(Slot, slot).starts_at.astimezone(BERLIN).date()
    agenda = client.get(f"/expert/agenda?day={day.isoformat()}")
    assert "Ayla" in agenda.text and "ayla@example.org" in agenda.text
    response = submit(client, f"/expert/bookings/{booking_id}/cancel", {"reason": "I am ill."})
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == BookingStatus.CANCELLED_BY_EXPERT
        assert db.session.get(Slot, slot).booked_count == 0
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == "Your appointment has to be cancelled")
        ).one()
        assert message.recipient == "ayla@example.org" and "I am ill." in message.body_text


def test_an_expert_cannot_see_or_change_another_experts_bookings(app, client):
    other_slot = make_slot(app, make_expert(app, username="olena"))
    booking_id, _token = book_in_db(app, other_slot)
    make_expert(app, username="sabine")
    log_in(client, "sabine")
    assert client.get(f"/expert/bookings/{booking_id}/cancel").status_code == 404
    assert (
        submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda"
        ).status_code
        == 404
    )
    assert "Ayla" not in client.get("/expert/agenda?view=week").text
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CONFIRMED


def test_attendance_is_recorded_once_the_appointment_has_begun(app, client):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=2))
    booking_id, _token = book_in_db(app, slot)
    log_in(client, "sabine")
    submit(client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda")
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CONFIRMED
    with time_machine.travel(utcnow() + timedelta(days=2, minutes=5), tick=False):
        log_in(client, "sabine")  # two days later: a session lasts 12 hours at most
        response = submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "no"}, page="/expert/agenda"
        )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.NO_SHOW
        assert db.session.get(Slot, slot).booked_count == 1


def test_a_day_off_in_a_series_cancels_that_days_bookings_and_tells_the_parents(app, client):
    make_expert(app, username="sabine")
    log_in(client, "sabine")
    first = next_weekday(2)
    submit(
        client,
        "/expert/series/new",
        SETTINGS
        | {
            "weekday": "2",
            "start_time": "09:00",
            "end_time": "10:00",
            "minutes": "30",
            "first_date": first.isoformat(),
            "last_date": (first + timedelta(days=7)).isoformat(),
        },
    )
    with app.app_context():
        first_slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        series_id, slot_id = first_slot.series_id, first_slot.id
    booking_id, _token = book_in_db(app, slot_id, email="ayla@example.org")
    response = submit(
        client,
        f"/expert/series/{series_id}/day-off",
        {"day": first.strftime("%d.%m.%Y"), "reason": "Holiday"},
        page="/expert/series",
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED_BY_EXPERT
        cancelled = db.session.scalars(select(Slot).where(Slot.status == SlotStatus.CANCELLED)).all()
        assert {s.starts_at.astimezone(BERLIN).date() for s in cancelled} == {first}
        assert db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "ayla@example.org")
        ).first()


def test_private_calendar_feed_can_be_renewed_and_switched_off(app, client):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert)
    book_in_db(app, slot, name="Ayla")
    log_in(client, "sabine")
    page = submit(client, "/expert/calendar-feed", {"action": "new"})
    first = (
        page.text.split('class="copy-box ltr" dir="ltr">')[1].split("<")[0].replace("http://localhost", "")
    )
    feed = app.test_client().get(first)
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.data
    assert b"Ayla" not in feed.data  # references only, no names
    submit(client, "/expert/calendar-feed", {"action": "new"})
    assert app.test_client().get(first).status_code == 404
    submit(client, "/expert/calendar-feed", {"action": "revoke"})
    with app.app_context():
        from mentoring.consultations.models import ExpertProfile

        assert db.session.get(ExpertProfile, expert).feed_token_hash is None


def test_the_video_room_is_shown_to_the_parent_and_to_the_expert_only(app, client):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, mode="online")
    _id, token = book_in_db(app, slot, name="Ayla")
    with app.app_context():
        room = db.session.scalars(select(Booking)).one().video_room
        day = clock.local_date(db.session.get(Slot, slot).starts_at)  # from a Saturday on, next week's
    assert room and len(room) > 30
    assert room in app.test_client().get(f"/booking/{token}").text
    log_in(client, "sabine")
    assert room in client.get(f"/expert/agenda?view=week&day={day}").text
    assert room not in app.test_client().get("/consultations").text
    make_expert(app, username="olena")
    other = app.test_client()
    log_in(other, "olena")
    assert room not in other.get(f"/expert/agenda?view=week&day={day}").text


def test_a_date_of_only_spaces_is_asked_for_again_not_an_error_page(app, client):
    make_expert(app, username="sabine")
    log_in(client, "sabine")
    response = submit(
        client,
        "/expert/slots/new",
        SETTINGS | {"day": "   ", "start_time": "09:00", "minutes": "30"},
    )
    assert response.status_code == 422
    assert 'href="#day"' in response.text  # the error summary points at the date field
    with app.app_context():
        assert db.session.scalars(select(Slot)).all() == []
