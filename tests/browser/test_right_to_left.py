"""Arabic and Persian pages are mirrored and fit a 360 px phone: start, booking form, confirmation."""

import pytest

from config import Config
from mentoring.i18n.languages import KNOWN_LANGUAGES
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import make_expert, make_slot

pytestmark = pytest.mark.browser


def assert_mirrored_and_fits(page, code: str) -> None:
    html = page.locator("html")
    assert html.get_attribute("lang") == code and html.get_attribute("dir") == "rtl"
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "text overflows sideways"
    # Mirrored: the brand starts at the right edge, the h1 is aligned to the right.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > width * 0.6
    heading = page.locator("main h1").first.bounding_box()
    assert heading["x"] + heading["width"] > width - 40
    # Reading order: the first language button sits to the right of the last one.
    buttons = page.locator(".language-switcher button")
    first, last = buttons.first.bounding_box(), buttons.last.bounding_box()
    assert first["y"] < last["y"] or first["x"] > last["x"]


RIGHT_TO_LEFT = [code for code in Config.LANGUAGES if KNOWN_LANGUAGES[code].direction == "rtl"]


@pytest.mark.parametrize("code", RIGHT_TO_LEFT)
def test_start_booking_form_and_confirmation_are_right_to_left_at_360_px(
    chromium, live_server, app, backend, code, municipality_data
):
    slot = make_slot(app, make_expert(app, display_name="Sabine Kaya"), languages=["ar", "fa", "de"])
    context = chromium.new_context(base_url=live_server, locale=code, viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"/?lang={code}")
        assert_mirrored_and_fits(page, code)
        screenshot(page, f"start-{code}-360")
        page.goto(f"/consultations/slots/{slot}/book")
        assert_mirrored_and_fits(page, code)
        assert page.locator("#phone").get_attribute("dir") == "ltr"
        assert_accessible(page)
        screenshot(page, f"book-{code}-360")
        page.locator("#name").fill("مریم")
        page.locator("#phone").fill("0176 12345678")
        page.locator("#consent").check()
        page.locator("form.stacked button[type=submit]").click()
        assert "/booking/" in page.url
        assert_mirrored_and_fits(page, code)
        assert page.locator(".reference").evaluate("e => getComputedStyle(e).direction") == "ltr"
        screenshot(page, f"booked-{code}-360")
    finally:
        context.close()
