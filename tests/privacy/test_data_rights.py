"""See, download and delete one's data; retention; the audit log of the programme office."""

import json
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mentoring.accounts import services as accounts
from mentoring.accounts.models import PasswordResetToken
from mentoring.audit import AuditEntry
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, Slot, WaitlistEntry
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentorContact, MentoringMatch, MentorProfile
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.surveys.models import SurveyInvitation
from mentoring.surveys.services import source_hash
from tests.conftest import log_in, submit
from tests.factories import (
    DEMO_PASSWORD,
    active_match,
    book_in_db,
    contact_entry,
    make_expert,
    make_mentor,
    make_slot,
    make_user,
)


def parent_with_everything(app):
    """lena has a mentor (with a logged contact) and a booking still to come, made with her account."""
    mentor = make_mentor(app)
    match_id = active_match(app, mentor, parent="lena", shares=("phone",))
    with app.app_context():
        from mentoring.mentorships import relationship

        relationship.log_contact(
            db.session.get(MentorProfile, mentor), match_id, contact_entry(note="Sorgen wegen Schlaf")
        )
        user_id = accounts.find_user_by_username("lena").id
        db.session.commit()
    slot = make_slot(app, make_expert(app, username="sabine"), starts_in=timedelta(days=4))
    booking_id, token = book_in_db(
        app, slot, name="Lena K.", email="lena@example.org", phone=None, user_id=user_id
    )
    return mentor, match_id, slot, booking_id, token


def test_a_parent_sees_and_downloads_everything_stored_about_them(app):
    parent_with_everything(app)
    client = log_in(app, "lena")
    page = client.get("/account/data")
    assert page.status_code == 200 and "lena@example.org" in page.text
    download = client.get("/account/data.json")
    assert download.mimetype == "application/json" and "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.data)
    assert data["account"]["email"] == "lena@example.org"
    assert [b["name"] for b in data["bookings"]] == ["Lena K."]
    assert data["mentoring"][0]["status"] == "active" and data["mentoring"][0]["shared_with_mentor"] == [
        "phone"
    ]
    assert app.test_client().get("/account/data.json").status_code in {302, 303}  # not without logging in


def test_deleting_the_account_keeps_only_anonymous_numbers(app):
    mentor, match_id, slot, booking_id, _token = parent_with_everything(app)
    client = log_in(app, "lena")
    wrong = submit(
        client, "/account/delete", {"password": "not-it-1", "understood": "y"}, page="/account/data"
    )
    assert wrong.status_code == 422 and 'href="#password"' in wrong.text
    done = submit(
        client, "/account/delete", {"password": DEMO_PASSWORD, "understood": "y"}, page="/account/data"
    )
    assert done.status_code == 303
    assert client.get("/home").status_code in {302, 303}  # logged out
    assert (
        submit(app.test_client(), "/login", {"username": "lena", "password": DEMO_PASSWORD}).status_code
        == 422
    )
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == BookingStatus.CANCELLED_BY_PARENT and booking.anonymised_at is not None
        assert (booking.name, booking.email, booking.phone, booking.user_id) == ("", None, None, None)
        assert booking.contact_key.startswith("anon:") and "lena" not in booking.contact_key
        assert db.session.get(Slot, slot).booked_count == 0  # the seat is free again
        match = db.session.get(MentoringMatch, match_id)
        assert match.status == MatchStatus.ENDED and match.district == "mitte-styrum"  # kept for statistics
        assert db.session.get(MentorProfile, mentor).active_count == 0
        assert db.session.scalars(select(MentorContact)).one().note == ""
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1  # counted, not deleted


def test_after_deleting_the_account_no_queued_message_or_survey_link_still_names_the_parent(app):
    """The attack: read every outbox row and survey invitation written by the deletion itself."""
    _mentor, match_id, _slot, _booking_id, _token = parent_with_everything(app)
    with app.app_context():
        lena = accounts.find_user_by_username("lena")
        lena.display_name, lena.survey_consent = "Lena Kowalski", True
        accounts.find_user_by_username("ayse").email = "ayse@example.org"
        accounts.find_user_by_username("sabine").email = "sabine@example.org"
        before = set(db.session.scalars(select(OutboxMessage.id)))
        db.session.commit()
    client = log_in(app, "lena")
    done = submit(
        client, "/account/delete", {"password": DEMO_PASSWORD, "understood": "y"}, page="/account/data"
    )
    assert done.status_code == 303
    with app.app_context():
        written = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(before))).all()
        assert written  # the mentor and the expert are told that the family left
        for message in written:
            text = f"{message.recipient} {message.subject} {message.body_text} {message.body_html or ''}"
            assert "Lena" not in text and "lena" not in text and "1234567" not in text, text
        invited = db.session.scalars(
            select(SurveyInvitation).where(
                SurveyInvitation.source_hash.in_(
                    [source_hash(f"match:{match_id}:{moment}") for moment in ("3m", "end")]
                )
            )
        ).all()
        assert invited == []  # an account being deleted is never asked for the survey


