"""axe-core on every page, for every role, in German, Arabic and Turkish; nothing leaves the site
and no page is heavier than the budget."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PAGES

pytestmark = pytest.mark.browser
PAGE_BUDGET = 60 * 1024  # bytes for HTML + CSS + JS + images of one page


@pytest.mark.parametrize("language", ["de", "ar", "tr"])
def test_every_page_has_no_axe_violations_and_stays_on_the_site(
    chromium, live_server, app, backend, world, language
):
    problems = []
    for who, paths in PAGES.items():
        context = chromium.new_context(base_url=live_server, locale=language)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sizes: dict[str, int] = {}
        foreign: list[str] = []

        def record(response, sizes=sizes, foreign=foreign):  # type: ignore[no-untyped-def]
            if not response.url.startswith(live_server):
                foreign.append(response.url)
            elif response.ok:
                sizes[response.url] = len(response.body())

        page.on("response", record)
        try:
            page.goto(f"/?lang={language}")
            if who:
                log_in(page, who)
            for path in paths:
                sizes.clear()
                url = path.format(**world)
                page.goto(url)
                if page.locator("html").get_attribute("lang") != language:
                    problems.append(f"{url}: not in {language}")
                try:
                    assert_accessible(page)
                except AssertionError as error:
                    problems.append(f"{url} as {who or 'anonymous'} in {language}: {str(error)[:600]}")
                weight = sum(sizes.values())
                if weight > PAGE_BUDGET:
                    problems.append(f"{url}: {weight} bytes")
            if foreign:
                problems.append(f"requests left the site: {sorted(set(foreign))[:5]}")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
