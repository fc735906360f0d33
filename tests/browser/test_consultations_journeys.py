"""Consultation hours in real Chromium: an expert publishes, a parent books in Turkish and cancels."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, Slot
from mentoring.extensions import db
from tests.browser.conftest import assert_accessible, log_in, screenshot, screenshots
from tests.factories import book_in_db, make_expert, make_slot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("municipality_data")]
BERLIN = ZoneInfo("Europe/Berlin")


def test_expert_publishes_a_weekly_series(page, app, backend):
    make_expert(app, username="sabine", languages=["de", "tr"])
    log_in(page, "sabine")
    page.goto("/expert/series/new")
    first = (utcnow().astimezone(BERLIN) + timedelta(days=7)).date()
    page.get_by_label("Wochentag").select_option(str(first.weekday()))
    page.locator("#start_time").fill("09:00")
    page.locator("#end_time").fill("11:00")
    # A date input: Chromium shows a date picker and takes ISO dates.
    page.get_by_label("Erster Tag").fill(first.isoformat())
    page.get_by_label("Letzter Tag").fill((first + timedelta(days=14)).isoformat())
    page.get_by_label("Türkçe").check()
    page.get_by_label("Schlafen").check()
    assert_accessible(page)
    page.get_by_role("button", name="Terminreihe veröffentlichen").click()
    assert page.url.endswith("/expert/series")
    with app.app_context():
        slots = db.session.scalars(select(Slot)).all()
    assert len(slots) == 3 * 4
    assert all("tr" in slot.languages and slot.topics == ["sleep"] for slot in slots)
    screenshots(page, "expert-series-de")


def test_parent_without_account_books_in_turkish_gets_the_ics_and_cancels(page, app, backend):
    expert = make_expert(app, display_name="Sabine Kaya", languages=["de", "tr"])
    slot = make_slot(app, expert, languages=["de", "tr"], topics=["sleep"])
    page.goto("/consultations")
    page.get_by_role("button", name="Türkçe").click()
    assert page.locator("html").get_attribute("lang") == "tr"
    page.get_by_label("Dil", exact=True).select_option("tr")
    page.get_by_role("button", name="Saatleri göster").click()
    page.locator(f'a[href="/consultations/slots/{slot}/book"]').click()
    assert_accessible(page)
    page.locator("#name").fill("Ayla")
    page.locator("#phone").fill("0176 12345678")
    page.locator("#consent").check()
    page.locator("form.stacked button[type=submit]").click()
    assert "/booking/" in page.url
    reference = page.locator(".reference").inner_text()
    assert len(reference) == 7
    assert_accessible(page)
    screenshots(page, "booked-tr")
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "booked-tr-320")

    with page.expect_download() as download:
        page.locator('a[href$="calendar.ics"]').click()
    with open(download.value.path(), encoding="utf-8") as handle:
        ics = handle.read()
    assert "TZID:Europe/Berlin" in ics and reference in ics and "Sabine Kaya" in ics

    page.locator("form[action$='/cancel'] button").click()
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.status == BookingStatus.CANCELLED_BY_PARENT and booking.locale == "tr"
        assert db.session.get(Slot, slot).booked_count == 0
    assert page.locator("form[action$='/cancel']").count() == 0


def test_expert_marks_a_booking_attended(page, app, backend):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=2))
    booking_id, _token = book_in_db(app, slot, name="Ayla")
    with app.app_context():  # the appointment began ten minutes ago
        row = db.session.get(Slot, slot)
        row.starts_at = utcnow() - timedelta(minutes=10)
        row.ends_at = row.starts_at + timedelta(minutes=30)
        db.session.commit()
    log_in(page, "sabine")
    page.goto("/expert/agenda")
    assert "Ayla" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Hat stattgefunden").click()
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.ATTENDED
    screenshots(page, "expert-agenda-de")


def test_expert_is_invited_publishes_a_series_and_marks_attendance(page, app, backend):
    """The expert's whole way: the coordinator's invitation, joining, a weekly series, attendance."""
    import re

    from tests.factories import make_user

    make_user(app, role="coordinator", username="office")
    log_in(page, "office")
    page.goto("/coordinator/invitations")
    page.locator("#display_name").fill("Hebamme Aylin Demir")
    page.locator("form.stacked button[type=submit]").click()
    link = re.search(r"/invitation/[\w-]+", page.content()).group(0)
    screenshots(page, "coordinator-invites-expert")
    page.locator("form[action='/logout'] button").click()

    page.goto(link)
    assert_accessible(page)
    page.locator("#username").fill("aylin")
    page.locator("#password").fill("warm-towel-1988")
    page.locator("#password_confirm").fill("warm-towel-1988")
    page.locator("form.stacked button[type=submit]").click()
    assert "Hebamme Aylin Demir" in page.content()

    page.goto("/expert/series/new")
    first = (utcnow().astimezone(BERLIN) + timedelta(days=7)).date()
    page.get_by_label("Wochentag").select_option(str(first.weekday()))
    page.locator("#start_time").fill("14:00")
    page.locator("#end_time").fill("15:00")
    page.get_by_label("Erster Tag").fill(first.isoformat())
    page.get_by_label("Letzter Tag").fill((first + timedelta(days=7)).isoformat())
    page.get_by_label("Schlafen").check()
    page.get_by_role("button", name="Terminreihe veröffentlichen").click()
    assert page.url.endswith("/expert/series")
    with app.app_context():
        slot = db.session.scalars(select(Slot)).first()
        slot.starts_at = utcnow() - timedelta(minutes=10)  # the first appointment has begun
        slot.ends_at = slot.starts_at + timedelta(minutes=30)
        db.session.commit()
        slot_id = slot.id
    booking_id, _token = book_in_db(app, slot_id, name="Ayla")
    page.goto("/expert/agenda")
    page.get_by_role("button", name="Hat stattgefunden").click()
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.ATTENDED
    assert_accessible(page)
    screenshots(page, "expert-attendance")