def test_without_an_account_the_booking_link_downloads_and_deletes(app):
    slot = make_slot(app, make_expert(app), starts_in=timedelta(days=2))
    booking_id, token = book_in_db(app, slot, name="Ayla", phone="+4917612345678")
    _other, other_token = book_in_db(
        app, make_slot(app, make_expert(app, username="olena")), name="Other", phone="+4917600000009"
    )
    client = app.test_client()
    data = json.loads(client.get(f"/booking/{token}/data.json").data)
    assert data["name"] == "Ayla" and data["phone"] == "+4917612345678" and "Other" not in json.dumps(data)
    assert client.get("/booking/not-a-token/data.json").status_code == 404
    assert client.get(f"/booking/{token}/delete").status_code == 200
    with app.app_context():
        assert db.session.get(Booking, booking_id).name == "Ayla"  # opening the page deletes nothing
    assert submit(client, f"/booking/{token}/delete").status_code == 200
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert (booking.name, booking.phone, booking.anonymised_at is not None) == ("", None, True)
        assert db.session.get(Slot, slot).booked_count == 0
        assert db.session.scalars(select(Booking).where(Booking.name == "Other")).one()  # the other stays
    assert other_token


def test_retention_purge_anonymises_and_deletes_what_is_old(app, runner):
    old_slot = make_slot(app, make_expert(app), starts_in=timedelta(days=1))
    old_id, _t = book_in_db(app, old_slot, name="Ayla", phone="+4917612345678")
    new_id, _t2 = book_in_db(
        app,
        make_slot(app, make_expert(app, username="olena"), starts_in=timedelta(days=50)),
        name="Berna",
        phone="+4917600000002",
    )
    make_user(app, username="lena")
    with app.app_context():
        accounts.create_reset_token(accounts.find_user_by_username("lena"), 2)
        db.session.add(AuditEntry(actor="office", action="users_viewed", at=utcnow()))
        db.session.commit()
    mentor = make_mentor(app)
    match_id = active_match(app, mentor, parent="ali")
    with app.app_context():
        from mentoring.mentorships import relationship
        from mentoring.mentorships.models import EndedBy

        relationship.log_contact(
            db.session.get(MentorProfile, mentor), match_id, contact_entry(note="privat")
        )
        relationship.end_match(match_id, "goals_met", EndedBy.MENTOR)
        sent = db.session.scalars(select(OutboxMessage)).first()
        sent.status = OutboxStatus.SENT
        sent_id = sent.id
        db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=182), tick=False):
        output = runner.invoke(args=["retention", "purge"]).output
    assert "1 bookings anonymised" in output and "1 reset links deleted" in output
    assert "1 contact notes cleared" in output
    with app.app_context():
        assert db.session.get(Booking, old_id).anonymised_at is not None
        assert db.session.get(Booking, new_id).name == "Berna"  # its appointment was less than 180 days ago
        assert db.session.scalars(select(PasswordResetToken)).all() == []
        assert db.session.scalars(select(MentorContact)).one().note == ""
        assert db.session.get(OutboxMessage, sent_id) is None  # sent long ago: gone
        assert db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).all()
        assert db.session.scalars(select(AuditEntry)).all()  # two years for the audit log
    with time_machine.travel(utcnow() + timedelta(days=800), tick=False):
        runner.invoke(args=["retention", "purge"])
    with app.app_context():
        assert db.session.scalars(select(AuditEntry)).all() == []
        assert db.session.scalars(select(WaitlistEntry)).all() == []


def test_the_programme_office_s_looks_and_decisions_are_logged_and_readable_not_editable(app):
    mentor = make_mentor(app, status="applicant")
    make_user(app, role="coordinator", username="office")
    office = log_in(app, "office")
    office.get(f"/coordinator/mentors/{mentor}")
    office.get("/coordinator/users?q=ay")
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["vetting_viewed", "users_viewed"]
    page = office.get("/coordinator/audit")
    assert page.status_code == 200 and "office" in page.text and f"mentor:{mentor}" in page.text
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert [sorted(r.methods - {"HEAD", "OPTIONS"}) for r in rules] == [["GET"]]
    make_user(app, username="lena")
    assert log_in(app, "lena").get("/coordinator/audit").status_code == 403


def test_the_privacy_notice_names_the_version_and_the_periods(app):
    page = app.test_client().get("/privacy?lang=en")
    assert app.config["PRIVACY_NOTICE_VERSION"] in page.text
    assert f"{app.config['BOOKING_RETENTION_DAYS']} days after the appointment" in page.text
