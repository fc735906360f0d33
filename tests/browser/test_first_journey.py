"""A new parent in real Chromium: register, log out, log in, switch to Arabic, log out."""

import pytest

from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_new_parent_registers_logs_in_switches_to_arabic_and_logs_out(page, backend):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page)

    page.get_by_role("link", name="Konto erstellen").first.click()
    page.get_by_label("Benutzername").fill("Mama.Lena")
    page.get_by_label("Passwort", exact=False).first.fill("blue-bicycle-87")
    page.get_by_label("Passwort wiederholen", exact=False).fill("blue-bicycle-88")
    page.locator("#consent").check()
    page.get_by_role("button", name="Konto erstellen").click()
    # The mistake is named in the error summary, which takes the focus.
    summary = page.locator("[data-error-summary]")
    assert "nicht gleich" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert_accessible(page)

    page.get_by_label("Passwort", exact=False).first.fill("blue-bicycle-87")
    page.get_by_label("Passwort wiederholen", exact=False).fill("blue-bicycle-87")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.url.endswith("/home")
    assert "mama.lena" in page.locator("h1").inner_text()

    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("Benutzername").fill("mama.lena")
    page.get_by_label("Passwort").fill("blue-bicycle-87")
    page.get_by_role("button", name="Anmelden").click()
    assert page.url.endswith("/home")

    page.get_by_role("button", name="العربية").click()
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "home-ar-320")

    # The choice is remembered on the next page.
    page.goto("/account")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("button", name="تسجيل الخروج").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto("/home")
    assert "/login" in page.url
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "login-ar-desktop")


def test_pages_work_without_javascript(chromium, live_server, backend):
    context = chromium.new_context(base_url=live_server, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/register")
        page.get_by_label("Benutzername").fill("papa.ali")
        page.get_by_label("Passwort", exact=False).first.fill("red-kite-2040")
        page.get_by_label("Passwort wiederholen", exact=False).fill("red-kite-2040")
        page.locator("#consent").check()
        page.get_by_role("button", name="Konto erstellen").click()
        assert page.url.endswith("/home")
        page.get_by_role("button", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()
