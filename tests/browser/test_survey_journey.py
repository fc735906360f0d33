"""A parent answers the survey in Ukrainian through the link from the message; the link works once;
once the quarter is over and released, the coordinator sees the answer counted, in the table and
the chart."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.surveys import periods
from mentoring.surveys import services as surveys
from mentoring.surveys.models import PooledAnswer, SurveyResponse
from mentoring.surveys.release import release_answers
from tests.browser.conftest import assert_accessible, log_in, screenshots
from tests.factories import book_in_db, make_expert, make_slot, make_user
from tests.surveys.test_survey import survey_link

pytestmark = pytest.mark.browser


def test_a_parent_answers_in_ukrainian_once_and_the_coordinator_sees_it(
    page, app, backend, today, smtp_server
):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=1))
    booking_id, _token = book_in_db(
        app, slot, email="olena@example.org", phone=None, locale="uk", survey_consent=True
    )
    make_user(app, role="coordinator", username="office")
    quarter = periods.period_of(today)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        booking.status = BookingStatus.ATTENDED  # the expert's step, tested in tests/surveys
        surveys.invite_after_consultation(booking)
        # Four earlier answers in Ukrainian, so the fifth makes the cell big enough to show.
        db.session.add_all(
            PooledAnswer(
                questionnaire="2026-1", service="consultation", locale="uk", period=quarter, satisfaction=4
            )
            for _ in range(4)
        )
        db.session.commit()
    link = survey_link(app, smtp_server)  # made when the message is sent, never stored

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
            db.session.scalars(select(PooledAnswer).where(PooledAnswer.comment != "")).one().satisfaction == 5
        )

    # The link works once.
    response = page.goto(link)
    assert response.status == 410
    assert page.locator("html").get_attribute("lang") == "uk"
    with app.app_context():
        assert len(db.session.scalars(select(PooledAnswer)).all()) == 5
        # The quarter ends; the five answers are released together and the quarter is sealed.
        release_answers(periods.bounds(quarter)[1] + timedelta(days=1))
        released = db.session.scalars(select(SurveyResponse)).all()
        assert len(released) == 5
        for number, row in enumerate(released):  # keys whose sum gets no noise: the total shows 5
            row.record_key = 2**30 if number == 0 else 0
        db.session.commit()

    # The coordinator sees it counted, by language, in the table, the chart and the CSV.
    page.goto("/?lang=de")
    log_in(page, "office")
    filters = f"quarter={quarter}&survey_by=language"
    page.goto(f"/coordinator/dashboard?{filters}")
    survey_table = page.locator("table:has(#survey-caption)")
    total = survey_table.locator("tr.total")
    assert total.locator("td").nth(1).inner_text() == "5"
    assert page.locator("figure.chart svg").nth(2).locator("rect").count() >= 1
    assert_accessible(page)
    screenshots(page, "coordinator-dashboard")
    csv = page.request.get(f"/coordinator/dashboard.csv?{filters}&table=survey")
    assert csv.ok and "Gesamt,,5," in csv.text()
