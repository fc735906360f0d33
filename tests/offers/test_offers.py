"""The guide to local offers: finding in two taps, search in every language, expiry, the gaps grid,
CSV import (all or nothing, with line numbers) and export, the API, who may change what."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.offers import services
from mentoring.offers.models import Offer
from tests.conftest import log_in, submit
from tests.factories import make_user

HEADER = "title_de,description_de,provider,kind,age_groups,districts,cost,languages,valid_from,valid_until,title_bg,description_bg\n"
GOOD_ROW = "Krabbelgruppe,Spielen und Austausch,Familienzentrum Ost,group,1-3;0-1,ost,free,de;tr,{start},,Група за пълзене,Игра и разговори\n"


@pytest.fixture
def office(app, municipality_data):
    make_user(app, role="coordinator", username="office")
    return log_in(app, "office")


def upload(client, text: str):
    token_page = client.get("/coordinator/offers/import").text
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post(
        "/coordinator/offers/import?lang=en",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), "offers.csv")},
        content_type="multipart/form-data",
    )


def add(client, **changes):
    data = {
        "title_de": "Elterncafé",
        "description_de": "Kaffee und Gespräche für Eltern",
        "provider": "Stadtteilbüro",
        "kind": "drop-in",
        "age_groups": ["0-1"],
        "cost": "free",
        "valid_from": clock.today().isoformat(),
    } | changes
    return submit(client, "/coordinator/offers/new", data)


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Offer))


def test_a_parent_finds_an_offer_in_two_taps_and_german_is_marked_where_missing(app, office):
    assert add(office, districts=["ost"], age_groups=["1-3"], title_tr="Ebeveyn kafesi").status_code == 303
    assert add(office, title_de="Stillgruppe", districts=["osterfeld"], age_groups=["1-3"]).status_code == 303
    assert add(office, title_de="Stadtbibliothek", age_groups=["1-3", "3-6"]).status_code == 303  # whole city
    parent = app.test_client()
    first = parent.get("/offers")
    assert 'href="/offers?district=ost"' in first.text
    second = parent.get("/offers?district=ost")
    assert 'href="/offers?district=ost&amp;age_group=1-3"' in second.text
    found = parent.get("/offers?district=ost&age_group=1-3&lang=tr").text
    assert "Ebeveyn kafesi" in found and "Stadtbibliothek" in found and "Stillgruppe" not in found
    assert 'lang="de">Stadtbibliothek' in found  # untranslated: German, marked for screen readers
    assert "/consultations" in found and "/mentoring" in found


def test_search_finds_words_in_any_language_and_by_topic(app, office):
    add(office, title_bg="Група за пълзене", topics=["sleep"])
    add(office, title_de="Schuldnerberatung", description_de="Hilfe bei Schulden 100%")
    parent = app.test_client()
    assert "Elterncafé" in parent.get("/offers?q=пълзене").text
    assert "Elterncafé" in parent.get("/offers?topic=sleep").text
    assert "Schuldnerberatung" in parent.get("/offers?q=SCHULDEN").text
    nothing = parent.get("/offers?q=%25_%25").text  # LIKE wildcards are text, not patterns
    assert "Schuldnerberatung" not in nothing


@pytest.mark.clock
def test_expired_offers_disappear_and_the_gap_grid_shows_it(app, office, today):
    add(office, districts=["ost"], age_groups=["1-3"], valid_until=(today + timedelta(days=2)).isoformat())
    grid = office.get("/coordinator/offers/gaps")
    assert grid.status_code == 200
    with app.app_context():
        assert services.gaps(today, ["ost"])[("ost", "1-3")] == 1
        assert services.gaps(today + timedelta(days=3), ["ost"])[("ost", "1-3")] == 0
    with time_machine.travel(utcnow() + timedelta(days=3), tick=False):
        assert "Elterncafé" not in app.test_client().get("/offers?district=ost&age_group=1-3").text


def test_the_offer_form_checks_what_a_family_relies_on(app, office, today):
    response = add(
        office, title_de="", age_groups=[], valid_until=(today - timedelta(days=1)).isoformat(), kind="spa"
    )
    assert response.status_code == 422
    for anchor in ("#title_de", "#age_groups", "#kind"):
        assert f'href="{anchor}"' in response.text
    assert count(app) == 0


def test_csv_import_with_one_bad_row_names_the_line_and_imports_nothing(app, office, today):
    start = today.isoformat()
    bad = f"Kurs,Text,Anbieter,course,13-15,ost,free,de,{start},,,\n"
    response = upload(office, HEADER + GOOD_ROW.format(start=start) + bad + GOOD_ROW.format(start=start))
    assert response.status_code == 422
    assert "Line 3: For which ages: Please choose one of the options." in response.text
    assert "Line 2" not in response.text and "Line 4" not in response.text
    assert count(app) == 0
    assert upload(office, HEADER + GOOD_ROW.format(start=start) * 2).status_code == 303
    assert count(app) == 2


def test_csv_files_that_are_not_csv_are_refused_cleanly(app, office):
    assert upload(office, "just some words").status_code == 422
    assert upload(office, HEADER).status_code == 422  # no offers
    token_page = office.get("/coordinator/offers/import").text
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    latin1 = office.post(
        "/coordinator/offers/import",
        data={"csrf_token": token, "file": (io.BytesIO("Café".encode("latin-1")), "x.csv")},
        content_type="multipart/form-data",
    )
    assert latin1.status_code == 422
    assert count(app) == 0


def test_export_and_import_round_trip(app, office):
    add(office, title_bg="Родителско кафе", districts=["ost", "osterfeld"], contact="=HYPERLINK()")
    exported = office.get("/coordinator/offers/export.csv")
    text = exported.data.decode("utf-8")
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["title_bg"] == "Родителско кафе" and row["districts"] == "ost;osterfeld"
    assert row["contact"] == "'=HYPERLINK()"  # a spreadsheet shows it as text
    assert upload(office, text).status_code == 303
    with app.app_context():
        copies = db.session.scalars(select(Offer)).all()
        assert (
            len(copies) == 2 and copies[1].contact == "=HYPERLINK()" and copies[1].titles == copies[0].titles
        )


def test_the_api_lists_current_offers_in_the_asked_language(app, office):
    add(office, title_bg="Родителско кафе", districts=["ost"], age_groups=["1-3"])
    body = app.test_client().get("/api/v1/offers?district=ost&age_group=1-3&lang=bg").get_json()
    assert [o["title"] for o in body["offers"]] == ["Родителско кафе"]
    assert body["offers"][0]["text_language"] == "de"  # the description exists in German only
    assert app.test_client().get("/api/v1/offers?district=mars").status_code == 422
    assert app.test_client().get("/api/v1/offers?age_group=99").status_code == 422
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/offers" in paths


def test_only_coordinators_change_offers(app, office):
    add(office)
    with app.app_context():
        offer_id = db.session.scalars(select(Offer)).one().id
    make_user(app, username="lena")
    parent = log_in(app, "lena")
    for path in ("/coordinator/offers", f"/coordinator/offers/{offer_id}", "/coordinator/offers/gaps"):
        assert parent.get(path).status_code == 403
    assert office.get("/coordinator/offers/99999").status_code == 404


def test_the_print_sheet_has_a_qr_code_back_to_the_page(app, office):
    add(office, districts=["ost"], age_groups=["1-3"])
    sheet = app.test_client().get("/offers/print?district=ost&age_group=1-3&lang=bg")
    assert sheet.status_code == 200 and "<svg" in sheet.text and "Elterncafé" in sheet.text
    assert "/offers?district=ost&amp;age_group=1-3&amp;lang=bg" in sheet.text
    assert app.test_client().get("/offers/print").status_code == 404
