"""On a 360 px phone: the office publishes an exchange meeting, a mentor parent books a place, the
office marks who came, and the mentor's qualification record shows it."""

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import select

from mentoring.clock import utcnow, zone
from mentoring.extensions import db
from mentoring.mentorships.models import GroupSession, LearningEntry
from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot
from tests.factories import make_mentor, make_user

pytestmark = pytest.mark.browser


def test_an_exchange_meeting_is_published_booked_attended_and_recorded(page, app, backend, today):
    page.set_viewport_size({"width": 360, "height": 740})
    make_user(app, role="coordinator", username="office")
    make_mentor(app, username="ayse", certificate_seen_on=today)
    starts = (utcnow() + timedelta(hours=2)).astimezone(zone())

    log_in(page, "office")
    page.goto("/coordinator/mentors")
    page.get_by_role("link", name="Alle Fortbildungen und Austauschtreffen").click()
    page.locator("#topic").fill("Schlaf und Zahnen")
    page.locator("#day").fill(starts.date().isoformat())
    page.locator("#start_time").fill(starts.strftime("%H:%M"))
    page.locator("#place").fill("Rathaus, Raum 3")
    page.locator("#capacity").fill("6")
    assert_accessible(page)
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator(".flash-messages")).to_contain_text("Veröffentlicht")
    screenshot(page, "learning-office-published-360")
    log_out(page)

    log_in(page, "ayse")
    page.goto("/mentor/requests")
    page.get_by_role("link", name="Fortbildungen und Austauschtreffen").click()
    page.get_by_role("button", name="Platz buchen").click()
    expect(page.locator(".flash-messages")).to_contain_text("Ihr Platz ist gebucht.")
    assert page.get_by_role("button", name="Meinen Platz absagen").count() == 1
    assert_accessible(page)
    screenshot(page, "learning-mentor-booked-360")
    log_out(page)

    with time_machine.travel(starts + timedelta(hours=3)):  # the meeting has taken place
        log_in(page, "office")
        with app.app_context():
            session_id = db.session.scalars(select(GroupSession.id)).one()
        page.goto(f"/coordinator/group-sessions/{session_id}")
        page.get_by_role("checkbox", name="ayse").check()
        assert_accessible(page)
        page.get_by_role("button", name="Teilnahme speichern").click()
        expect(page.locator(".flash-messages")).to_contain_text("Gespeichert")
        screenshot(page, "learning-office-attendance-360")
        log_out(page)

        log_in(page, "ayse")
        page.goto("/mentor/learning")
        record = page.locator("table").inner_text()
        assert "Schlaf und Zahnen" in record and "Austauschtreffen" in record
        assert_accessible(page)
        screenshot(page, "learning-mentor-record-360")
    with app.app_context():
        assert db.session.scalars(select(LearningEntry.topic)).one() == "Schlaf und Zahnen"
