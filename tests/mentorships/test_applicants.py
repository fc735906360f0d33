"""Mentor applicants reach the coordinator, are vetted without pre-set answers and hear the decision;
a mentor's start page tells their status and the families waiting for an answer; the mentor reads
the family's need (never their contact details) before accepting."""

import re
from datetime import timedelta

from sqlalchemy import select

from mentoring.audit import AuditEntry
from mentoring.extensions import db
from mentoring.mentorships import chores, services, vetting
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import MentoringMatch, MentorProfile, MentorStatus
from mentoring.mentorships.reasons import describe_need
from mentoring.notifications.models import Channel, OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import activate_mentor, get_user, make_mentor, make_user, mentoring_cast

APPLICANT = {
    "username": "Selin.K",
    "password": "Kirschbaum-Laterne-7",
    "password_confirm": "Kirschbaum-Laterne-7",
    "consent": "y",
    "phone": "0176 2223334",
    "email": "selin@example.org",
}
NEED = Need(
    languages=frozenset({"tr"}),
    district="mitte-styrum",
    age_group="1-3",
    topics=frozenset({"sleep"}),
    contact_mode="phone",
)


def outbox_to(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(messages)


def profile_id_of(app, username: str) -> int:
    with app.app_context():
        return vetting.mentor_profile_of(get_user(app, username)).id


def vetting_data(today, **changes) -> dict:
    return {
        "training_on": (today - timedelta(days=10)).isoformat(),
        "certificate_seen_on": (today - timedelta(days=100)).isoformat(),
        "relevant_entry": "no",
        "decision": "activate",
        "reason": "",
    } | changes


def test_a_new_applicant_appears_in_the_list_on_the_start_page_and_in_the_digest(app, client, runner):
    mentoring_cast(app)
    make_user(app, role="coordinator", username="office2", email="office2@example.org")
    assert submit(client, "/register/mentor", APPLICANT).status_code == 303

    office = log_in(app, "office2")
    mentors = office.get("/coordinator/mentors?lang=en").text
    assert "selin.k" in mentors and "Applicant" in mentors
    assert "2 mentor applicants are waiting for vetting" in mentors  # ayse and selin
    home = office.get("/home?lang=en").text
    assert "2 mentor applicants are waiting for vetting" in home
    assert 'href="/coordinator/mentors"' in home

    assert runner.invoke(args=["mentoring", "daily"]).exit_code == 0
    [digest] = outbox_to(app, "office2@example.org")
    assert "selin.k" in digest.body_text and "/coordinator/mentors" in digest.body_text
    assert runner.invoke(args=["mentoring", "daily"]).exit_code == 0
    assert len(outbox_to(app, "office2@example.org")) == 1  # told once, not every morning


def test_applicants_are_named_again_at_seven_and_fourteen_days_while_nobody_vets_them(app, today):
    make_mentor(app, status=MentorStatus.APPLICANT)
    with app.app_context():
        told = [day for day in range(0, 30) if chores.collect_digest(today + timedelta(days=day)).applicants]
        assert told == [0, 7, 14]
        assert vetting.applicant_count() == 1


def test_the_vetting_form_chooses_nothing_and_refuses_a_decision_not_taken(app, today):
    mentoring_cast(app)
    profile_id = profile_id_of(app, "ayse")
    office = log_in(app, "office")
    page = office.get(f"/coordinator/mentors/{profile_id}?lang=en").text
    assert not re.search(r'<input[^>]*type="radio"[^>]*checked', page)

    data = vetting_data(today)
    del data["relevant_entry"], data["decision"]
    response = submit(office, f"/coordinator/mentors/{profile_id}?lang=en", data)
    assert response.status_code == 422
    assert "Please answer whether the certificate lists a relevant conviction." in response.text
    assert "Please choose: activate or reject." in response.text
    forged = submit(office, f"/coordinator/mentors/{profile_id}", vetting_data(today, decision="maybe"))
    assert forged.status_code == 422
    with app.app_context():
        assert db.session.get(MentorProfile, profile_id).status == MentorStatus.APPLICANT
    assert outbox_to(app, "ayse@example.org") == []


def test_an_approved_and_a_declined_applicant_are_told_in_their_language(app, today):
    mentoring_cast(app)  # ayse writes Turkish and gave an e-mail address
    make_user(app, role="mentor", username="olena", locale="uk", phone="0176 9998887")
    office = log_in(app, "office")
    assert (
        submit(office, f"/coordinator/mentors/{profile_id_of(app, 'ayse')}", vetting_data(today)).status_code
        == 303
    )
    declined = vetting_data(today, decision="reject", reason="Schulung nicht besucht")
    assert submit(office, f"/coordinator/mentors/{profile_id_of(app, 'olena')}", declined).status_code == 303

    [approved] = outbox_to(app, "ayse@example.org")
    assert approved.locale == "tr" and approved.channel == Channel.EMAIL
    assert approved.subject == "Artık mentor ebeveynsiniz"
    assert "/mentor/requests" in approved.body_text
    [sms] = outbox_to(app, "0176 9998887")
    assert sms.locale == "uk" and sms.channel == Channel.SMS
    assert "Schulung nicht besucht" not in sms.body_text  # the reason stays in the office
    assert "наставни" in sms.body_text and "did not accept" not in sms.body_text


def test_the_coordinator_writes_to_an_applicant_who_reads_it_in_their_language(app):
    mentoring_cast(app)
    make_user(app, role="mentor", username="nocontact")
    profile_id = profile_id_of(app, "ayse")
    office = log_in(app, "office")
    page = office.get(f"/coordinator/mentors/{profile_id}?lang=en").text
    assert "ayse@example.org" in page and "Write to this person" in page

    path = f"/coordinator/mentors/{profile_id}/message"
    empty = submit(office, path + "?lang=en", {"text": ""}, page=f"/coordinator/mentors/{profile_id}")
    assert empty.status_code == 422 and "error-summary" in empty.text
    text = "Bitte rufen Sie mich an:\n0208 123456"
    sent = submit(office, path, {"text": text}, page=f"/coordinator/mentors/{profile_id}")
    assert sent.status_code == 303
    [message] = outbox_to(app, "ayse@example.org")
    assert message.locale == "tr"
    assert "> Bitte rufen Sie mich an:\n> 0208 123456" in message.body_text
    with app.app_context():
        assert (
            db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.subject == f"mentor:{profile_id}")
            ).all()[-1]
            == "applicant_messaged"
        )

    unreachable = profile_id_of(app, "nocontact")
    refused = submit(
        office,
        f"/coordinator/mentors/{unreachable}/message?lang=en",
        {"text": "Hallo"},
        page=f"/coordinator/mentors/{unreachable}",
    )
    assert refused.status_code == 422
    assert "This person gave no phone number and no e-mail address." in refused.text
    forged = submit(office, "/coordinator/mentors/99999/message", {"text": "Hallo"}, page="/home")
    assert forged.status_code == 404


