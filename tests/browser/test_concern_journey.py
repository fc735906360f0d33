"""On a 360 px phone: a mentor parent raises a concern from a family's page, the office answers,
the mentor reads the answer (told by a message without its content)."""

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot
from tests.factories import activate_mentor, active_match, mentoring_cast

pytestmark = pytest.mark.browser

WORRY = "Die Mutter wirkt seit Tagen sehr erschöpft. Was kann ich tun?"
ANSWER = "Danke, dass Sie schreiben. Wir rufen Sie heute um 15 Uhr an."


def test_mentor_raises_a_concern_office_answers_mentor_reads(page, app, backend):
    mentoring_cast(app)
    match_id = active_match(app, activate_mentor(app, "ayse"), parent="lena2")
    page.set_viewport_size({"width": 360, "height": 740})

    # The mentor, on the family's page, taps "I am worried / I need advice".
    log_in(page, "ayse")
    page.goto(f"/mentor/families/{match_id}?lang=en")
    page.get_by_role("link", name="I am worried / I need advice").click()
    assert "not an automatic report to the youth welfare office (Jugendamt)" in page.content()
    assert "the office must act to protect the child" in page.content()
    page.locator("#body").fill(WORRY)
    assert_accessible(page)
    screenshot(page, "concern-raise-360")
    page.locator("form.stacked button[type=submit]").click()
    assert WORRY in page.content()
    assert_accessible(page)
    log_out(page)

    # The office sees the open thread, answers and the mentor is told (no content in the message).
    log_in(page, "office")
    page.goto("/coordinator/concerns?lang=en")
    assert_accessible(page)
    screenshot(page, "concern-office-list-360")
    page.get_by_role("link", name="ayse").click()
    assert WORRY in page.content()
    page.locator("#body").fill(ANSWER)
    page.locator("form.stacked button[type=submit]").click()
    assert ANSWER in page.content()
    assert_accessible(page)
    screenshot(page, "concern-office-answer-360")
    log_out(page)
    with app.app_context():
        told = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "ayse@example.org")
        ).all()
        assert told and all("15 Uhr" not in m.body_text and "erschöpft" not in m.body_text for m in told)

    # The mentor reads the answer.
    log_in(page, "ayse")
    page.goto(f"/mentor/families/{match_id}?lang=en")
    page.locator("a[href^='/mentor/concerns/']").first.click()
    assert ANSWER in page.content() and WORRY in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert_accessible(page)
    screenshot(page, "concern-mentor-reads-360")
