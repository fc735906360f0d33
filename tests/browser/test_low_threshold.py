"""Keyboard only, no JavaScript, 200 % text, 44 px targets, and paper."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import make_expert, make_slot

pytestmark = pytest.mark.browser


@pytest.fixture
def bookable(app, municipality_data):
    return make_slot(app, make_expert(app, display_name="Sabine Kaya"))


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies a JS predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached: {predicate}")


def test_a_parent_books_with_the_keyboard_only(page, app, backend, bookable):
    page.goto("/consultations")
    tab_to(page, f"el.getAttribute('href') === '/consultations/slots/{bookable}/book'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/slots/{bookable}/book")
    tab_to(page, "el.id === 'name'")
    page.keyboard.type("Ayla")
    tab_to(page, "el.id === 'phone'")
    page.keyboard.type("0176 12345678")
    tab_to(page, "el.id === 'consent'")
    page.keyboard.press("Space")
    tab_to(page, "el.type === 'submit' && el.closest('form.stacked') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/**")
    assert page.locator(".reference").is_visible()


def test_the_booking_journey_works_without_javascript(chromium, live_server, app, backend, bookable):
    context = chromium.new_context(base_url=live_server, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/consultations")
        page.locator(f'a[href="/consultations/slots/{bookable}/book"]').click()
        page.locator("form.stacked button[type=submit]").click()  # empty: the server explains
        assert page.locator("[data-error-summary]").is_visible()
        page.locator("#name").fill("Ayla")
        page.locator("#email").fill("ayla@example.org")
        page.locator("#consent").check()
        page.locator("form.stacked button[type=submit]").click()
        assert "/booking/" in page.url
        page.locator("form[action$='/cancel'] button").click()
        assert page.locator("form[action$='/cancel']").count() == 0
    finally:
        context.close()


def zoom_and_target_problems(page, path: str) -> list:
    """At 200 % text nothing scrolls sideways (wide tables scroll in their own box); at 360 px every
    control is at least 44 px high."""
    problems = []
    page.set_viewport_size({"width": 640, "height": 800})
    page.goto(path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    if page.evaluate("document.documentElement.scrollWidth") > 640:
        problems.append((path, "scrolls sideways at 200 %"))
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 360, "height": 800})
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            'button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .button, '
            + '.site-nav a, .site-footer a, .choices li, .single-checkbox, summary')]
          .filter(el => el.offsetParent !== null)
          .filter(el => el.getBoundingClientRect().height < 44)
          .map(el => el.outerHTML.slice(0, 80))"""
    )
    if small:
        problems.append((path, small))
    return problems


def test_pages_hold_at_200_percent_text_and_targets_are_44_px(page, app, backend, bookable):
    problems = []
    for path in ["/", "/consultations", f"/consultations/slots/{bookable}/book", "/login", "/register"]:
        problems += zoom_and_target_problems(page, path)
    assert problems == []


def test_every_role_s_pages_hold_at_200_percent_and_have_44_px_targets(
    chromium, live_server, app, backend, world
):
    from tests.factories import PAGES

    problems = []
    for who, paths in PAGES.items():
        if who is None:
            continue
        context = chromium.new_context(base_url=live_server)
        page = context.new_page()
        try:
            log_in(page, who)
            for path in paths:
                problems += zoom_and_target_problems(page, path.format(**world))
        finally:
            context.close()
    assert problems == [], "\n".join(map(str, problems))


def test_printed_confirmation_shows_the_qr_code_and_hides_the_navigation(page, app, backend, bookable):
    from tests.factories import book_in_db

    _id, token = book_in_db(app, bookable)
    page.goto(f"/booking/{token}")
    assert not page.locator(".qr-figure").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".qr-figure").is_visible()
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".language-switcher").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
