""""I am worried / I need advice": who may read a concern, the office's answer, the mentor being told,
and the median time to the first answer (suppressed below 5 threads)."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from mentoring.accounts import services as accounts
from mentoring.audit import AuditEntry
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import concerns, vetting
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import Concern, ConcernStatus, MentorProfile
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import activate_mentor, active_match, make_expert, make_mentor, mentoring_cast

WORRY = "Die Mutter weint oft und das Baby wirkt ungepflegt."


def ayse_and_zeynep(app):
    """ayse mentors lena2 and mia, zeynep mentors ali; returns (ayse's, ayse's second, zeynep's) match ids."""
    mentoring_cast(app)
    ayse = activate_mentor(app, "ayse")
    with app.app_context():
        db.session.get(MentorProfile, ayse).capacity = 3
        db.session.commit()
    zeynep = make_mentor(app, username="zeynep")
    return active_match(app, ayse, parent="lena2"), active_match(app, ayse, parent="mia"), active_match(
        app, zeynep, parent="ali"
    )


def profile_of(username: str) -> MentorProfile:
    return vetting.mentor_profile_of(accounts.find_user_by_username(username))


def test_a_concern_is_read_only_by_its_mentor_and_the_office(app):
    mine, _second, theirs = ayse_and_zeynep(app)
    with app.app_context():
        ayse, zeynep = profile_of("ayse"), profile_of("zeynep")
        concern = concerns.raise_concern(ayse, mine, WORRY)
        with pytest.raises(MentoringError, match="gone"):  # not her family
            concerns.raise_concern(ayse, theirs, WORRY)
        with pytest.raises(MentoringError, match="concern_text"):
            concerns.raise_concern(ayse, mine, "   ")
        db.session.commit()
        assert concerns.own_concern(zeynep, concern.id) is None
        with pytest.raises(MentoringError, match="gone"):
            concerns.mentor_writes(zeynep, concern.id, "Ich lese mit")
        assert [m.body for m in concerns.thread(concern)] == [WORRY]
        assert [c.id for c in concerns.open_concerns()] == [concern.id]


def test_the_office_answers_the_mentor_hears_without_content_and_writing_again_reopens(app):
    mine, _second, _theirs = ayse_and_zeynep(app)
    with app.app_context():
        ayse = profile_of("ayse")
        concern = concerns.raise_concern(ayse, mine, WORRY)
        db.session.commit()
        office = accounts.find_user_by_username("office")
        concerns.office_answers(office, concern.id, "Bitte rufen Sie uns morgen an, Frau Demir.")
        db.session.commit()
        told = db.session.scalars(select(OutboxMessage)).all()[-1]
        assert told.recipient == "ayse@example.org" and told.locale == "tr"
        everything = told.subject + told.body_text + (told.body_html or "")
        assert f"/mentor/concerns/{concern.id}" in told.body_text
        assert not {"Demir", "rufen", "weint", "lena2"} & set(everything.replace(",", " ").split())
        assert concern.first_answer_at is not None
        concerns.close(concern.id)
        db.session.commit()
        assert concerns.open_concerns() == []
        with pytest.raises(MentoringError, match="gone"):  # closing twice
            concerns.close(concern.id)
        concerns.mentor_writes(ayse, concern.id, "Es ist wieder schlimmer.")
        db.session.commit()
        assert db.session.get(Concern, concern.id).status == ConcernStatus.OPEN


def test_open_concerns_are_listed_oldest_first(app):
    mine, second, _theirs = ayse_and_zeynep(app)
    with app.app_context():
        ayse = profile_of("ayse")
        newer = concerns.raise_concern(ayse, mine, WORRY)
        older = concerns.raise_concern(ayse, second, WORRY, now=utcnow() - timedelta(days=3))
        db.session.commit()
        assert [c.id for c in concerns.open_concerns()] == [older.id, newer.id]


def test_the_median_time_to_the_first_answer(app):
    mine, _second, _theirs = ayse_and_zeynep(app)
    with app.app_context():
        ayse = profile_of("ayse")
        office = accounts.find_user_by_username("office")
        start = utcnow() - timedelta(days=10)
        for hours in (1, 2, 30, 4, 5):
            concern = concerns.raise_concern(ayse, mine, WORRY, now=start)
            concerns.office_answers(office, concern.id, "Antwort", now=start + timedelta(hours=hours))
            concerns.office_answers(office, concern.id, "Noch eine", now=start + timedelta(hours=99))
        concerns.raise_concern(ayse, mine, WORRY)  # not answered yet: not counted
        db.session.commit()
        assert concerns.median_first_answer_hours() == (5, 4.0)


def test_the_pages_404_for_others_and_every_look_of_the_office_is_audited(app):
    mine, _second, theirs = ayse_and_zeynep(app)
    make_expert(app, username="sabine")
    ayse = log_in(app, "ayse")
    family = ayse.get(f"/mentor/families/{mine}")
    assert f'href="/mentor/families/{mine}/concern"' in family.text  # one tap from the family page
    form = ayse.get(f"/mentor/families/{mine}/concern?lang=en")
    assert "Jugendamt" in form.text and "protect the child" in form.text
    sent = submit(ayse, f"/mentor/families/{mine}/concern", {"body": WORRY})
    assert sent.status_code == 303
    thread = sent.location
    assert WORRY in ayse.get(thread).text
    assert ayse.get(f"/mentor/families/{theirs}/concern").status_code == 404  # not her family
    for other in ("zeynep", "lena2", "sabine"):
        assert log_in(app, other).get(thread).status_code in {403, 404}, other
    concern_id = int(thread.rsplit("/", 1)[1])
    assert log_in(app, "zeynep").get(f"/coordinator/concerns/{concern_id}").status_code == 403
    # Zeynep's page of her own family says nothing of ayse's worry.
    assert WORRY not in log_in(app, "zeynep").get(f"/mentor/families/{theirs}").text
    office = log_in(app, "office")
    listing = office.get("/coordinator/concerns")
    assert f"/coordinator/concerns/{concern_id}" in listing.text
    assert WORRY in office.get(f"/coordinator/concerns/{concern_id}").text
    answered = submit(office, f"/coordinator/concerns/{concern_id}", {"body": "Wir rufen Sie heute an."})
    assert answered.status_code == 303
    assert "Wir rufen Sie heute an." in ayse.get(thread).text
    assert submit(office, f"/coordinator/concerns/{concern_id}/close", {}).status_code == 303
    assert f"/coordinator/concerns/{concern_id}" not in office.get("/coordinator/concerns").text
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("concerns_viewed") == 2
    assert "concern_viewed" in actions and "concern_answered" in actions and "concern_closed" in actions


def test_the_office_list_shows_how_long_a_thread_waits(app):
    mine, _second, _theirs = ayse_and_zeynep(app)
    submit(log_in(app, "ayse"), f"/mentor/families/{mine}/concern", {"body": WORRY})
    with time_machine.travel(utcnow() + timedelta(days=3, hours=1)):
        page = log_in(app, "office").get("/coordinator/concerns")
    assert "3 days" in page.text or "3 Tage" in page.text


def test_the_dashboard_shows_the_median_only_from_five_answered_threads(app):
    mine, _second, _theirs = ayse_and_zeynep(app)
    with app.app_context():
        ayse, office = profile_of("ayse"), accounts.find_user_by_username("office")
        start = utcnow() - timedelta(days=10)
        for hours in (2, 3, 6, 8):
            concern = concerns.raise_concern(ayse, mine, WORRY, now=start)
            concerns.office_answers(office, concern.id, "Antwort", now=start + timedelta(hours=hours))
        db.session.commit()
    dashboard = log_in(app, "office")
    hidden = dashboard.get("/coordinator/dashboard?lang=en").text
    assert "shown from 5 answered concerns on" in hidden and "6 hours" not in hidden
    with app.app_context():
        concern = concerns.raise_concern(profile_of("ayse"), mine, WORRY, now=start)
        concerns.office_answers(
            accounts.find_user_by_username("office"), concern.id, "Antwort", now=start + timedelta(hours=7)
        )
        db.session.commit()
    shown = dashboard.get("/coordinator/dashboard?lang=en").text
    assert "first answer: 6 hours." in shown


def test_the_office_list_takes_the_same_statements_however_many_mentors_wrote(app, count_queries):
    mine, second, theirs = ayse_and_zeynep(app)
    office = log_in(app, "office")
    with app.app_context():
        concerns.raise_concern(profile_of("ayse"), mine, WORRY)
        db.session.commit()
    office.get("/coordinator/concerns")  # warm: the session's own writes are behind us
    with count_queries() as one:
        assert office.get("/coordinator/concerns").status_code == 200
    with app.app_context():
        concerns.raise_concern(profile_of("ayse"), second, WORRY)
        concerns.raise_concern(profile_of("zeynep"), theirs, WORRY)
        db.session.commit()
    office.get("/coordinator/concerns")
    with count_queries() as three:
        page = office.get("/coordinator/concerns")
    assert page.text.count("/coordinator/concerns/") == 3
    assert len(three.statements) == len(one.statements)
