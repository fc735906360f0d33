import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, Slot
from mentoring.consultations.views import PAGE_SIZE
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import submit
from tests.factories import PARENT, book_in_db, expert_slots, make_expert, make_slot

MANAGE = re.compile(r"/booking/([\w-]+)")


def book(client, slot_id, **changes):
    # The token comes from the start page: a full or past slot shows no form any more.
    return submit(client, f"/consultations/slots/{slot_id}/book", PARENT | changes, page="/")


def bookings(app, slot_id=None):
    with app.app_context():
        query = select(Booking)
        if slot_id:
            query = query.where(Booking.slot_id == slot_id)
        return db.session.scalars(query).all()


def seats(app, slot_id) -> int:
    with app.app_context():
        return db.session.get(Slot, slot_id).booked_count


def test_parent_finds_a_time_and_books_it_without_an_account(app, client):
    expert = make_expert(app, display_name="Sabine Kaya")
    slot = make_slot(app, expert, topics=["sleep"], languages=["de", "tr"])
    listing = client.get("/consultations?topic=sleep&language=tr&mode=phone")
    assert f"/consultations/slots/{slot}/book" in listing.text
    assert "Sabine Kaya" in listing.text

    response = book(client, slot)
    assert response.status_code == 303
    token = MANAGE.search(response.headers["Location"]).group(1)
    page = client.get(response.headers["Location"])
    reference = re.search(r'class="reference">([A-Z0-9]+)<', page.text).group(1)
    assert len(reference) == 7
    assert "Sabine Kaya" in page.text
    assert seats(app, slot) == 1
    [booking] = bookings(app)
    assert booking.phone == "+4917612345678" and booking.email is None
    assert booking.manage_token_hash != token and len(booking.manage_token_hash) == 64


def test_filters_hide_slots_that_do_not_match(app, client):
    expert = make_expert(app)
    phone_de = make_slot(app, expert, languages=["de"], topics=["sleep"])
    online_tr = make_slot(
        app, expert, starts_in=timedelta(days=3), mode="online", languages=["tr"], topics=["money"]
    )
    page = client.get("/consultations?language=tr").text
    assert f"/slots/{online_tr}/book" in page and f"/slots/{phone_de}/book" not in page
    page = client.get("/consultations?mode=phone&topic=sleep").text
    assert f"/slots/{phone_de}/book" in page and f"/slots/{online_tr}/book" not in page


def test_booking_form_checks_consent_and_a_way_to_reach_the_parent(app, client):
    slot = make_slot(app, make_expert(app))
    response = book(client, slot, consent="", phone="", email="")
    assert response.status_code == 422
    assert "Datenschutzhinweisen zu" in response.text or 'href="#consent"' in response.text
    assert 'href="#email"' in response.text
    assert bookings(app) == [] and seats(app, slot) == 0


def test_invalid_phone_and_overlong_note_are_explained(app, client):
    slot = make_slot(app, make_expert(app))
    response = book(client, slot, phone="12", note="x" * 600)
    assert response.status_code == 422
    assert 'href="#phone"' in response.text and 'href="#note"' in response.text
    assert bookings(app) == []


def test_a_full_slot_sends_the_second_parent_to_the_next_times(app, client):
    expert = make_expert(app)
    slot = make_slot(app, expert, capacity=1)
    later = make_slot(app, expert, starts_in=timedelta(days=4))
    assert book(client, slot).status_code == 303
    other = app.test_client()
    response = book(other, slot, phone="0176 7654321")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/consultations")
    follow = other.get(response.headers["Location"])
    assert "gerade vergeben" in follow.text or "taken" in follow.text
    assert f"/slots/{later}/book" in follow.text
    assert len(bookings(app, slot)) == 1 and seats(app, slot) == 1


def test_one_contact_cannot_hold_two_overlapping_bookings(app, client):
    first = make_slot(app, make_expert(app))
    second = make_slot(app, make_expert(app, username="other"))
    assert book(client, first).status_code == 303
    response = book(app.test_client(), second)
    assert response.status_code == 409
    assert len(bookings(app)) == 1
    assert seats(app, second) == 0


def test_one_contact_holds_at_most_three_future_bookings(app, client):
    expert = make_expert(app)
    slots = [make_slot(app, expert, starts_in=timedelta(days=2 + n)) for n in range(4)]
    for slot in slots[:3]:
        assert book(app.test_client(), slot).status_code == 303
    assert book(app.test_client(), slots[3]).status_code == 409
    assert len(bookings(app)) == 3


def test_slots_inside_the_minimum_notice_or_in_the_past_cannot_be_booked(app, client):
    expert = make_expert(app)
    soon = make_slot(app, expert, starts_in=timedelta(hours=2), min_notice_hours=12)
    past = make_slot(app, expert, starts_in=timedelta(hours=-1))
    assert f"/slots/{soon}/book" not in client.get("/consultations").text
    for slot in (soon, past):
        response = book(client, slot)
        assert response.status_code == 303 and response.headers["Location"].startswith("/consultations")
    assert bookings(app) == []


def test_unknown_or_tampered_slot_ids_get_404(client):
    assert client.get("/consultations/slots/999999/book").status_code == 404
    assert client.get("/consultations/slots/abc/book").status_code == 404


