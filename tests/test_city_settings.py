"""Coordinators edit the city's settings; the public pages and the forms use them."""

from sqlalchemy import select

from mentoring.audit import AuditEntry
from mentoring.extensions import db
from mentoring.reference.models import District, OfficeContact
from tests.conftest import submit


def test_the_seeded_office_contact_is_on_the_imprint(app, client, municipality_data):
    page = client.get("/imprint")
    assert page.status_code == 200
    assert "Schwartzstr. 71" in page.text and "0208 825-9376" in page.text
    assert "chancengleichheit@oberhausen.de" in page.text


def test_a_coordinator_changes_the_office_contact(app, client, login_as, municipality_data):
    login_as("coordinator")
    data = {
        "office_name": "Büro",
        "street": "Neue Str. 1",
        "postcode_city": "46045 Oberhausen",
        "phone": "0208 825-9376",
        "email": "buero@example.org",
        "hours_de": "Montags",
    }
    response = submit(client, "/coordinator/settings/office", data)
    assert response.status_code == 303
    assert "Neue Str. 1" in client.get("/imprint").text
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "office_changed"


def test_a_wrong_phone_is_refused_and_nothing_is_written(app, client, login_as, municipality_data):
    login_as("coordinator")
    data = {"office_name": "B", "street": "S", "postcode_city": "P", "phone": "12", "email": "x"}
    response = submit(client, "/coordinator/settings/office", data)
    assert response.status_code == 422 and "error-summary" in response.text
    with app.app_context():
        assert db.session.scalars(select(OfficeContact.street)).all() == ["Schwartzstr. 71"]


def test_a_hidden_district_leaves_the_choices(app, client, login_as, municipality_data):
    login_as("coordinator")
    with app.app_context():
        district_id = db.session.scalars(select(District.id).where(District.key == "osterfeld")).one()
    response = submit(
        client, f"/coordinator/settings/districts/{district_id}", {"name": "Osterfeld", "position": "3"}
    )
    assert response.status_code == 303
    assert 'value="osterfeld"' not in client.get("/coordinator/families/new").text


def test_a_renamed_referral_source_keeps_its_key(app, client, login_as):
    login_as("coordinator")
    response = submit(
        client,
        "/coordinator/settings/referrals/kita",
        {"name_de": "Kindertagesstätte", "position": "0", "active": "y"},
    )
    assert response.status_code == 303
    page = client.get("/coordinator/families/new?lang=de")
    assert "Kindertagesstätte" in page.text and 'value="kita"' in page.text
