"""The guide to local offers: a parent in Bulgarian finds an offer for a two-year-old in their
district and prints the sheet; a coordinator imports a CSV with one bad row and gets its line; the
gaps grid shows an empty cell once an offer has expired."""

from datetime import timedelta

import pytest

from mentoring.extensions import db
from mentoring.offers.models import Offer
from tests.browser.conftest import assert_accessible, log_in, screenshots
from tests.factories import make_offer, make_user

pytestmark = pytest.mark.browser


BULGARIAN = {"titles": {"de": "Krabbelgruppe", "bg": "Група за пълзене"}, "languages": ["de", "bg"]}


def test_a_parent_in_bulgarian_finds_an_offer_and_prints_the_sheet(page, app, backend, municipality_data):
    make_offer(app, "Krabbelgruppe", **BULGARIAN)
    make_offer(app, "Schülerhilfe", age_groups=["10-14"])
    page.goto("/?lang=bg")
    page.locator("nav a[href='/offers']").click()
    assert_accessible(page)
    page.locator("a[href='/offers?district=osterfeld']").click()  # tap one: the district
    page.locator("a[href='/offers?district=osterfeld&age_group=1-3']").click()  # tap two: the age
    card = page.locator("article.offer")
    assert card.count() == 1
    assert card.locator("h3").inner_text() == "Група за пълзене"
    assert card.locator("p[lang=de]").inner_text() == "Spielen, singen, Eltern treffen."  # marked German
    assert_accessible(page)
    screenshots(page, "offers-bg")
    page.locator("a[href^='/offers/print']").click()
    assert page.locator("html").get_attribute("lang") == "bg"
    assert page.locator(".qr-figure svg").count() == 1
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert page.locator("article.offer").is_visible()
    screenshots(page, "offers-print-bg")


def test_a_coordinator_imports_a_csv_with_a_bad_row_and_sees_a_gap_after_expiry(
    page, app, backend, municipality_data, today
):
    make_offer(app, "Krabbelgruppe", districts=["sterkrade-nord"], age_groups=["14-18"], valid_until=today)
    make_user(app, role="coordinator", username="office")
    log_in(page, "office")
    page.goto("/coordinator/offers/import?lang=en")
    csv = (
        "title_de,description_de,provider,kind,age_groups,districts,cost,valid_from\n"
        f"Babymassage,Kurs für Eltern,Hebammenpraxis,course,0-1,ost,fee,{today}\n"
        f"Elterncafé,Treffpunkt,Stadtteilbüro,cafe,0-1,ost,free,{today}\n"
    )
    page.locator("#file").set_input_files(
        files=[{"name": "offers.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    page.locator("form.stacked button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert "Line 3: Kind of offer" in summary.inner_text()
    assert "Line 2" not in summary.inner_text()
    assert_accessible(page)
    screenshots(page, "offers-import-error")
    with app.app_context():
        assert db.session.query(Offer).count() == 1  # nothing of the file was imported

    page.goto("/coordinator/offers/gaps")
    cell = page.locator("tr", has_text="Sterkrade-Nord").locator("td").nth(6)  # 14 to 18 years
    assert cell.inner_text() == "1" and cell.get_attribute("class") is None
    with app.app_context():  # the offer's last day was yesterday
        db.session.query(Offer).update({"valid_until": today - timedelta(days=1)})
        db.session.commit()
    page.reload()
    cell = page.locator("tr", has_text="Sterkrade-Nord").locator("td").nth(6)
    assert cell.get_attribute("class") == "gap" and cell.inner_text().startswith("0")
    assert_accessible(page)
    screenshots(page, "offers-gaps")
