"""On a 360 px phone: a mentor applicant registers, the coordinator sees them on the start page,
vets them (nothing chosen beforehand), and the mentor's start page shows the new status and the
family waiting for an answer, whose need the mentor reads before accepting."""

from datetime import timedelta

import pytest

from mentoring.accounts import services as accounts
from mentoring.extensions import db
from mentoring.mentorships import services as mentoring
from mentoring.mentorships.matching import Need
from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser
PASSWORD = "Kirschbaum-Laterne-7"


def test_applicant_registers_coordinator_vets_mentor_home_shows_status(
    page, app, backend, municipality_data, today
):
    page.set_viewport_size({"width": 360, "height": 740})
    make_user(app, role="coordinator", username="office")
    make_user(app, username="lena", phone="0176 1234567")

    page.goto("/register/mentor?lang=en")
    page.locator("#username").fill("mariam")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#consent").check()
    page.locator("#phone").fill("0176 4444444")
    page.locator("form.stacked button[type=submit]").click()
    page.goto("/home?lang=en")
    assert "Thank you for applying" in page.content()
    page.goto("/mentor/profile?lang=en")
    page.locator("input[name=districts][value=osterfeld]").check()
    page.locator("form.stacked button[type=submit]").click()
    log_out(page)

    log_in(page, "office")
    page.goto("/home?lang=en")
    page.get_by_role("link", name="1 mentor applicant is waiting for vetting").click()
    page.get_by_role("link", name="mariam").click()
    assert "+491764444444" in page.content()  # the office can call her
    page.locator("#training_on").fill((today - timedelta(days=3)).isoformat())
    page.locator("#certificate_seen_on").fill((today - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save decision").click()
    summary = page.locator(".error-summary")
    assert "Please choose: activate or reject." in summary.inner_text()
    assert "relevant conviction" in summary.inner_text()
    assert_accessible(page)
    screenshot(page, "applicant-vetting-errors-360")
    page.locator("input[name=relevant_entry][value=no]").check()
    page.locator("input[name=decision][value=activate]").check()
    page.get_by_role("button", name="Save decision").click()
    assert page.url.endswith("/coordinator/mentors")
    assert "0 mentor applicants are waiting for vetting" in page.locator("main").inner_text()
    log_out(page)

    with app.app_context():
        profile = mentoring.all_mentors()[0]
        profile.languages = ["tr", "de"]
        db.session.commit()
        need = Need(languages=frozenset({"tr"}), district="osterfeld", age_group="0-1", contact_mode="phone")
        asking = mentoring.Asking(note="Merhaba, uyku konusunda yardım lazım", shares=("phone",))
        mentoring.request_mentor(accounts.find_user_by_username("lena"), profile.id, need, asking, 5)
        db.session.commit()

    log_in(page, "mariam", PASSWORD)
    page.goto("/home?lang=en")
    main = page.locator("main").inner_text()
    assert "Thank you for applying" not in main and "You are an active mentor parent" in main
    assert "1 family is waiting for your answer." in main and "Please answer by" in main
    assert_accessible(page)
    screenshot(page, "applicant-mentor-home-360")
    page.get_by_role("link", name="1 family is waiting for your answer.").click()
    card = page.locator("section.card").first.inner_text()
    for shown in ("Türkçe", "Baby (under 1 year)", "Osterfeld", "By phone", "uyku konusunda"):
        assert shown in card, shown
    assert "1234567" not in page.content()  # the family's phone only after accepting
    assert_accessible(page)
    screenshot(page, "applicant-mentor-request-need-360")
