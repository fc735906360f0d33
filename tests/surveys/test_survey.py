"""One-time survey links: who is asked, answering once, kind refusals, and anonymity by design."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import DateTime, inspect, select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.surveys.models import SurveyInvitation, SurveyResponse
from tests.conftest import log_in, submit
from tests.factories import active_match, book_in_db, make_expert, make_mentor, make_slot

ANSWERS = {"satisfaction": "5", "language_ok": "4", "knows_help": "4", "booking_easy": "5", "recommend": ""}


def attended_booking(app, client, consent=True, locale="uk"):
    """A consultation that took place, marked by the expert; returns (booking id, manage token)."""
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=1))
    booking_id, token = book_in_db(
        app,
        slot,
        email="olena@example.org",
        phone=None,
        locale=locale,
        district="ost",
        survey_consent=consent,
    )
    log_in(client, "sabine")
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=5), tick=False):
        response = submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda"
        )
        assert response.status_code == 303
        # Marking it twice does not invite twice.
        submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda"
        )
    return booking_id, token


def survey_link(app) -> str:
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.body_text.contains("/survey/"))
            .order_by(OutboxMessage.id)
        ).first()
        return re.search(r"http://localhost(/survey/\w+\?lang=\w+)", mail.body_text).group(1)


def test_an_attended_consultation_invites_once_in_the_parents_language_with_one_reminder(app, client):
    attended_booking(app, client)
    with app.app_context():
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.service, invitation.locale, invitation.district) == ("consultation", "uk", "ost")
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.body_text.contains("/survey/"))
        ).all()
        assert [m.locale for m in messages] == ["uk", "uk"]
        assert messages[1].send_after > messages[0].send_after + timedelta(days=6)  # the one reminder


def test_no_invitation_without_consent_and_consent_can_be_withdrawn(app, client):
    attended_booking(app, client, consent=False)
    with app.app_context():
        assert db.session.scalars(select(SurveyInvitation)).all() == []
    # A second booking: agreed when booking, withdrawn on the manage page before the appointment.
    slot = make_slot(app, db_expert_id(app), starts_in=timedelta(days=3))
    second, second_token = book_in_db(app, slot, email="olena@example.org", phone=None, survey_consent=True)
    parent = app.test_client()
    assert (
        submit(
            parent,
            f"/booking/{second_token}/survey-consent",
            {"consent": "no"},
            page=f"/booking/{second_token}",
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Booking, second).survey_consent is False


def db_expert_id(app) -> int:
    from mentoring.consultations.models import ExpertProfile

    with app.app_context():
        return db.session.scalars(select(ExpertProfile)).first().id


def test_a_parent_answers_once_and_the_answer_keeps_only_context(app, client):
    attended_booking(app, client)
    link = survey_link(app)
    parent = app.test_client()
    page = parent.get(link)
    assert page.status_code == 200 and 'lang="uk"' in page.text
    assert submit(parent, link, ANSWERS | {"comment": "Дуже допомогло"}).status_code == 200
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert (response.satisfaction, response.recommend, response.locale, response.district) == (
            5,
            None,
            "uk",
            "ost",
        )
        assert response.month == clock.today().strftime("%Y-%m") and response.comment == "Дуже допомогло"
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert invitation.is_used and invitation.email is None  # forgot the contact
        reminder = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.body_text.contains("/survey/"))
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert reminder.status == OutboxStatus.CANCELLED
    again = parent.get(link)
    assert again.status_code == 410
    assert submit(parent, link, ANSWERS, page="/").status_code == 410
    with app.app_context():
        assert (
            db.session.scalars(select(SurveyResponse)).all() == [response]
            or len(db.session.scalars(select(SurveyResponse)).all()) == 1
        )


def test_forged_and_expired_links_get_a_kind_message(app, client):
    attended_booking(app, client)
    link = survey_link(app)
    forged = app.test_client().get("/survey/" + "a" * 32 + "?lang=uk")
    assert forged.status_code == 410 and 'lang="uk"' in forged.text
    assert app.test_client().get("/survey/" + "x" * 500).status_code == 410
    with time_machine.travel(utcnow() + timedelta(days=32), tick=False):
        expired = app.test_client().get(link)
    assert expired.status_code == 410


def test_out_of_range_answers_and_oversized_text_are_refused_and_nothing_is_written(app, client):
    attended_booking(app, client)
    link = survey_link(app)
    parent = app.test_client()
    for bad in ({"satisfaction": "7"}, {"satisfaction": ""}, {"language_ok": "0"}, {"comment": "x" * 1001}):
        response = submit(parent, link, ANSWERS | bad)
        assert response.status_code == 422, bad
        assert "error-summary" in response.text
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse)).all() == []
        assert not db.session.scalars(select(SurveyInvitation)).one().is_used


def test_the_response_table_has_no_path_back_to_a_person(app):
    with app.app_context():
        table = SurveyResponse.__table__
        assert not table.foreign_keys
        assert not [c.name for c in table.columns if isinstance(c.type, DateTime)]
        assert not [c.name for c in table.columns if "token" in c.name or c.name.endswith("_id")]
        assert {c.name for c in table.columns} == {
            "id",
            "questionnaire",
            "service",
            "locale",
            "district",
            "age_group",
            "month",
            "satisfaction",
            "language_ok",
            "knows_help",
            "booking_easy",
            "recommend",
            "comment",
        }
        # The database agrees (the migration, not only the model).
        assert inspect(db.engine).get_foreign_keys("survey_responses") == []
        # Ids are random, so the order of rows does not follow the order of used invitations.
        from mentoring.surveys.models import random_id

        ids = [random_id() for _ in range(50)]
        assert ids != sorted(ids) and len(set(ids)) == 50
        # The invitation remembers only that it was used, not when.
        assert "used_at" not in SurveyInvitation.__table__.columns


def test_the_expert_can_show_the_survey_as_a_qr_code_only_for_their_own_booking(app, client):
    booking_id, _token = attended_booking(app, client)
    log_in(client, "sabine")  # the session from the travelled clock has ended
    page = client.get(f"/expert/bookings/{booking_id}/survey")
    assert page.status_code == 200 and "<svg" in page.text and "/survey/" in page.text
    other = app.test_client()
    make_expert(app, username="other")
    log_in(other, "other")
    assert other.get(f"/expert/bookings/{booking_id}/survey").status_code == 404


def test_expired_links_forget_the_contact(app, client, runner):
    attended_booking(app, client)
    with time_machine.travel(utcnow() + timedelta(days=40), tick=False):
        result = runner.invoke(args=["surveys", "daily"])
    assert "1 expired survey links" in result.output
    with app.app_context():
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.email, invitation.phone, invitation.is_used) == (None, None, False)


def test_mentoring_families_who_agreed_are_asked_at_three_months_and_at_the_end(app, runner):
    from mentoring.accounts import services as accounts
    from mentoring.mentorships import relationship
    from mentoring.mentorships.models import EndedBy

    agreed = active_match(app, make_mentor(app), parent="lena", survey_consent=True)
    declined = active_match(app, make_mentor(app, username="zeynep"), parent="ali")
    with time_machine.travel(utcnow() + timedelta(days=91), tick=False):
        result = runner.invoke(args=["mentoring", "daily"])
    assert "1 families asked for a survey" in result.output
    with app.app_context():
        from mentoring.mentorships import messages
        from mentoring.mentorships.models import MentoringMatch

        for match_id in (agreed, declined):
            relationship.end_match(match_id, "goals_met", EndedBy.COORDINATOR)
            messages.ended(db.session.get(MentoringMatch, match_id), EndedBy.COORDINATOR)
        db.session.commit()
        keys = sorted(i.source_key for i in db.session.scalars(select(SurveyInvitation)))
        assert keys == [f"match:{agreed}:3m", f"match:{agreed}:end"]
        invitation = db.session.scalars(select(SurveyInvitation)).first()
        assert invitation.service == "mentoring" and invitation.email == "lena@example.org"
        assert accounts.find_user_by_username("ali").survey_consent is False
