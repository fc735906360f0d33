"""The download of one's data is complete (GDPR Art. 15): parents, mentor parents and experts."""

import json
from datetime import timedelta

from sqlalchemy import select

from mentoring.clock import utcnow
from mentoring.consultations.models import ContactMode
from mentoring.extensions import db
from mentoring.mentorships import meetings, relationship
from mentoring.mentorships.models import MentorProfile
from tests.conftest import log_in, submit
from tests.factories import (
    PARENT,
    active_match,
    book_in_db,
    contact_entry,
    make_expert,
    make_mentor,
    make_slot,
    make_user,
)
from tests.privacy.conftest import EMAIL, NAME, PASSWORD, PHONE, zeynep_with_everything


def download(app, username: str, password: str = PASSWORD) -> dict:
    response = log_in(app, username, password).get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.data)


def test_a_parent_s_download_has_her_waitlist_her_survey_invitation_and_the_messages_to_her(app):
    zeynep_with_everything(app)
    data = download(app, "zeynep")
    page = log_in(app, "zeynep", PASSWORD).get("/account/data?lang=en")
    assert f"<dt>Messages to you</dt><dd>{len(data['messages'])}</dd>" in page.text
    assert "<dt>Waitlist</dt><dd>1</dd>" in page.text
    [entry] = data["waitlist"]
    assert (entry["name"], entry["email"], entry["status"]) == (NAME, EMAIL, "waiting")
    assert data["survey_invitations"] == [{"status": "open"}]  # nothing that leads to an answer
    kinds = {message["kind"] for message in data["messages"]}
    assert {
        "consultations/booking_confirmed",
        "consultations/reminder",
        "consultations/waitlist_joined",
        "surveys/invitation",
        "surveys/reminder",
    } <= kinds
    reminder = next(m for m in data["messages"] if m["kind"] == "consultations/reminder")
    assert reminder["status"] == "pending" and reminder["channel"] == "email" and reminder["due_at"]
    text = json.dumps(data)
    assert "Elena" not in text and "33334444" not in text  # the family waiting after her is not hers
    assert "sabine@example.org" not in text  # nor are the messages to the expert


def test_typing_her_number_into_another_account_downloads_nothing_of_hers(app):
    """The attack: Zeynep's partner knows her number and e-mail, puts them into his own account and
    downloads "his" data, to see whether she booked, waits or was written to."""
    zeynep_with_everything(app)
    make_user(app, username="partner", password=PASSWORD, phone=PHONE, email=EMAIL)
    data = download(app, "partner")
    assert data["account"]["phone"] == PHONE  # what he typed himself
    assert (data["bookings"], data["waitlist"], data["survey_invitations"], data["messages"]) == (
        [],
        [],
        [],
        [],
    )
    assert "Quellwasser" not in json.dumps(data)


def test_a_mentor_parent_s_download_has_her_profile_meeting_times_and_the_contact_log_she_wrote(app):
    mentor = make_mentor(app, username="ayse", introduction="Ich bin Mutter von drei Kindern.")
    match_id = active_match(app, mentor, parent="lena")
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        relationship.log_contact(profile, match_id, contact_entry(note="Schlaf, Kita-Eingewöhnung"))
        meetings.publish_meeting(
            profile, (utcnow() + timedelta(days=3)).replace(microsecond=0), 30, ContactMode.PHONE
        )
        db.session.commit()
    data = download(app, "ayse", "sunny-garden-72")
    assert data["mentor_profile"]["introduction"] == "Ich bin Mutter von drei Kindern."
    assert data["mentor_profile"]["status"] == "active"
    [contact] = data["mentor_profile"]["contact_log"]
    assert contact["note"] == "Schlaf, Kita-Eingewöhnung" and contact["minutes"] == 30
    [meeting] = data["publishing_profile"]["times"]
    assert meeting["for_my_families_only"] is True and meeting["bookings"] == {}
    text = json.dumps(data)
    assert "lena" not in text.lower()  # the family is hers to export, not the mentor's


def test_an_expert_s_download_has_her_profile_and_times_with_booking_counts_but_no_parent(app):
    expert = make_expert(app, username="sabine", email="sabine@example.org")
    slot = make_slot(app, expert, capacity=2, starts_in=timedelta(days=2))
    book_in_db(app, slot, name="Ayla Parent", phone="+4917612345678")
    cancelled = submit(
        app.test_client(),
        f"/consultations/slots/{slot}/book",
        PARENT | {"name": "Berna Parent", "phone": "0176 99998888"},
        page="/login",
    )
    assert cancelled.status_code == 303
    data = download(app, "sabine", "sunny-garden-72")
    assert data["account"]["email"] == "sabine@example.org"
    assert data["publishing_profile"]["profession"] == "Hebamme"
    [time_] = data["publishing_profile"]["times"]
    assert time_["capacity"] == 2 and time_["bookings"] == {"confirmed": 2}
    kinds = [m["kind"] for m in data["messages"]]
    assert kinds.count("consultations/expert_new_booking") == 2
    text = json.dumps(data)
    assert "Ayla" not in text and "Berna" not in text and "12345678" not in text and "99998888" not in text
    with app.app_context():
        assert db.session.scalars(select(MentorProfile)).all() == []
