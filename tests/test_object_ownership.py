"""Every route that takes an id or a token: a user of another family, mentor or expert gets 403 or
404, never the object; a forged token opens nothing. New routes with an id must be added here."""

import pytest

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.extensions import db
from tests.conftest import log_in, submit
from tests.factories import make_expert, make_user

# (intruder, method, path, form data): the objects belong to sabine, thementor and thementee.
NOT_YOURS = [
    ("othermentor", "POST", "/mentor/requests/{match}/accept", {}),
    ("othermentor", "POST", "/mentor/requests/{match}/decline", {"reason": "no_time"}),
    ("othermentor", "GET", "/mentor/families/{match}", None),
    (
        "othermentor",
        "POST",
        "/mentor/families/{match}",
        {"on": "2026-01-01", "mode": "phone", "minutes": "5"},
    ),
    ("othermentor", "POST", "/mentor/families/{match}/end", {"reason": "other"}),
    ("othermentor", "POST", "/mentor/away/{away}/delete", {}),
    ("othermentor", "POST", "/mentor/meetings/{meeting}/withdraw", {}),
    ("othermentor", "GET", "/mentor/contacts/{contact}/edit", None),
    (
        "othermentor",
        "POST",
        "/mentor/contacts/{contact}/edit",
        {"on": "2026-01-01", "mode": "phone", "minutes": "5"},
    ),
    ("othermentor", "POST", "/mentor/contacts/{contact}/delete", {}),
    ("othermentor", "GET", "/mentor/families/{match}/concern", None),
    ("othermentor", "POST", "/mentor/families/{match}/concern", {"body": "Sorge"}),
    ("othermentor", "GET", "/mentor/concerns/{concern}", None),
    ("othermentor", "POST", "/mentor/concerns/{concern}", {"body": "Sorge"}),
    ("thementee", "GET", "/mentor/concerns/{concern}", None),
    ("sabine", "GET", "/coordinator/concerns/{concern}", None),
    ("thementor", "GET", "/coordinator/concerns/{concern}", None),
    ("thementor", "POST", "/coordinator/concerns/{concern}", {"body": "Antwort"}),
    ("thementee", "POST", "/coordinator/concerns/{concern}/close", {}),
    ("othermentor", "GET", "/mentor/groups/meetings/{group_meeting}", None),
    ("othermentor", "POST", "/mentor/groups/meetings/{group_meeting}", {"present": "1"}),
    ("theparent", "GET", "/coordinator/groups/{cohort}", None),
    ("thementor", "POST", "/coordinator/groups/{cohort}/place", {"match_id": "1"}),
    ("theparent", "POST", "/mentoring/{match}/trial", {"fits": "no"}),
    ("theparent", "POST", "/mentoring/{match}/end", {"reason": "other"}),
    ("otherexpert", "POST", "/expert/bookings/{booking}/attendance", {"attended": "yes"}),
    ("otherexpert", "GET", "/expert/bookings/{booking}/cancel", None),
    ("otherexpert", "POST", "/expert/bookings/{booking}/cancel", {"reason": "x"}),
    ("otherexpert", "GET", "/expert/bookings/{booking}/survey", None),
    ("otherexpert", "POST", "/expert/series/{series}/day-off", {"day": "2030-01-01", "reason": "x"}),
    ("otherexpert", "POST", "/expert/series/{series}/end", {"day": "2030-01-01", "reason": "x"}),
    # Coordinators' routes: every other role is refused.
    ("theparent", "POST", "/coordinator/users/{user_id}/reset-link", {"reason": "x"}),
    ("thementor", "GET", "/coordinator/users/{user_id}/reset-link", None),
    # A session is its owner's: another user signing it out gets 404 and the owner stays logged in.
    ("thementor", "POST", "/account/sessions/{user_session}/end", {}),
    ("thementor", "POST", "/coordinator/interpreters/1/arranged", {}),
    ("sabine", "POST", "/coordinator/topics/1/active", {}),
    ("thementee", "POST", "/coordinator/matching/{match}/assign", {"mentor_id": "1"}),
    ("theparent", "POST", "/coordinator/mentors/{mentor_profile}/status", {"status": "paused"}),
    ("theparent", "GET", "/coordinator/mentors/{mentor_profile}", None),
    ("thementor", "POST", "/coordinator/mentors/{mentor_profile}/message", {"text": "Hallo"}),
    ("thementor", "POST", "/coordinator/mentorings/{match}/end", {"reason": "other"}),
    ("sabine", "GET", "/coordinator/offers/{offer}", None),
    ("theparent", "POST", "/coordinator/survey-comments/{comment}", {"status": "read"}),
    ("sabine", "GET", "/coordinator/you-said-we-did/{change}", None),
    ("thementor", "POST", "/coordinator/you-said-we-did/{change}/delete", {}),
    ("theparent", "GET", "/coordinator/settings/districts/1", None),
    ("sabine", "POST", "/coordinator/settings/topics/1", {"position": "1"}),
    ("thementor", "GET", "/coordinator/settings/referrals/kita", None),
    ("thementor", "GET", "/coordinator/group-sessions/{group_session}", None),
    ("theparent", "POST", "/coordinator/group-sessions/{group_session}", {"attended": "1"}),
    ("thementor", "POST", "/coordinator/mentors/{mentor_profile}/learning", {"kind": "training"}),
    # Group sessions are only for active mentor parents: an applicant, a parent, an expert cannot.
    ("othermentor", "POST", "/mentor/group-sessions/{group_session}/book", {}),
    ("othermentor", "POST", "/mentor/group-sessions/{group_session}/cancel", {}),
    ("theparent", "POST", "/mentor/group-sessions/{group_session}/book", {}),
    ("sabine", "POST", "/mentor/group-sessions/{group_session}/book", {}),
]