def test_the_mentor_start_page_tells_the_status_and_a_family_waiting_for_an_answer(app):
    mentoring_cast(app)
    mentor = log_in(app, "ayse")
    assert "Thank you for applying" in mentor.get("/home?lang=en").text

    profile_id = profile_id_of(app, "ayse")
    with app.app_context():
        profile = db.session.get(MentorProfile, profile_id)
        profile.status, profile.languages, profile.districts = MentorStatus.ACTIVE, ["tr"], ["mitte-styrum"]
        db.session.commit()
    home = mentor.get("/home?lang=en").text
    assert "Thank you for applying" not in home
    assert "You are an active mentor parent" in home and "waiting for your answer" not in home

    with app.app_context():
        match = services.request_mentor(get_user(app, "lena"), profile_id, NEED, services.Asking(), 5)
        db.session.commit()
        deadline = match.expires_at
        state = services.mentor_home(get_user(app, "ayse"))
        assert (state.waiting, state.answer_by) == (1, deadline)
        assert services.mentor_home(get_user(app, "ayse"), deadline).waiting == 0  # past its deadline
    home = mentor.get("/home?lang=en").text
    assert "1 family is waiting for your answer." in home
    assert re.search(r"Please answer by \w+ \d+, \d{4}", home)

    with app.app_context():
        vetting.change_status(db.session.get(MentorProfile, profile_id), MentorStatus.PAUSED, deadline.date())
        db.session.commit()
    assert "Your mentoring is paused" in mentor.get("/home?lang=en").text


def test_the_mentor_reads_the_need_but_not_the_contact_details_before_accepting(app, municipality_data):
    mentoring_cast(app)
    make_user(app, role="mentor", username="sms_only", phone="0176 7777777")
    activate_mentor(app, "sms_only")
    with app.app_context():
        mentor = vetting.mentor_profile_of(get_user(app, "sms_only"))
        match = services.request_mentor(
            get_user(app, "lena"),
            mentor.id,
            NEED,
            services.Asking(note="Uykusuz geceler", shares=("phone",)),
            5,
        )
        db.session.commit()
        match_id = match.id
    requests = log_in(app, "sms_only").get("/mentor/requests?lang=en").text
    for shown in (
        "Türkçe",
        "Toddler (1 to 3 years)",
        "Sleep",
        "Oberhausen-Mitte/Styrum",
        "By phone",
        "Uykusuz geceler",
    ):
        assert shown in requests, shown
    assert "1234567" not in requests and "lena@example.org" not in requests
    [sms] = outbox_to(app, "0176 7777777")
    assert sms.channel == Channel.SMS and "Türkçe" in sms.body_text
    assert "1234567" not in sms.body_text and "lena@example.org" not in sms.body_text

    with app.test_request_context("/?lang=en"):
        lines = dict(describe_need(db.session.get(MentoringMatch, match_id), {}, {}))
        assert lines["District"] == "mitte-styrum" and lines["Keeping in touch"] == "By phone"
        assert set(lines) == {"Languages", "Age of the child", "Topics", "District", "Keeping in touch"}


def test_the_mentor_e_mail_and_the_matching_page_show_the_family_need(app, municipality_data):
    mentoring_cast(app)
    profile_id = profile_id_of(app, "ayse")
    with app.app_context():
        profile = db.session.get(MentorProfile, profile_id)
        profile.status, profile.languages, profile.districts = MentorStatus.ACTIVE, ["tr"], ["mitte-styrum"]
        db.session.commit()
        services.request_mentor(get_user(app, "lena"), profile_id, NEED, services.Asking(note="Merhaba"), 5)
        db.session.commit()
    make_user(app, username="waiting", email="w@example.org")
    with app.app_context():
        services.ask_programme_office(get_user(app, "waiting"), NEED, services.Asking(note="Bitte bald"))
        db.session.commit()
    [mail] = outbox_to(app, "ayse@example.org")
    assert mail.locale == "tr" and "Türkçe" in mail.body_text and "Merhaba" in mail.body_text
    assert "1234567" not in mail.body_text and "lena@example.org" not in (mail.body_html or "")

    matching = log_in(app, "office").get("/coordinator/matching?lang=en").text
    for shown in ("Türkçe", "Toddler (1 to 3 years)", "Oberhausen-Mitte/Styrum", "By phone", "Bitte bald"):
        assert shown in matching, shown
