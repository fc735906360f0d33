"""On a 360 px phone: a family ticks Türkçe and Deutsch and says how well they speak each; the mentor
parent reads "Deutsch (a little), Türkçe (mother tongue)" on the request card before accepting."""

import pytest

from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot
from tests.factories import activate_mentor, make_user

pytestmark = pytest.mark.browser


def test_family_says_how_well_and_the_mentor_reads_it_before_accepting(page, app, backend, municipality_data):
    page.set_viewport_size({"width": 360, "height": 740})
    make_user(app, role="mentor", username="ayse", email="ayse@example.org", locale="en")
    activate_mentor(app, "ayse")
    make_user(app, username="lena", phone="0176 1234567", locale="en")

    log_in(page, "lena")
    page.goto("/mentoring?lang=en")
    page.locator("input[name=languages][value=tr]").check()
    page.get_by_label("How well do you speak Türkçe?").select_option("native")
    page.locator("input[name=languages][value=de]").check()
    page.get_by_label("How well do you speak Deutsch?").select_option("little")
    page.get_by_label("How well do you speak العربية?").select_option("well")  # not ticked: ignored
    page.locator("form.stacked button[type=submit]").first.click()
    assert page.get_by_label("How well do you speak Türkçe?").input_value() == "native"
    assert_accessible(page)
    screenshot(page, "language-levels-family-360")
    page.locator("section.card button[type=submit]").first.click()
    log_out(page)

    log_in(page, "ayse")
    page.goto("/mentor/requests?lang=en")
    need = page.locator("dl.summary-list").first.inner_text()
    assert "Deutsch (a little), Türkçe (mother tongue)" in need and "العربية" not in need
    assert_accessible(page)
    screenshot(page, "language-levels-mentor-card-360")
