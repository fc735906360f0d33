"""A mentor withdraws a meeting time (the family that booked it is told), away days hide meeting
times from families and from booking, and a logged contact can be corrected or deleted for 14 days
after a "Save this contact?" step."""

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, Slot, SlotStatus
from mentoring.extensions import db
from mentoring.mentorships import relationship, vetting
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import MentorContact, MentoringMatch
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import PARENT, activate_mentor, active_match, contact_entry, make_mentor, mentoring_cast


def family_and_meeting(app, today, days: int = 3):
    """ayse mentors lena2 and publishes a meeting time in `days` days; returns (match id, slot id)."""
    mentoring_cast(app)
    match_id = active_match(app, activate_mentor(app, "ayse"), parent="lena2")
    day = today + timedelta(days=days)
    form = {"day": day.isoformat(), "start_time": "17:00", "minutes": "60", "mode": "phone"}
    assert submit(log_in(app, "ayse"), "/mentor/meetings", form).status_code == 303
    with app.app_context():
        return match_id, db.session.scalars(select(Slot.id)).one()


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_a_withdrawn_meeting_time_is_not_bookable_and_the_family_that_booked_it_is_told(app, today):
    _match, slot_id = family_and_meeting(app, today)
    family = log_in(app, "lena2")
    booked = submit(family, f"/consultations/slots/{slot_id}/book", PARENT | {"email": "lena2@example.org"})
    assert booked.status_code == 303
    make_mentor(app, username="zeynep")
    assert (
        submit(log_in(app, "zeynep"), f"/mentor/meetings/{slot_id}/withdraw", {}, page="/home").status_code
        == 404
    )
    before = outbox_size(app)
    ayse = log_in(app, "ayse")
    assert (
        submit(
            ayse,
            f"/mentor/meetings/{slot_id}/withdraw",
            {"reason": "Ich bin krank."},
            page="/mentor/meetings",
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Slot, slot_id).status == SlotStatus.CANCELLED
        booking = db.session.scalars(select(Booking)).one()
        assert booking.status == BookingStatus.CANCELLED_BY_EXPERT
        told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)).all()
        assert [m.recipient for m in told] == ["lena2@example.org"]
        assert "Ich bin krank." in told[0].body_text
    assert f"/consultations/slots/{slot_id}/book" not in family.get("/mentoring").text
    assert family.get(f"/consultations/slots/{slot_id}/book").status_code != 200  # no booking form
    again = submit(
        family,
        f"/consultations/slots/{slot_id}/book",
        PARENT | {"email": "lena2@example.org"},
        page="/mentoring",
    )
    assert "/booking/" not in (again.location or "")
    with app.app_context():
        statuses = db.session.scalars(select(Booking.status)).all()
        assert statuses == [BookingStatus.CANCELLED_BY_EXPERT]  # no new booking of the withdrawn time
    # Withdrawing twice changes nothing and tells nobody again.
    submit(ayse, f"/mentor/meetings/{slot_id}/withdraw", {}, page="/mentor/meetings")
    assert outbox_size(app) == before + 1


def test_away_days_hide_meeting_times_from_the_family_and_from_booking(app, today):
    _match, slot_id = family_and_meeting(app, today, days=3)
    family = log_in(app, "lena2")
    assert f"/consultations/slots/{slot_id}/book" in family.get("/mentoring").text
    ayse = log_in(app, "ayse")
    away = {
        "first_day": (today + timedelta(days=2)).isoformat(),
        "last_day": (today + timedelta(days=4)).isoformat(),
    }
    assert submit(ayse, "/mentor/away", away).status_code == 303
    assert "you are away" in ayse.get("/mentor/meetings?lang=en").text
    assert f"/consultations/slots/{slot_id}/book" not in family.get("/mentoring").text
    assert family.get(f"/consultations/slots/{slot_id}/book").status_code != 200  # no booking form
    refused = submit(
        family,
        f"/consultations/slots/{slot_id}/book",
        PARENT | {"email": "lena2@example.org"},
        page="/mentoring",
    )
    assert "/booking/" not in (refused.location or "")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        profile = vetting.mentor_profile_of(accounts.find_user_by_username("ayse"))
        away_id = vetting.away_periods(profile, clock.today())[0].id
    # The absence removed, the time is back for the family.
    assert submit(ayse, f"/mentor/away/{away_id}/delete", {}, page="/mentor/away").status_code == 303
    assert f"/consultations/slots/{slot_id}/book" in family.get("/mentoring").text


