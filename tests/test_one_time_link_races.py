"""Four people use the same one-time link at the same moment, against the live server: one wins.

SQLite ignores SELECT … FOR UPDATE, so on SQLite these races used to let every request through (four
expert accounts from one invitation). A conditional UPDATE … WHERE used_at IS NULL decides now, on
SQLite (a file with WAL, as the demo runs) as on PostgreSQL; the losers see "no longer works", never a 500.
"""

import urllib.parse
import urllib.request
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.accounts.models import User
from mentoring.consultations import seats, waitlist
from mentoring.consultations.models import Booking, BookingStatus, Slot
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from mentoring.security import Role
from mentoring.surveys.models import PooledAnswer
from tests.conftest import browser_like_client, opener_csrf_token, race, submit
from tests.factories import (
    book_in_db,
    get_user,
    make_expert,
    make_slot,
    make_user,
    survey_invitations,
    survey_token,
)

PEOPLE = 4


def four_posts(base: str, path: str, fields) -> list:  # type: ignore[no-untyped-def]
    """Four clients, each with the form open (its own CSRF token), ready to send `fields(n)`."""
    prepared = []
    for number in range(PEOPLE):
        opener = browser_like_client()
        token = opener_csrf_token(opener, f"{base}{path}")
        form = urllib.parse.urlencode({"csrf_token": token, **fields(number)}).encode()
        prepared.append((opener, urllib.request.Request(f"{base}{path}", data=form)))
    return prepared


def test_four_parallel_accepts_of_one_invitation_make_one_expert(app, live_server):
    coordinator = get_user(app, make_user(app, role=Role.COORDINATOR))
    with app.app_context():
        _invitation, token = accounts.create_invitation(
            db.session.get(User, coordinator.id), "Hebamme Aylin", None, "de", 14
        )
        db.session.commit()
    password = "Kirschbaum-Laterne-7"
    statuses = race(
        four_posts(
            live_server,
            f"/invitation/{token}",
            lambda n: {"username": f"aylin{n}", "password": password, "password_confirm": password},
        )
    )
    assert sorted(statuses) == [303, 410, 410, 410]
    with app.app_context():
        experts = db.session.scalars(select(User).where(User.role == Role.EXPERT)).all()
        assert len(experts) == 1
    again = urllib.request.Request(f"{live_server}/invitation/{token}")
    assert race([(browser_like_client(), again)]) == [410]


def test_four_parallel_uses_of_one_reset_link_set_one_password(app, live_server):
    username = make_user(app, username="lena", email="lena@example.org")
    with app.app_context():
        token = accounts.create_reset_token(db.session.get(User, get_user(app, username).id), 2)
        db.session.commit()
    passwords = [f"Kirschbaum-Laterne-{n}7" for n in range(PEOPLE)]
    statuses = race(
        four_posts(
            live_server,
            f"/password/reset/{token}",
            lambda n: {"new_password": passwords[n], "new_password_confirm": passwords[n]},
        )
    )
    assert sorted(statuses) == [303, 410, 410, 410]
    with app.app_context():
        stored = db.session.scalars(select(User).where(User.username == "lena")).one().password_hash
    assert [check_password_hash(stored, p) for p in passwords].count(True) == 1


def test_four_parallel_answers_through_one_survey_link_store_one(app, live_server):
    (invitation_id,) = survey_invitations(app, 1)
    token = survey_token(app, invitation_id)
    answers = {
        "satisfaction": "5",
        "language_ok": "4",
        "knows_help": "4",
        "booking_easy": "5",
        "recommend": "",
    }
    statuses = race(four_posts(live_server, f"/survey/{token}", lambda n: answers))
    assert sorted(statuses) == [200, 410, 410, 410]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PooledAnswer)) == 1


def test_four_parallel_takes_of_one_held_seat_confirm_it_once(app, live_server):
    slot_id = make_slot(app, make_expert(app), capacity=1)
    _id, ayla = book_in_db(app, slot_id, name="Ayla", phone="+4917600000001")
    with app.app_context():
        contact = seats.Contact(name="Ioana", locale="ro", privacy_version="t", phone="+4917611112222")
        waitlist.join(contact, waitlist.Wish(None, None, None, 4), clock.today())
        db.session.commit()
    canceller = app.test_client()
    submit(canceller, f"/booking/{ayla}/cancel", page=f"/booking/{ayla}")
    with app.app_context():
        hold = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).one()
        # The held seat's link, as the offer message would carry it: a fresh token for the test.
        token = "held-seat-token-for-the-race"
        hold.manage_token_hash = seats.hash_token(token)
        hold_id = hold.id
        db.session.commit()
    prepared = []
    for _n in range(PEOPLE):
        opener = browser_like_client()
        csrf = opener_csrf_token(opener, f"{live_server}/booking/{token}")
        form = urllib.parse.urlencode({"csrf_token": csrf}).encode()
        prepared.append((opener, urllib.request.Request(f"{live_server}/booking/{token}/take", data=form)))
    statuses = race(prepared)
    assert statuses == [303] * PEOPLE and not [s for s in statuses if s >= 500]
    with app.app_context():
        booking = db.session.get(Booking, hold_id)
        assert booking.status == BookingStatus.CONFIRMED
        confirmations = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient == "+4917611112222",
                OutboxMessage.template == "consultations/booking_confirmed",
            )
        ).all()
        assert len(confirmations) == 1  # one confirmation (and one reminder), not four


def test_four_parallel_cancels_of_one_booking_free_its_seat_once(app, live_server):
    slot_id = make_slot(app, make_expert(app), starts_in=timedelta(days=3), capacity=2)
    _id, ayla = book_in_db(app, slot_id, name="Ayla", email="ayla@example.org", phone=None)
    book_in_db(app, slot_id, name="Bea", phone="+4917600000002")
    prepared = []
    for _n in range(PEOPLE):
        opener = browser_like_client()
        csrf = opener_csrf_token(opener, f"{live_server}/booking/{ayla}")
        form = urllib.parse.urlencode({"csrf_token": csrf}).encode()
        prepared.append((opener, urllib.request.Request(f"{live_server}/booking/{ayla}/cancel", data=form)))
    statuses = race(prepared)
    assert statuses == [303] * PEOPLE  # each is sent back to the booking page, none gets a 500
    with app.app_context():
        assert db.session.get(Slot, slot_id).booked_count == 1  # Bea's seat; Ayla's was freed once
        told = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "consultations/booking_cancelled")
        ).all()
        assert len(told) == 1
