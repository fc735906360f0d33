"""A mentor parent applies, is vetted, a family asks in Arabic, the mentor accepts, the family books a meeting."""

from datetime import timedelta

import pytest

from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot, screenshots
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_applicant_vetted_family_asks_in_arabic_mentor_accepts(
    page, app, backend, municipality_data, today
):
    make_user(app, role="coordinator", username="office")
    make_user(app, username="fatima", locale="ar", phone="0176 5555555")

    # The applicant registers and fills the profile.
    page.goto("/register/mentor")
    page.locator("#username").fill("amal")
    page.locator("#password").fill("olive-tree-2024")
    page.locator("#password_confirm").fill("olive-tree-2024")
    page.locator("#consent").check()
    page.locator("#phone").fill("0176 4444444")
    page.locator("form.stacked button[type=submit]").click()
    page.goto("/mentor/profile")
    page.locator("input[name=shares][value=phone]").check()
    for value in ("ar", "de"):
        page.locator(f"input[name=languages][value={value}]").check()
    page.locator("input[name=districts][value=osterfeld]").check()
    page.locator("input[name=age_groups][value='0-1']").check()
    page.locator("input[name=topics][value=sleep]").check()
    assert_accessible(page)
    page.locator("form.stacked button[type=submit]").click()
    log_out(page)

    # The coordinator vets and activates.
    log_in(page, "office")
    page.goto("/coordinator/mentors")
    page.get_by_role("link", name="amal").click()
    page.locator("#training_on").fill((today - timedelta(days=3)).isoformat())
    page.locator("#certificate_seen_on").fill((today - timedelta(days=30)).isoformat())
    page.locator("input[name=relevant_entry][value=no]").check()  # nothing is chosen beforehand
    page.locator("input[name=decision][value=activate]").check()
    assert_accessible(page)
    page.get_by_role("button", name="Entscheidung speichern").click()
    assert page.url.endswith("/coordinator/mentors")
    log_out(page)

    # The family asks in Arabic and sees why the mentor fits.
    log_in(page, "fatima")
    page.goto("/mentoring?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("input[name=languages][value=ar]").check()
    page.locator("#district").select_option("osterfeld")
    page.locator("#age_group").select_option("0-1")
    page.locator("form.stacked button[type=submit]").first.click()
    card = page.locator("section.card").first
    assert "amal" in card.inner_text()
    assert "العربية" in card.inner_text() and "Osterfeld" in card.inner_text()
    assert_accessible(page)
    screenshot(page, "mentor-suggestion-ar")
    page.locator("input[name=shares][value=phone]").check()  # the mentor may see the phone number
    page.locator("#referral").select_option("midwife")
    card.locator("button[type=submit]").click()
    assert "amal" in page.content()
    log_out(page)

    # The mentor accepts and now sees how to reach the family.
    log_in(page, "amal", "olive-tree-2024")
    page.goto("/mentor/requests")
    assert "0176 5555555" not in page.content()
    page.locator("form[action$='/accept'] button").click()
    assert "0176 5555555" in page.content()
    assert_accessible(page)
    screenshots(page, "mentor-accepted")

    # The mentor publishes a meeting time only their families can book.
    page.goto("/mentor/meetings")
    page.locator("#day").fill((today + timedelta(days=3)).isoformat())
    page.locator("#start_time").fill("17:00")
    assert_accessible(page)
    page.locator("form.stacked button[type=submit]").click()
    assert page.locator("main li time").count() == 1  # published
    screenshots(page, "mentor-meetings")
    log_out(page)

    # The family sees how to reach the mentor and books the meeting with the usual booking form.
    log_in(page, "fatima")
    page.goto("/mentoring?lang=ar")
    assert "4444444" in page.locator("main a[href^='tel:']").inner_text()  # the mentor shares the phone
    assert_accessible(page)
    screenshots(page, "family-with-mentor-ar")
    page.locator("ul.slot-list a").first.click()
    assert page.locator("#phone").input_value() == "0176 5555555"  # filled from the account
    page.locator("#consent").check()
    page.locator("form.stacked button[type=submit]").click()
    assert "/booking/" in page.url
    assert_accessible(page)
    screenshots(page, "family-booked-meeting-ar")
    log_out(page)

    # The mentor sees the booking and logs the first contact.
    log_in(page, "amal", "olive-tree-2024")
    page.goto("/mentor/meetings")
    assert "fatima" in page.content()
    page.goto("/mentor/requests")
    page.locator("a[href^='/mentor/families/']").first.click()
    page.locator("input[name=mode][value=phone]").check()
    page.locator("#minutes").fill("20")
    page.locator("#note").fill("Erstes Gespräch, Schlaf")
    page.locator("form.stacked button[type=submit]").first.click()
    # "Save this contact?": a summary first, then the mentor saves it.
    assert "Erstes Gespräch, Schlaf" in page.locator("dl.summary-list").inner_text()
    assert_accessible(page)
    page.locator("#confirm-contact button[type=submit]").first.click()
    assert page.locator("#confirm-contact").count() == 0
    assert "Erstes Gespräch, Schlaf" in page.content()
    assert_accessible(page)
    screenshots(page, "mentor-contact-log")