def test_the_contact_form_asks_before_saving(app, today):
    mentoring_cast(app)
    match_id = active_match(app, activate_mentor(app, "ayse"), parent="lena2")
    ayse = log_in(app, "ayse")
    page = f"/mentor/families/{match_id}"
    entry = {"on": today.isoformat(), "mode": "phone", "minutes": "25", "topics": ["sleep"], "note": "Schlaf"}
    summary = submit(ayse, page, entry)
    assert summary.status_code == 200 and 'name="confirmed" value="yes"' in summary.text
    assert count_contacts(app) == 0  # nothing saved yet
    changed = submit(ayse, page, entry | {"confirmed": "yes", "change": "1"})
    assert changed.status_code == 200 and count_contacts(app) == 0 and 'value="25"' in changed.text
    assert submit(ayse, page, entry | {"confirmed": "yes"}).status_code == 303
    assert count_contacts(app) == 1


def count_contacts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MentorContact)) or 0


def test_a_contact_can_be_corrected_or_deleted_for_14_days_then_it_is_read_only(app, today):
    mentoring_cast(app)
    ayse_id = activate_mentor(app, "ayse")
    match_id = active_match(app, ayse_id, parent="lena2")
    with app.app_context():
        profile = vetting.mentor_profile_of(accounts.find_user_by_username("ayse"))
        first = relationship.log_contact(profile, match_id, contact_entry(note="erste"))
        second = relationship.log_contact(profile, match_id, contact_entry(note="zweite"))
        db.session.commit()
        first_id, second_id = first.id, second.id
        logged_at = first.created_at
    make_mentor(app, username="zeynep")
    with app.app_context():
        zeynep = vetting.mentor_profile_of(accounts.find_user_by_username("zeynep"))
        try:
            relationship.correct_contact(zeynep, first_id, contact_entry(note="fremd"))
        except MentoringError as error:
            assert error.code == "gone"
        else:
            raise AssertionError("another mentor corrected ayse's contact")
    edit = f"/mentor/contacts/{first_id}/edit"
    corrected = {
        "on": (today - timedelta(days=0)).isoformat(),
        "mode": "video",
        "minutes": "45",
        "note": "korrigiert",
    }
    with time_machine.travel(logged_at + timedelta(days=13, hours=23)):
        ayse = log_in(app, "ayse")  # days later: a new login (sessions end after idle hours)
        assert submit(ayse, edit, corrected).status_code == 303
        assert submit(ayse, f"/mentor/contacts/{second_id}/delete", {}, page=edit).status_code == 303
    with app.app_context():
        contact = db.session.get(MentorContact, first_id)
        assert (contact.mode, contact.minutes, contact.note) == ("video", 45, "korrigiert")
        assert db.session.get(MentorContact, second_id) is None
    with time_machine.travel(logged_at + timedelta(days=14, minutes=1)):
        ayse = log_in(app, "ayse")
        page = ayse.get(f"/mentor/families/{match_id}")
        assert edit not in page.text  # read-only now: no button
        late = submit(ayse, edit, corrected | {"note": "zu spät"}, page=f"/mentor/families/{match_id}")
        assert late.status_code == 303
        with app.app_context():
            profile = vetting.mentor_profile_of(accounts.find_user_by_username("ayse"))
            try:
                relationship.delete_contact(profile, first_id)
            except MentoringError as error:
                assert error.code == "contact_locked"
            else:
                raise AssertionError("deleted after 14 days")
            db.session.rollback()
    with app.app_context():
        assert db.session.get(MentorContact, first_id).note == "korrigiert"


def test_deleting_the_only_contact_clears_the_first_contact_day(app, today):
    mentoring_cast(app)
    match_id = active_match(app, activate_mentor(app, "ayse"), parent="lena2")
    with app.app_context():
        profile = vetting.mentor_profile_of(accounts.find_user_by_username("ayse"))
        contact = relationship.log_contact(profile, match_id, contact_entry())
        db.session.commit()
        relationship.delete_contact(profile, contact.id, now=utcnow())
        db.session.commit()
        match = db.session.get(MentoringMatch, match_id)
        assert (match.first_contact_on, match.last_contact_on) == (None, None)
