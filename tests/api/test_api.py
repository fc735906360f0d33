from datetime import timedelta

from sqlalchemy import func, select

from mentoring.consultations.models import Booking
from mentoring.extensions import db
from tests.factories import make_expert, make_slot

BOOKING = {"name": "Ayla", "email": "ayla@example.org", "language": "tr", "consent": True}


def count_bookings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


def test_slots_are_listed_with_berlin_offsets_and_filters(app, client):
    expert = make_expert(app, display_name="Sabine Kaya")
    phone = make_slot(app, expert, languages=["de", "tr"], topics=["sleep"])
    make_slot(app, expert, starts_in=timedelta(days=3), mode="online", languages=["ar"], topics=["money"])
    body = client.get("/api/v1/slots?language=tr&mode=phone&topic=sleep").json
    assert [slot["id"] for slot in body["slots"]] == [phone]
    slot = body["slots"][0]
    assert slot["starts_at"].endswith(("+01:00", "+02:00"))
    assert slot["expert"] == {"display_name": "Sabine Kaya", "profession": "Hebamme"}
    assert slot["seats_left"] == 1
    assert len(client.get("/api/v1/slots").json["slots"]) == 2


def test_bad_filters_get_422_with_field_errors_in_the_asked_language(client):
    response = client.get(
        "/api/v1/slots?from=2026-13-01&mode=fax&language=xx", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"from", "mode", "language"}


def test_booking_by_api_returns_reference_and_a_working_cancel(app, client):
    slot = make_slot(app, make_expert(app))
    created = client.post("/api/v1/bookings", json={"slot_id": slot, **BOOKING})
    assert created.status_code == 201
    body = created.json
    assert body["manage_url"].startswith("http://localhost/booking/") and "lang=tr" in body["manage_url"]
    full = client.post("/api/v1/bookings", json={"slot_id": slot, **BOOKING, "email": "b@example.org"})
    assert full.status_code == 409
    assert (
        client.post(f"/api/v1/bookings/{body['reference']}/cancel", json={"token": "wrong"}).status_code
        == 404
    )
    other = "ZZZZZZZ"
    assert client.post(f"/api/v1/bookings/{other}/cancel", json={"token": body["token"]}).status_code == 404
    cancelled = client.post(f"/api/v1/bookings/{body['reference']}/cancel", json={"token": body["token"]})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled_by_parent"


def test_bad_booking_input_gets_field_errors_and_writes_nothing(app, client):
    slot = make_slot(app, make_expert(app))
    response = client.post(
        "/api/v1/bookings",
        json={"slot_id": slot, "name": 7, "phone": "12", "language": "xx", "consent": False},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert {"name", "phone", "language", "consent"} <= set(fields)
    assert fields["name"] == ["Please send text."]
    assert count_bookings(app) == 0


def test_wrong_content_type_and_non_object_bodies_are_refused(app, client):
    assert client.post("/api/v1/bookings", data="slot_id=1").status_code == 415
    assert client.post("/api/v1/bookings", json=[1, 2]).status_code == 400
    assert client.post("/api/v1/bookings", json={"slot_id": True, **BOOKING}).status_code == 422
    assert client.post("/api/v1/bookings", json={"slot_id": 99999, **BOOKING}).status_code == 404
    assert count_bookings(app) == 0


def test_cors_only_for_configured_origins(app, client):
    app.config["CORS_ORIGINS"] = ["https://www.oberhausen.de"]
    try:
        allowed = client.get("/api/v1/slots", headers={"Origin": "https://www.oberhausen.de"})
        other = client.get("/api/v1/slots", headers={"Origin": "https://evil.example"})
    finally:
        app.config["CORS_ORIGINS"] = []
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.oberhausen.de"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_openapi_document_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/slots", "/api/v1/bookings", "/api/v1/bookings/{reference}/cancel"} <= set(
        document["paths"]
    )
