"""The waitlist in Romanian, "I can't come" from the reminder, and the quick exit without JavaScript."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.browser.conftest import assert_accessible, screenshots
from tests.factories import book_in_db, make_expert, make_slot, text_as_sent

pytestmark = pytest.mark.browser


def last_link(app, recipient: str, pattern: str) -> str:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id.desc())
        ).first()
        return re.search(pattern, text_as_sent(message)).group(1)


def test_a_parent_waits_in_romanian_gets_the_freed_seat_and_a_third_cannot_take_it(
    page, app, backend, chromium, live_server
):
    slot = make_slot(
        app, make_expert(app, display_name="Sabine Kaya", languages=["de", "ro"]), languages=["de", "ro"]
    )
    _id, other = book_in_db(app, slot, name="Ayla", phone="+4917600000001")

    # The list is full; Ioana joins the waitlist in Romanian.
    page.goto("/consultations?lang=ro")
    assert f"/consultations/slots/{slot}/book" not in page.content()
    page.locator("a[href^='/waitlist']").click()
    page.locator("#name").fill("Ioana")
    page.locator("#phone").fill("0176 11112222")
    page.locator("#language").select_option("ro")
    page.locator("#consent").check()
    assert_accessible(page)
    screenshots(page, "waitlist-join-ro")
    page.locator("form.stacked button[type=submit]").click()
    assert "/waitlist/" in page.url and page.locator("html").get_attribute("lang") == "ro"

    # Ayla cancels; the seat is held for Ioana and the offer goes out in Romanian.
    page.goto(f"/booking/{other}?lang=de")
    page.locator("form[action$='/cancel'] button").click()
    offer = last_link(app, "+4917611112222", r"http://localhost(/booking/[\w-]+\?lang=ro)")

    # A third parent cannot take the held seat.
    third = chromium.new_context(base_url=live_server).new_page()
    response = third.goto(f"/consultations/slots/{slot}/book")
    assert "/consultations" in third.url and "/book" not in third.url
    assert response.ok
    third.context.close()

    # Ioana takes it within the hold.
    page.goto(offer)
    assert_accessible(page)
    screenshots(page, "waitlist-offer-ro")
    page.locator("form[action$='/take'] button").click()
    with app.app_context():
        ioana = db.session.scalars(select(Booking).where(Booking.name == "Ioana")).one()
        assert ioana.status == BookingStatus.CONFIRMED and ioana.slot_id == slot
    assert page.locator(".reference").count() == 1


def test_i_cant_come_from_the_reminder_frees_the_seat(page, app, backend):
    slot = make_slot(app, make_expert(app), starts_in=timedelta(days=3))
    booking_id, _token = book_in_db(app, slot, name="Ayla", email="ayla@example.org", phone=None, locale="de")
    link = last_link(app, "ayla@example.org", r"http://localhost(/r/\w+/not-coming/\w+\?lang=de)")
    page.goto(link)
    assert_accessible(page)
    page.locator("main form button").click()
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED_BY_PARENT
    screenshots(page, "reminder-cant-come")
    page.goto("/consultations")
    assert f"/consultations/slots/{slot}/book" in page.content()  # free again for others


@pytest.mark.parametrize("javascript", [False, True])
def test_quick_exit_leaves_at_once(chromium, live_server, app, backend, javascript):
    neutral = app.config["QUICK_EXIT_URL"]
    context = chromium.new_context(base_url=live_server, java_script_enabled=javascript)
    context.route(
        neutral + "**",
        lambda route: route.fulfill(body="<html><body>Wetter</body></html>", content_type="text/html"),
    )
    page = context.new_page()
    try:
        page.goto("/")
        page.goto("/consultations")
        page.locator(".quick-exit").click()
        page.wait_for_url(neutral + "**")
        assert "Wetter" in page.content()
        if javascript:  # the page left is replaced in the history: back does not lead to it
            page.go_back()
            assert not page.url.endswith("/consultations")
    finally:
        context.close()
