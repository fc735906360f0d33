"""Many families press "book" at the same moment against the live server: capacity holds."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, select

from mentoring import clock
from mentoring.consultations import seats
from mentoring.consultations.models import Booking, Slot
from mentoring.extensions import db
from tests.conftest import CSRF_PATTERN, browser_like_client, race, status_of
from tests.factories import make_expert, make_slot

CLIENTS = 40


@pytest.fixture
def generous_limits(app):
    saved = {
        key: app.config[key]
        for key in ("BOOKING_RATE_LIMIT", "API_RATE_LIMIT", "MAX_FUTURE_BOOKINGS_PER_CONTACT")
    }
    app.config.update(BOOKING_RATE_LIMIT="10000 per minute", API_RATE_LIMIT="10000 per minute")
    yield
    app.config.update(saved)


def test_racing_families_never_overbook_a_slot(app, live_server, generous_limits):
    expert = make_expert(app)
    slots = {
        make_slot(app, expert, capacity=1): 1,
        make_slot(app, make_expert(app, username="olena"), capacity=3): 3,
    }
    slot_ids = list(slots)
    # Both slots start at the same time for different experts would overlap for one contact;
    # here every client is a different family.
    prepared = []
    for number in range(CLIENTS):
        slot_id = slot_ids[number % 2]
        if number % 4 < 2:  # half the families use the web form, half the API
            opener = browser_like_client()
            with opener.open(f"{live_server}/", timeout=30) as page:
                match = CSRF_PATTERN.search(page.read().decode())
            form = urllib.parse.urlencode(
                {
                    "csrf_token": match.group(1) or match.group(2),
                    "name": f"Family {number}",
                    "phone": f"+4917612345{number:03d}",
                    "locale": "de",
                    "district": "",
                    "age_group": "",
                    "consent": "y",
                }
            ).encode()
            request = urllib.request.Request(f"{live_server}/consultations/slots/{slot_id}/book", data=form)
        else:
            opener = browser_like_client()
            body = json.dumps(
                {
                    "slot_id": slot_id,
                    "name": f"Family {number}",
                    "phone": f"+4917612345{number:03d}",
                    "language": "de",
                    "consent": True,
                }
            ).encode()
            request = urllib.request.Request(
                f"{live_server}/api/v1/bookings", data=body, headers={"Content-Type": "application/json"}
            )
        prepared.append((slot_id, opener, request))

    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def family(slot_id, opener, request):  # type: ignore[no-untyped-def]
        barrier.wait(timeout=30)
        status, location = status_of(opener, request)
        with lock:
            results.append((slot_id, status, location))

    threads = [threading.Thread(target=family, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == CLIENTS
    assert not [r for r in results if r[1] >= 500]
    won = Counter(slot for slot, status, location in results if status == 201 or "/booking/" in location)
    lost = [r for r in results if not (r[1] == 201 or "/booking/" in r[2])]
    assert won == Counter(slots)
    assert all(
        status == 409 or (status == 303 and location.startswith("/consultations"))
        for _s, status, location in lost
    )
    with app.app_context():
        for slot_id, capacity in slots.items():
            held = db.session.scalar(
                select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id)
            )
            assert held == capacity == db.session.get(Slot, slot_id).booked_count


def test_a_freed_seat_is_held_or_booked_once_while_families_race_for_it(app, live_server, generous_limits):
    """A cancellation (which holds the seat for the waiting parent) and twenty bookings at once."""

    from mentoring.consultations import waitlist
    from mentoring.consultations.models import SEAT_HOLDING
    from tests.factories import book_in_db

    slot_id = make_slot(app, make_expert(app), capacity=1)
    _id, token = book_in_db(app, slot_id, name="Ayla", phone="+4917600000001")
    with app.app_context():
        contact = seats.Contact(name="Ioana", locale="ro", privacy_version="t", phone="+4917611112222")
        waitlist.join(contact, waitlist.Wish(None, None, None, 4), clock.today())
        db.session.commit()
    canceller = browser_like_client()
    with canceller.open(f"{live_server}/booking/{token}", timeout=30) as page:
        match = CSRF_PATTERN.search(page.read().decode())
    cancel = urllib.request.Request(
        f"{live_server}/booking/{token}/cancel",
        data=urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2)}).encode(),
    )
    requests = [(canceller, cancel)] + [
        (
            browser_like_client(),
            urllib.request.Request(
                f"{live_server}/api/v1/bookings",
                data=json.dumps(
                    {
                        "slot_id": slot_id,
                        "name": f"F{n}",
                        "phone": f"+4917655555{n:03d}",
                        "language": "de",
                        "consent": True,
                    }
                ).encode(),
                headers={"Content-Type": "application/json"},
            ),
        )
        for n in range(20)
    ]
    statuses = race(requests)
    assert len(statuses) == len(requests) and not [s for s in statuses if s >= 500]
    with app.app_context():
        holders = db.session.scalars(
            select(Booking).where(Booking.slot_id == slot_id, Booking.status.in_(SEAT_HOLDING))
        ).all()
        assert len(holders) == 1 == db.session.get(Slot, slot_id).booked_count