# Token routes: a forged token (or reference) opens nothing.
FORGED = [
    ("GET", "/booking/forged-token-123"),
    ("GET", "/booking/forged-token-123/calendar.ics"),
    ("POST", "/booking/forged-token-123/cancel"),
    ("GET", "/booking/forged-token-123/move"),
    ("POST", "/booking/forged-token-123/take"),
    ("POST", "/booking/forged-token-123/pass"),
    ("POST", "/booking/forged-token-123/survey-consent"),
    ("GET", "/booking/forged-token-123/data.json"),
    ("GET", "/booking/forged-token-123/delete"),
    ("GET", "/waitlist/forged-token-123"),
    ("GET", "/waitlist/forged-token-123/leave"),
    ("GET", "/survey/forged-token-123"),
    ("GET", "/invitation/forged-token-123"),
    ("GET", "/password/reset/forged-token-123"),
    ("GET", "/calendar/forged-token-123.ics"),
    ("GET", "/r/ABCDEFG/coming/0123456789abcdef0123456789abcdef"),
]
# Routes whose id is not anyone's property (a mentor parent one may ask, a group one may join), or
# static files.
PUBLIC_IDS = {"static", "mentorships.send_request", "mentorships.join_group", "consultations.book", "api.cancel_booking", "offers.edit"}


@pytest.fixture
def intruders(app, world):
    make_user(app, role="mentor", username="othermentor")
    make_expert(app, username="otherexpert")
    from datetime import time, timedelta

    from mentoring.consultations import services as consultations
    from mentoring.consultations.models import ContactMode, ExpertProfile

    with app.app_context():
        sabine = db.session.get(ExpertProfile, world["expert"])
        spec = consultations.SlotSpec(mode=ContactMode.PHONE, languages=["de"], topics=[])
        first = clock.today() + timedelta(days=14)
        series, _count = consultations.create_series(
            sabine, first.weekday(), time(9), time(10), 30, first, first + timedelta(days=7), [], spec
        )
        user_session = accounts.start_session(accounts.find_user_by_username("theparent"))
        db.session.commit()
        row = accounts.find_session(user_session)
        assert row is not None
        return world | {"series": series.id, "user_session": row.id}


@pytest.mark.parametrize(("who", "method", "path", "data"), NOT_YOURS, ids=[c[2] for c in NOT_YOURS])
def test_another_users_object_is_not_found_or_forbidden(app, intruders, who, method, path, data):
    client = log_in(app, who)
    url = path.format(**intruders)
    response = client.get(url) if method == "GET" else submit(client, url, data, page="/home")
    assert response.status_code in {403, 404}, (who, url, response.status_code)


@pytest.mark.parametrize(("method", "path"), FORGED)
def test_a_forged_token_opens_nothing(app, world, method, path):
    client = app.test_client()
    response = client.get(path) if method == "GET" else submit(client, path, {}, page="/login")
    assert response.status_code in {404, 410}, (path, response.status_code)


def test_the_api_cancel_needs_the_right_token(app, world):
    from mentoring.consultations.models import Booking

    with app.app_context():
        reference = db.session.get(Booking, world["booking"]).reference
    response = app.test_client().post(f"/api/v1/bookings/{reference}/cancel", json={"token": "forged"})
    assert response.status_code == 404


def test_every_route_with_an_id_or_token_is_covered_here(app):
    import re

    adapter = app.url_map.bind("localhost")
    paths = [(method, re.sub(r"\{\w+\}", "1", path)) for _w, method, path, _d in NOT_YOURS]
    paths += FORGED
    covered = {adapter.match(path, method=method)[0] for method, path in paths}
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint not in PUBLIC_IDS and rule.endpoint not in covered
    ]
    assert missing == []
