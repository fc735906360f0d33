"""A parents' group on a phone (360 px): the coordinator plans it, a family joins from the mentor
parent page, the mentor notes who came to the first meeting."""

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.mentorships.models import Attendance, Cohort, CohortMember
from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot
from tests.factories import make_mentor, make_user

pytestmark = pytest.mark.browser


def test_the_office_plans_a_group_a_family_joins_and_the_mentor_notes_attendance(
    page, app, backend, municipality_data, today
):
    make_user(app, role="coordinator", username="office")
    make_mentor(app, username="zeynep")
    make_user(app, username="lena", display_name="Lena Schmidt")
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, "office")
    page.goto("/coordinator/groups/new")
    assert_accessible(page)
    page.locator("#name").fill("Eltern-AG Styrum")
    page.locator("input[name=languages][value=tr]").check()
    page.locator("#district").select_option("mitte-styrum")
    page.locator("#starts_on").fill(today.isoformat())
    page.locator("#meets_at").fill("00:01")
    page.locator("#weeks").fill("20")
    page.locator("#place").fill("Familienzentrum Styrum")
    page.locator("#capacity").fill("8")
    page.locator("#mentor_id").select_option(label="zeynep")
    screenshot(page, "group-plan-360")
    with page.expect_navigation():  # read the next page, not the one being left
        page.locator("#place").press("Enter")  # the keyboard's way to send the form
    assert page.locator("h1").inner_text() == "Eltern-AG Styrum", page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "group-planned-360")
    with app.app_context():
        cohort = db.session.scalars(select(Cohort)).one()
        assert (cohort.weeks, cohort.capacity) == (20, 8)
    log_out(page)

    log_in(page, "lena")
    page.goto("/mentoring?languages=tr&district=mitte-styrum")
    join = page.locator(f"button[formaction^='/mentoring/groups/{cohort.id}/join']")
    join.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "group-offer-360")
    with page.expect_navigation():
        join.click()
    assert "Eltern-AG Styrum" in page.locator("h1 + p").inner_text()  # "your parents' group"
    assert_accessible(page)
    screenshot(page, "group-joined-360")
    log_out(page)

    log_in(page, "zeynep")
    page.goto("/mentor/groups")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("a[href*='/mentor/groups/meetings/']").first.click()
    page.get_by_role("checkbox", name="Lena Schmidt").check()
    assert_accessible(page)
    screenshot(page, "group-attendance-360")
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    assert page.url.endswith("/mentor/groups")
    assert "1 von 1" in page.locator("body").inner_text()  # "Gespeichert: 1 von 1 Familien waren da."
    with app.app_context():
        member = db.session.scalars(select(CohortMember)).one()
        assert db.session.scalars(select(Attendance.member_id)).all() == [member.id]
