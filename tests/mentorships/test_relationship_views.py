"""Pages of the relationship: who may see and change what, and mentor meeting times for own families only."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mentoring.accounts import services as accounts
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, Slot
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentorAway, MentorContact, MentoringMatch
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import PARENT, activate_mentor, active_match, make_mentor, mentoring_cast


def new_messages(app, after: int) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > after)).all()


def last_message_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(OutboxMessage.id))) or 0


def two_mentorings(app):
    """ayse mentors lena, zeynep mentors ali; returns (ayse's match id, zeynep's match id)."""
    mentoring_cast(app)
    ayse_id = activate_mentor(app, "ayse")
    zeynep_id = make_mentor(app, username="zeynep")
    return active_match(app, ayse_id, parent="lena2", shares=("phone",)), active_match(
        app, zeynep_id, parent="ali"
    )


def test_a_mentor_logs_contacts_only_for_own_families_and_the_office_sees_counts_not_notes(app, today):
    tomorrow = today + timedelta(days=1)
    mine, theirs = two_mentorings(app)
    mentor = log_in(app, "ayse")
    assert "0176 1234567" in mentor.get(f"/mentor/families/{mine}").text  # the family shared the phone
    assert mentor.get(f"/mentor/families/{theirs}").status_code == 404
    assert (
        submit(
            mentor, f"/mentor/families/{theirs}", {"on": tomorrow.isoformat()}, page="/mentor/requests"
        ).status_code
        == 404
    )
    future = {"on": tomorrow.isoformat(), "mode": "phone", "minutes": "30", "note": "Private"}
    refused = submit(mentor, f"/mentor/families/{mine}", future)
    assert refused.status_code == 422 and 'href="#on"' in refused.text
    sent = submit(
        mentor,
        f"/mentor/families/{mine}",
        future | {"on": today.isoformat(), "topics": ["sleep"], "confirmed": "yes"},  # after the summary
    )
    assert sent.status_code == 303
    assert "Private" in mentor.get(f"/mentor/families/{mine}").text
    office = log_in(app, "office").get("/coordinator/mentorings")
    assert office.status_code == 200 and "Private" not in office.text
    assert re.search(r"<td>1</td>", office.text)  # one contact counted
    with app.app_context():
        assert db.session.scalars(select(MentorContact)).one().minutes == 30


def test_ending_is_possible_for_the_family_the_mentor_and_the_office_but_not_for_others(app):
    mine, theirs = two_mentorings(app)
    assert (
        submit(
            log_in(app, "ayse"),
            f"/mentor/families/{theirs}/end",
            {"reason": "no_time"},
            page="/mentor/requests",
        ).status_code
        == 404
    )
    assert (
        submit(
            log_in(app, "lena2"), f"/mentoring/{theirs}/end", {"reason": "other"}, page="/mentoring"
        ).status_code
        == 404
    )
    assert (
        submit(
            log_in(app, "lena2"), f"/mentoring/{mine}/end", {"reason": "bogus"}, page="/mentoring"
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(MentoringMatch, mine).status == MatchStatus.ACTIVE  # bad reason changed nothing
    before = last_message_id(app)
    assert (
        submit(
            log_in(app, "lena2"), f"/mentoring/{mine}/end", {"reason": "goals_met"}, page="/mentoring"
        ).status_code
        == 303
    )
    assert (
        submit(
            log_in(app, "office"), f"/coordinator/mentorings/{theirs}/end", {"reason": "moved_away"}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(MentoringMatch, mine).status == MatchStatus.COMPLETED
        assert db.session.get(MentoringMatch, theirs).status == MatchStatus.ENDED
        messages = new_messages(app, before)
        told = {m.recipient for m in messages if "/mentoring/become-mentor" not in m.body_text}
        assert told == {"ayse@example.org", "ali@example.org"}  # the side that did not end it hears
        # The family whose mentoring was completed is asked, once, to become a mentor parent.
        invited = [m.recipient for m in messages if "/mentoring/become-mentor" in m.body_text]
        assert invited == ["lena2@example.org"]


def test_meeting_times_are_bookable_only_by_the_mentors_own_families(app, today):
    two_mentorings(app)
    mentor = log_in(app, "ayse")
    day = today + timedelta(days=3)
    form = {"day": day.isoformat(), "start_time": "17:00", "minutes": "60", "mode": "phone"}
    assert submit(mentor, "/mentor/meetings", form).status_code == 303
    assert submit(mentor, "/mentor/meetings", form).status_code == 422  # the same start twice
    with app.app_context():
        slot = db.session.scalars(select(Slot)).one()
        assert slot.host_mentor_id is not None
    # Not in the public list, not for another family, not for anyone without an account, not via the API.
    assert f"/consultations/slots/{slot.id}/book" not in app.test_client().get("/consultations").text
    assert log_in(app, "ali").get(f"/consultations/slots/{slot.id}/book").status_code == 404
    assert app.test_client().get(f"/consultations/slots/{slot.id}/book").status_code == 404
    assert str(slot.id) not in app.test_client().get("/api/v1/slots").text
    # The family sees the time on their page and books it with the usual form.
    family = log_in(app, "lena2")
    assert f"/consultations/slots/{slot.id}/book" in family.get("/mentoring").text
    before = last_message_id(app)
    booked = submit(family, f"/consultations/slots/{slot.id}/book", PARENT | {"email": "lena2@example.org"})
    assert booked.status_code == 303 and "/booking/" in booked.location
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.slot_id == slot.id
    # Confirmation and reminder for the family, the new-booking note for the mentor, like any booking.
    recipients = sorted(m.recipient for m in new_messages(app, before))
    assert recipients == ["ayse@example.org", "lena2@example.org", "lena2@example.org"]
    assert "Ayla" in mentor.get("/mentor/meetings").text  # the mentor sees who booked


def test_a_coordinator_enters_a_family_and_assigns_a_mentor_directly(app):
    mentoring_cast(app)
    mentor_id = activate_mentor(app, "ayse")
    office = log_in(app, "office")
    bad = submit(
        office,
        "/coordinator/families/new",
        {"name": "Familie Demir", "languages": ["tr"], "locale": "tr", "referral": "kita"},
    )
    assert bad.status_code == 422 and 'href="#phone"' in bad.text  # no way to reach them
    data = {
        "name": "Familie Demir",
        "phone": "0176 7777777",
        "locale": "tr",
        "referral": "kita",
        "languages": ["tr"],
        "district": "mitte-styrum",
    }
    assert submit(office, "/coordinator/families/new", data).status_code == 303
    page = office.get("/coordinator/matching")
    assert "Familie Demir" in page.text
    with app.app_context():
        match = db.session.scalars(select(MentoringMatch)).one()
        assert match.referral_source == "kita"
    assert (
        submit(office, f"/coordinator/matching/{match.id}/assign", {"mentor_id": "99999"}).status_code == 303
    )
    with app.app_context():
        assert (
            db.session.get(MentoringMatch, match.id).status == MatchStatus.WAITING
        )  # unknown mentor refused
    assert (
        submit(office, f"/coordinator/matching/{match.id}/assign", {"mentor_id": str(mentor_id)}).status_code
        == 303
    )
    with app.app_context():
        match = db.session.get(MentoringMatch, match.id)
        assert match.status == MatchStatus.ACTIVE and match.mentor_id == mentor_id
        sms = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "+491767777777")
        ).one()
        assert sms.locale == "tr"


def test_a_mentor_away_gets_no_requests_and_bad_dates_are_explained(app, today):
    tomorrow = today + timedelta(days=1)
    mentoring_cast(app)
    activate_mentor(app, "ayse")
    mentor = log_in(app, "ayse")
    bad = submit(mentor, "/mentor/away", {"first_day": tomorrow.isoformat(), "last_day": today.isoformat()})
    assert bad.status_code == 422 and 'href="#last_day"' in bad.text
    week = tomorrow + timedelta(days=6)
    assert (
        submit(
            mentor, "/mentor/away", {"first_day": today.isoformat(), "last_day": week.isoformat()}
        ).status_code
        == 303
    )
    assert "ayse" not in log_in(app, "lena").get("/mentoring?languages=tr").text
    with app.app_context():
        away = db.session.scalars(select(MentorAway)).one()
    assert submit(mentor, f"/mentor/away/{away.id}/delete", page="/mentor/away").status_code == 303
    assert "ayse" in log_in(app, "lena").get("/mentoring?languages=tr").text


def test_only_a_mentor_can_remove_their_own_absence(app, today):
    mentoring_cast(app)
    zeynep = make_mentor(app, username="zeynep")
    with app.app_context():
        db.session.add(MentorAway(mentor_id=zeynep, first_day=today, last_day=today + timedelta(days=1)))
        db.session.commit()
        away_id = db.session.scalars(select(MentorAway)).one().id
    submit(log_in(app, "ayse"), f"/mentor/away/{away_id}/delete", page="/mentor/away")
    with app.app_context():
        assert db.session.get(MentorAway, away_id) is not None


def test_the_daily_chores_remind_the_office_and_ask_the_trial_question(app, runner):
    mentoring_cast(app)
    with app.app_context():
        office = accounts.find_user_by_username("office")
        office.email = "office@example.org"
        db.session.commit()
    match_id = active_match(app, activate_mentor(app, "ayse"), parent="lena3")
    before = last_message_id(app)
    with time_machine.travel(utcnow() + timedelta(weeks=4, days=1), tick=False):
        result = runner.invoke(args=["mentoring", "daily"])
    assert "1 trial reviews asked" in result.output and "1 coordinators reminded" in result.output
    with app.app_context():
        office_mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "office@example.org")
        ).one()
        assert "lena3" in office_mail.body_text  # 28 days without a logged contact
    assert {m.recipient for m in new_messages(app, before)} == {"office@example.org", "lena3@example.org"}
    with time_machine.travel(utcnow() + timedelta(weeks=4, days=1), tick=False):
        family = log_in(app, "lena3")  # four weeks later: a session lasts 12 hours at most
        page = family.get("/mentoring")
        assert 'name="fits"' in page.text
        assert (
            submit(family, f"/mentoring/{match_id}/trial", {"fits": "no"}, page="/mentoring").status_code
            == 303
        )
        assert 'name="languages"' in family.get("/mentoring").text  # can ask again
    with app.app_context():
        assert db.session.get(MentoringMatch, match_id).status == MatchStatus.ENDED
