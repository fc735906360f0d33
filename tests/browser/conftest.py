"""Helpers for the Chromium journeys: logging in through the page, the axe check, screenshots."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.factories import DEMO_PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in through the login page, as a person would (in whatever language the page is in)."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form.stacked button[type=submit]").click()


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form[action='/logout'] button").click()


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    result = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    assert result.violations_count == 0, result.generate_report()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def screenshots(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Desktop and a 360 px phone, for a person to look at."""
    screenshot(page, f"{name}-desktop")
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, f"{name}-360")
    page.set_viewport_size(size)
