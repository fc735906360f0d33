"""The programme office reads a parent's comment (redacted), gives it a theme and a status, writes
"You said, we did" in German and Turkish, and a parent reads it on a 320 px phone in Turkish and,
marked as German, in Arabic, also without JavaScript. (axe needs JavaScript, so the page is checked
with it and read again without it.)"""

import pytest

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.surveys.kanon import ALL
from mentoring.surveys.models import CommentStatus, SurveyPeriod, SurveyResponse
from tests.browser.conftest import assert_accessible, log_in, screenshots
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def comment(app, municipality_data) -> str:
    with app.app_context():
        db.session.add(SurveyPeriod(period="2026-Q3", sealed_at=utcnow()))
        response = SurveyResponse(
            questionnaire="2026-1",
            period="2026-Q3",
            service="consultation",
            locale="tr",
            district=ALL,
            satisfaction=4,
            comment="Akşam randevusu lütfen, 0176 1234567",
        )
        db.session.add(response)
        db.session.commit()
        return response.id


def test_the_office_answers_a_comment_and_parents_read_what_changed(
    chromium, live_server, app, backend, comment
):
    make_user(app, role="coordinator", username="office")
    context = chromium.new_context(base_url=live_server, locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, "office")
        page.goto("/home?lang=en")
        page.locator("a[href='/coordinator/survey-comments?status=new']").click()
        card = page.locator(f"#comment-{comment}")
        assert "Akşam randevusu lütfen, [phone]" in card.inner_text()
        assert_accessible(page)
        card.locator("select[name=status]").select_option("acted_on")
        card.locator("select[name=theme]").select_option("appointments")
        card.locator("button[type=submit]").click()
        assert page.locator(".flash-success").is_visible()  # and it left the list of new ones
        assert page.locator(f"#comment-{comment}").count() == 0
        page.goto("/coordinator/survey-comments?lang=en")
        assert "Acted on · Appointments and times" in page.locator(f"#comment-{comment} h2").inner_text()
        screenshots(page, "survey-comments-en")

        page.goto("/coordinator/you-said-we-did/new?lang=en")
        page.locator("form.stacked button[type=submit]").first.click()  # empty: the server explains
        assert page.locator("[data-error-summary]").is_visible()
        assert_accessible(page)
        page.locator("#done_on").fill("2026-11-15")
        page.locator("#title_de").fill("Abendtermine")
        page.locator("#body_de").fill("Sie wünschten Termine am Abend. Jetzt gibt es sie dienstags.")
        page.locator("summary", has_text="Türkçe").click()
        page.locator("#title_tr").fill("Akşam randevuları")
        page.locator("#body_tr").fill("Akşam randevusu istediniz. Artık salı akşamları var.")
        page.locator("form.stacked button[type=submit]").first.click()
        assert page.locator(".flash-success").is_visible(), page.locator("main").inner_text()
    finally:
        context.close()
    with app.app_context():
        assert db.session.get(SurveyResponse, comment).comment_status == CommentStatus.ACTED_ON

    phone = chromium.new_context(
        base_url=live_server,
        locale="tr-TR",
        viewport={"width": 320, "height": 640},
    )
    page = phone.new_page()
    try:
        page.goto("/?lang=tr")  # any page: the footer links to what changed
        page.locator("footer a[href='/you-said-we-did']").click()
        assert page.locator("article h2").inner_text() == "Akşam randevuları"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        page.goto("/you-said-we-did?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("article h2[lang=de]").inner_text() == "Abendtermine"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        screenshots(page, "you-said-we-did-ar")
    finally:
        phone.close()
    without_js = chromium.new_context(
        base_url=live_server,
        locale="tr-TR",
        viewport={"width": 320, "height": 640},
        java_script_enabled=False,
    )
    page = without_js.new_page()
    try:
        page.goto("/you-said-we-did")
        assert page.locator("html").get_attribute("lang") == "tr"
        assert page.locator("article h2").inner_text() == "Akşam randevuları"
        page.locator("a[href='/you-said-we-did?lang=de']").click()  # the languages it is written in
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.locator("article h2").inner_text() == "Abendtermine"
    finally:
        without_js.close()
