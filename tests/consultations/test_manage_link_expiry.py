"""A manage link is no key for ever: it stops some weeks after the appointment, and at once once the
booking's details are deleted (it used to open, empty, after anonymisation)."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from mentoring.consultations.models import Booking, Slot
from mentoring.extensions import db
from tests.conftest import submit
from tests.factories import book_in_db, make_expert, make_slot

pytestmark = pytest.mark.clock


def booked(app) -> tuple[int, str, object]:
    slot_id = make_slot(app, make_expert(app), starts_in=timedelta(days=2))
    booking_id, token = book_in_db(app, slot_id, name="Ayla", phone="+4917612345678")
    with app.app_context():
        ends_at = db.session.get(Slot, slot_id).ends_at
    return booking_id, token, ends_at


def test_the_manage_link_expires_30_days_after_the_appointment_with_a_way_on(app):
    _id, token, ends_at = booked(app)
    days = app.config["MANAGE_LINK_DAYS"]
    assert days == 30
    with time_machine.travel(ends_at + timedelta(days=days) - timedelta(minutes=1), tick=False):
        assert app.test_client().get(f"/booking/{token}").status_code == 200
    with time_machine.travel(ends_at + timedelta(days=days, minutes=1), tick=False):
        client = app.test_client()
        page = client.get(f"/booking/{token}?lang=en")
        assert page.status_code == 410
        assert "This link has expired" in page.text
        assert 'href="/consultations"' in page.text  # book a new time
        assert "Ayla" not in page.text
        assert client.get(f"/booking/{token}/calendar.ics").status_code == 410
        assert client.get(f"/booking/{token}/move").status_code == 410
        assert client.get(f"/booking/{token}/data.json").status_code == 404


def test_the_manage_link_stops_at_once_when_the_booking_is_deleted(app):
    booking_id, token, _ends = booked(app)
    client = app.test_client()
    assert submit(client, f"/booking/{token}/delete").status_code == 200
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.anonymised_at is not None and booking.manage_token_hash is None
        assert db.session.scalars(select(Booking).where(Booking.manage_token_hash.is_(None))).all()
    assert client.get(f"/booking/{token}").status_code == 404
    assert client.get(f"/booking/{token}/delete").status_code == 404
