"""A parent answers the survey in Ukrainian through the link from the message; the link works once;
the coordinator sees the answer counted, in the table and the chart."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from mentoring.surveys import services as surveys
from mentoring.surveys.models import SurveyResponse
from tests.browser.conftest import assert_accessible, log_in, screenshots
from tests.factories import book_in_db, make_expert, make_slot, make_user

pytestmark = pytest.mark.browser


def test_a_parent_answers_in_ukrainian_once_and_the_coordinator_sees_it(page, app, backend, today):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=1))
    booking_id, _token = book_in_db(
        app, slot, email="olena@example.org", phone=None, locale="uk", survey_consent=True
    )
    make_user(app, role="coordinator", username="office")
    month = today.strftime("%Y-%m")
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        booking.status = BookingStatus.ATTENDED  # the expert's step, tested in tests/surveys
        surveys.invite_after_consultation(booking)
        # Four earlier answers in Ukrainian, so the fifth makes the cell big enough to show.
        db.session.add_all(
            SurveyResponse(
                questionnaire="2026-1", service="consultation", locale="uk", month=month, satisfaction=4
            )
            for _ in range(4)
        )
        db.session.commit()
        mail = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient == "olena@example.org", OutboxMessage.body_text.contains("/survey/")
            )
        ).first()
    link = re.search(r"http://localhost(/survey/\w+\?lang=uk)", mail.body_text).group(1)

    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "uk"
    assert_accessible(page)
    page.locator("input[name=satisfaction][value='5']").check()
    page.locator("input[name=language_ok][value='5']").check()
    page.locator("input[name=recommend][value='4']").check()
    page.locator("#comment").fill("Дякую, дуже допомогло")
    screenshots(page, "survey-uk")
    page.locator("form.stacked button[type=submit]").click()
    assert page.locator("h1").inner_text() == "Дякуємо" or page.locator("main").inner_text()
    assert_accessible(page)
    with app.app_context():
        assert (
            db.session.scalars(select(SurveyResponse).where(SurveyResponse.comment != "")).one().satisfaction
            == 5
        )

    # The link works once.
    response = page.goto(link)
    assert response.status == 410
    assert page.locator("html").get_attribute("lang") == "uk"
    with app.app_context():
        assert len(db.session.scalars(select(SurveyResponse)).all()) == 5

    # The coordinator sees it counted, by language, in the table and the chart.
    page.goto("/?lang=de")
    log_in(page, "office")
    first = (today - timedelta(days=30)).isoformat()
    page.goto(f"/coordinator/dashboard?date_from={first}&date_to={today.isoformat()}&by=language")
    survey_table = page.locator("table").nth(1)
    ukrainian = survey_table.locator("tr", has_text="Українська")
    assert ukrainian.locator("td").first.inner_text() == "5"
    assert page.locator("figure.chart svg").nth(2).locator("text", has_text="Українська").count() == 1
    assert_accessible(page)
    screenshots(page, "coordinator-dashboard")
    csv = page.request.get(
        f"/coordinator/dashboard.csv?date_from={first}&date_to={today.isoformat()}&by=language&table=survey"
    )
    assert csv.ok and "Українська,5," in csv.text()
