"""Two gunicorn instances on different ports share the database and Redis: the booking race and the
mentor-capacity race hold across them."""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from sqlalchemy import select

from mentoring.consultations.models import SEAT_HOLDING, Booking, Slot
from mentoring.extensions import db
from mentoring.mentorships import services as mentoring
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile
from tests.conftest import browser_like_client, log_in_over_http, opener_csrf_token, race
from tests.factories import TURKISH_FAMILY, make_expert, make_mentor, make_slot, make_user
from tests.reliability.conftest import gunicorn, shared_prefix


def booking_request(base: str, slot_id: int, number: int):  # type: ignore[no-untyped-def]
    body = {
        "slot_id": slot_id,
        "name": f"F{number}",
        "phone": f"+4917677{number:05d}",
        "language": "de",
        "consent": True,
    }
    return browser_like_client(), urllib.request.Request(
        f"{base}/api/v1/bookings",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def test_the_booking_race_holds_across_two_instances(app, database_url, tmp_path):
    single = make_slot(app, make_expert(app), capacity=1)
    triple = make_slot(app, make_expert(app, username="olena"), capacity=3)
    prefix = shared_prefix()
    with (
        gunicorn(database_url, tmp_path, prefix) as first,
        gunicorn(database_url, tmp_path, prefix) as second,
    ):
        requests = [
            booking_request((first, second)[n % 2], (single, triple)[(n // 2) % 2], n) for n in range(40)
        ]
        statuses = race(requests)
    assert len(statuses) == 40 and not [s for s in statuses if s >= 500]
    assert Counter(statuses)[201] == 4
    with app.app_context():
        for slot_id, capacity in ((single, 1), (triple, 3)):
            holders = db.session.scalars(
                select(Booking).where(Booking.slot_id == slot_id, Booking.status.in_(SEAT_HOLDING))
            ).all()
            assert len(holders) == capacity == db.session.get(Slot, slot_id).booked_count


def test_a_mentor_with_one_place_accepts_two_families_at_once_on_two_instances(app, database_url, tmp_path):
    mentor_id = make_mentor(app, capacity=1)
    match_ids = []
    for name in ("lena", "ali"):
        make_user(app, username=name)
        with app.app_context():
            from mentoring.accounts import services as accounts

            parent = accounts.find_user_by_username(name)
            match_ids.append(
                mentoring.request_mentor(parent, mentor_id, TURKISH_FAMILY, mentoring.Asking(), 5).id
            )
            db.session.commit()
    prefix = shared_prefix()
    with (
        gunicorn(database_url, tmp_path, prefix) as first,
        gunicorn(database_url, tmp_path, prefix) as second,
    ):
        requests = []
        for base, match_id in zip((first, second), match_ids, strict=True):
            opener = log_in_over_http(base, "ayse")
            token = opener_csrf_token(opener, f"{base}/mentor/requests")
            form = urllib.parse.urlencode({"csrf_token": token}).encode()
            requests.append(
                (opener, urllib.request.Request(f"{base}/mentor/requests/{match_id}/accept", data=form))
            )
        statuses = race(requests)
    assert statuses == [303, 303]  # both answered with a page; one says "no free place"
    with app.app_context():
        states = sorted(db.session.get(MentoringMatch, m).status for m in match_ids)
        assert states == [MatchStatus.ACTIVE, MatchStatus.REQUESTED]
        assert db.session.get(MentorProfile, mentor_id).active_count == 1