def test_parent_cancels_through_the_manage_link_and_the_seat_is_free_again(app, client):
    expert = make_expert(app, email="expert@example.org")
    slot = make_slot(app, expert)
    response = book(client, slot, email="ayla@example.org")
    manage = response.headers["Location"].split("?")[0]
    cancel = submit(client, manage + "/cancel", page=manage)
    assert cancel.status_code == 303
    assert 'name="csrf_token"' in client.get(manage).text
    assert seats(app, slot) == 0
    [booking] = bookings(app)
    assert booking.status == BookingStatus.CANCELLED_BY_PARENT
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        reminder = [m for m in messages if m.cancel_key]
        assert [m.status for m in reminder] == [OutboxStatus.CANCELLED]
        recipients = {m.recipient for m in messages if m.status == OutboxStatus.PENDING}
        assert recipients == {"ayla@example.org", "expert@example.org"}
    assert f"/slots/{slot}/book" in client.get("/consultations").text


def test_cancelling_after_the_deadline_is_refused(app, client):
    slot = make_slot(app, make_expert(app), starts_in=timedelta(days=2), cancel_deadline_hours=12)
    _id, token = book_in_db(app, slot)
    with time_machine.travel(utcnow() + timedelta(days=1, hours=13), tick=False):
        response = submit(client, f"/booking/{token}/cancel", page=f"/booking/{token}")
    assert response.status_code == 303
    assert bookings(app)[0].status == BookingStatus.CONFIRMED
    assert seats(app, slot) == 1


def test_parent_moves_to_another_time_with_the_same_link(app, client):
    expert = make_expert(app)
    old = make_slot(app, expert)
    new = make_slot(app, expert, starts_in=timedelta(days=5))
    _id, token = book_in_db(app, old)
    page = client.get(f"/booking/{token}/move")
    assert f'value="{new}"' in page.text
    response = submit(client, f"/booking/{token}/move", {"slot_id": str(new)}, page=f"/booking/{token}/move")
    assert response.status_code == 303
    assert seats(app, old) == 0 and seats(app, new) == 1
    assert bookings(app)[0].slot_id == new
    assert client.get(f"/booking/{token}").status_code == 200


def test_unknown_manage_token_gets_404_and_reveals_nothing(client):
    assert client.get("/booking/not-a-token").status_code == 404
    assert client.get("/booking/not-a-token/calendar.ics").status_code == 404
    assert submit(client, "/booking/not-a-token/cancel", page="/").status_code == 404


def test_ics_file_has_the_berlin_time_zone_and_the_parents_language(app, client):
    slot = make_slot(app, make_expert(app, display_name="Sabine Kaya"))
    _id, token = book_in_db(app, slot, locale="en")
    response = client.get(f"/booking/{token}/calendar.ics")
    assert response.headers["Content-Type"].startswith("text/calendar")
    body = response.data.decode()
    assert "TZID:Europe/Berlin" in body and "DTSTART;TZID=Europe/Berlin:" in body
    assert "Consultation with Sabine Kaya" in body


def test_capacity_counter_always_equals_the_seat_holding_bookings(app, client):
    expert = make_expert(app)
    slot = make_slot(app, expert, capacity=3)
    tokens = [book_in_db(app, slot, phone=f"+49176123456{n}")[1] for n in range(3)]
    submit(client, f"/booking/{tokens[0]}/cancel", page=f"/booking/{tokens[0]}")
    book_in_db(app, slot, phone="+491761234569")
    with app.app_context():
        held = db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot, Booking.status == BookingStatus.CONFIRMED)
        )
        assert held == db.session.get(Slot, slot).booked_count == 3


def test_the_database_itself_refuses_an_overbooked_slot(app):
    slot = make_slot(app, make_expert(app), capacity=1)
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE slots SET booked_count = 2 WHERE id = :id"), {"id": slot})
            db.session.commit()
        db.session.rollback()


def test_the_list_shows_twenty_times_a_page_with_a_link_to_later_ones(app, client):
    expert = make_expert(app)
    slots = [make_slot(app, expert, starts_in=timedelta(days=2, hours=n)) for n in range(25)]
    first = client.get("/consultations?mode=phone")
    assert f"/slots/{slots[19]}/book" in first.text and f"/slots/{slots[20]}/book" not in first.text
    assert "page=2" in first.text and "mode=phone" in first.text
    second = client.get("/consultations?mode=phone&page=2")
    assert f"/slots/{slots[20]}/book" in second.text and f"/slots/{slots[24]}/book" in second.text
    assert client.get("/consultations?page=-3").status_code == 200
    assert client.get("/consultations?page=abc").status_code == 200


def test_link_building_words_in_the_query_string_do_not_break_the_list(app, client):
    expert = make_expert(app)
    for hour in range(PAGE_SIZE + 1):  # one more than a page: the list links to the next page
        make_slot(app, expert, starts_in=timedelta(days=1, hours=hour))
    response = client.get("/consultations?_method=POST&_anchor=x&_external=1")
    assert response.status_code == 200
    next_links = re.findall(r'href="([^"]*page=2[^"]*)"', response.text)
    assert next_links and all("_method" not in link and "#" not in link for link in next_links)


# Statements for one anonymous GET /consultations, whatever the number of slots and experts on it.
SLOT_LIST_STATEMENTS = {"sqlite": 2, "postgresql": 2}


def test_the_slot_list_runs_the_same_few_statements_for_twice_the_slots_and_experts(
    app, backend, client, count_queries
):
    # One page holds 20 slots: 10 slots from 5 experts, then 20 from 10, both on the first page.
    expert_slots(app, range(5))
    client.get("/consultations")  # the first request of a client may set up its session
    with count_queries() as few:
        page = client.get("/consultations")
    assert page.status_code == 200 and page.text.count("Expert Nummer") == 10
    expert_slots(app, range(5, 10))
    with count_queries() as many:
        page = client.get("/consultations")
    assert page.status_code == 200 and page.text.count("Expert Nummer") == 20
    assert all(f"Expert Nummer {k}" in page.text for k in range(10))
    assert few.count == many.count == SLOT_LIST_STATEMENTS[backend], many
