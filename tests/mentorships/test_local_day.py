"""A mentor's 'today' is Oberhausen's day at every hour: just after midnight, just before it, in winter
and summer, on the nights the clocks change and on New Year's night."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.mentorships.models import MentorContact, MentoringMatch
from tests.conftest import log_in, night_params, submit
from tests.factories import activate_mentor, mentoring_cast
from tests.mentorships.test_relationship_views import two_mentorings
from tests.mentorships.test_views import NEED

pytestmark = pytest.mark.clock


@pytest.mark.parametrize(
    "pinned_clock",
    night_params(),
    indirect=True,
)
def test_a_mentor_logs_a_contact_dated_today_at_any_hour_but_not_one_dated_tomorrow(app, pinned_clock, today):
    mine, _theirs = two_mentorings(app)
    mentor = log_in(app, "ayse")
    assert f'value="{today.isoformat()}"' in mentor.get(f"/mentor/families/{mine}").text  # today suggested
    call = {
        "mode": "phone",
        "minutes": "20",
        "topics": ["sleep"],
        "note": "Kurz nach Mitternacht telefoniert",
    }
    tomorrow = submit(
        mentor, f"/mentor/families/{mine}", call | {"on": (today + timedelta(days=1)).isoformat()}
    )
    assert tomorrow.status_code == 422 and 'href="#on"' in tomorrow.text
    # After the "Save this contact?" summary the mentor saves it.
    logged = submit(mentor, f"/mentor/families/{mine}", call | {"on": today.isoformat(), "confirmed": "yes"})
    assert logged.status_code == 303, logged.text
    assert "Kurz nach Mitternacht telefoniert" in mentor.get(f"/mentor/families/{mine}").text
    with app.app_context():
        assert db.session.scalars(select(MentorContact.on)).one() == today


@pytest.mark.parametrize(
    "pinned_clock",
    night_params(),
    indirect=True,
)
def test_a_mentor_away_from_today_is_neither_suggested_nor_asked_at_any_hour(app, pinned_clock, today):
    mentoring_cast(app)
    ayse = activate_mentor(app, "ayse")
    family = log_in(app, "lena")
    assert "ayse" in family.get(NEED).text  # the page the family opened last night
    mentor = log_in(app, "ayse")
    away = {"first_day": today.isoformat(), "last_day": today.isoformat()}
    assert submit(mentor, "/mentor/away", away).status_code == 303  # a last day of today is not in the past
    assert (
        submit(
            mentor, "/mentor/away", away | {"last_day": (today - timedelta(days=1)).isoformat()}
        ).status_code
        == 422
    )
    assert "ayse" not in family.get(NEED).text
    submit(family, f"/mentoring/request/{ayse}?{NEED.split('?')[1]}", {"shares": ["phone"]}, page="/home")
    with app.app_context():
        assert db.session.scalars(select(MentoringMatch)).all() == []
