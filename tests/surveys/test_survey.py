"""One-time survey links: who is asked, answering once, kind refusals, the pool and its release."""

import re
from collections import Counter
from datetime import time, timedelta
from email import message_from_bytes, policy

import time_machine
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.notifications.services import LINK_PLACEHOLDER, deliver_due_messages
from mentoring.surveys.models import (
    InvitationCount,
    PooledAnswer,
    SpentLink,
    SurveyInvitation,
    SurveyPeriod,
    SurveyResponse,
)
from mentoring.surveys.periods import bounds, period_of
from mentoring.surveys.services import source_hash
from tests.conftest import log_in, submit
from tests.factories import (
    active_match,
    book_in_db,
    make_expert,
    make_mentor,
    make_slot,
    survey_invitations,
    survey_token,
)

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
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=5), tick=False):
        log_in(client, "sabine")  # a day later: a session lasts 12 hours at most
        response = submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda"
        )
        assert response.status_code == 303
        # Marking it twice does not invite twice.
        submit(
            client, f"/expert/bookings/{booking_id}/attendance", {"attended": "yes"}, page="/expert/agenda"
        )
    return booking_id, token


def delivered_links(app, smtp_server, at=None) -> list[str]:
    """Send what is due (at `at`, by default just after the appointment) over real SMTP; the
    survey links in what the server received."""
    with time_machine.travel(at or utcnow() + timedelta(days=1, minutes=10), tick=False), app.app_context():
        deliver_due_messages(max_attempts=3)
    links = []
    for envelope in smtp_server.messages:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        text = mail.get_body(preferencelist=("plain",)).get_content()
        links += re.findall(r"http://localhost(/survey/[\w-]+\?lang=\w+)", text)
    smtp_server.messages.clear()
    return links


def survey_link(app, smtp_server) -> str:
    links = delivered_links(app, smtp_server)
    assert len(links) == 1, links
    return links[0]


def test_an_invitation_goes_once_in_the_parents_language_and_the_outbox_never_holds_its_link(
    app, client, smtp_server
):
    attended_booking(app, client)
    with app.app_context():
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.service, invitation.locale, invitation.district) == ("consultation", "uk", "ost")
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.late_link.is_not(None))).all()
        assert [m.locale for m in messages] == ["uk", "uk"]
        assert messages[1].send_after > messages[0].send_after + timedelta(days=6)  # the one reminder
        assert all(LINK_PLACEHOLDER in m.body_text and "/survey/" not in m.body_text for m in messages)
    link = survey_link(app, smtp_server)
    assert app.test_client().get(link).status_code == 200
    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            assert "/survey/" not in f"{message.body_text}{message.body_html}"  # sent, still no link


def test_no_invitation_without_consent_and_consent_can_be_withdrawn(app, client):
    attended_booking(app, client, consent=False)
    with app.app_context():
        assert db.session.scalars(select(SurveyInvitation)).all() == []
    slot = make_slot(app, make_expert(app, username="second"), starts_in=timedelta(days=3))
    second, second_token = book_in_db(app, slot, email="olena@example.org", phone=None, survey_consent=True)
    parent = app.test_client()
    response = submit(
        parent, f"/booking/{second_token}/survey-consent", {"consent": "no"}, page=f"/booking/{second_token}"
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Booking, second).survey_consent is False


def test_a_parent_answers_once_and_the_answer_waits_in_the_pool_without_a_reference(app, client, smtp_server):
    attended_booking(app, client)
    link = survey_link(app, smtp_server)
    with app.app_context():
        invitation_before = db.session.scalars(select(SurveyInvitation)).one()
        snapshot = {c.name: getattr(invitation_before, c.name) for c in SurveyInvitation.__table__.columns}
    parent = app.test_client()
    page = parent.get(link)
    assert page.status_code == 200 and 'lang="uk"' in page.text
    assert submit(parent, link, ANSWERS | {"comment": "Дуже допомогло"}).status_code == 200
    with app.app_context():
        pooled = db.session.scalars(select(PooledAnswer)).one()
        assert (pooled.satisfaction, pooled.recommend, pooled.comment) == (5, None, "Дуже допомогло")
        assert pooled.period == period_of(clock.today())
        # One open invitation: the context is merged all the way, so it points at nobody.
        assert (pooled.service, pooled.locale, pooled.district, pooled.age_group) == ("*", "*", "*", "*")
        assert db.session.scalars(select(SurveyResponse)).all() == []  # not released alone
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert {c.name: getattr(invitation, c.name) for c in SurveyInvitation.__table__.columns} == snapshot
        reminder = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert reminder.status == OutboxStatus.PENDING  # withdrawing it would tell when she answered
    assert parent.get(link).status_code == 410
    assert submit(parent, link, ANSWERS, page="/").status_code == 410
    with app.app_context():
        assert len(db.session.scalars(select(PooledAnswer)).all()) == 1


def test_the_reminder_goes_with_a_new_link_that_thanks_those_who_answered(app, client, smtp_server):
    attended_booking(app, client)
    first = survey_link(app, smtp_server)
    reminded = delivered_links(app, smtp_server, at=utcnow() + timedelta(days=9))
    assert len(reminded) == 1 and reminded[0] != first
    assert app.test_client().get(reminded[0]).status_code == 200


def test_forged_and_expired_links_get_a_kind_message(app, client, smtp_server):
    attended_booking(app, client)
    link = survey_link(app, smtp_server)
    forged = app.test_client().get("/survey/" + "a" * 32 + "?lang=uk")
    assert forged.status_code == 410 and 'lang="uk"' in forged.text
    assert app.test_client().get("/survey/" + "x" * 500).status_code == 410
    with time_machine.travel(utcnow() + timedelta(days=32), tick=False):
        expired = app.test_client().get(link)
    assert expired.status_code == 410 and expired.text != forged.text  # "expired", not "unknown"


def test_out_of_range_answers_and_oversized_text_are_refused_and_nothing_is_written(app, client, smtp_server):
    attended_booking(app, client)
    link = survey_link(app, smtp_server)
    parent = app.test_client()
    for bad in ({"satisfaction": "7"}, {"satisfaction": ""}, {"language_ok": "0"}, {"comment": "x" * 1001}):
        response = submit(parent, link, ANSWERS | bad)
        assert response.status_code == 422, bad
        assert "error-summary" in response.text
    with app.app_context():
        assert db.session.scalars(select(PooledAnswer)).all() == []
        assert db.session.scalars(select(SpentLink)).all() == []
    assert parent.get(link).status_code == 200  # still answerable


def test_the_expert_sees_neither_the_link_nor_whether_the_parent_answered(app, client, smtp_server):
    booking_id, _token = attended_booking(app, client)
    link = survey_link(app, smtp_server)
    log_in(client, "sabine")  # the session from the travelled clock has ended
    before = client.get(f"/expert/bookings/{booking_id}/survey")
    assert before.status_code == 200 and "/survey/" not in before.text.replace(
        f"/expert/bookings/{booking_id}/survey", ""
    )
    parent = app.test_client()
    assert submit(parent, link, ANSWERS).status_code == 200
    after = client.get(f"/expert/bookings/{booking_id}/survey")
    assert after.status_code == 200
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", after.text) == strip.sub("", before.text)
    # The expert's one action sends it once more, to the parent's own address, never to the page.
    sent = submit(client, f"/expert/bookings/{booking_id}/survey")
    assert sent.status_code == 200 and "/survey/" not in sent.text.replace(
        f"/expert/bookings/{booking_id}/survey", ""
    )
    again = submit(client, f"/expert/bookings/{booking_id}/survey")
    assert strip.sub("", again.text) == strip.sub("", sent.text)  # the same words whatever happened
    links = delivered_links(app, smtp_server)
    assert len(links) == 1  # once per invitation
    assert smtp_server.messages == []
    with app.app_context():
        from mentoring.audit import audit_entries

        assert [e.action for e in audit_entries()].count("survey_resent") == 2
    other = log_in(app, make_expert_named(app, "other"))
    assert other.get(f"/expert/bookings/{booking_id}/survey").status_code == 404


def make_expert_named(app, username: str) -> str:
    make_expert(app, username=username)
    return username


def test_expired_links_forget_contact_and_context(app, client, runner):
    attended_booking(app, client)
    with time_machine.travel(utcnow() + timedelta(days=40), tick=False):
        result = runner.invoke(args=["surveys", "daily"])
    assert "1 expired survey links" in result.output
    with app.app_context():
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.email, invitation.phone, invitation.service, invitation.district) == (None,) * 4
        count = db.session.scalars(select(InvitationCount)).one()  # still counted for the rate
        assert (count.service, count.locale, count.district, count.sent) == ("consultation", "uk", "ost", 1)


def test_answers_are_released_in_batches_of_five_and_a_quarter_is_sealed_when_over(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_BATCH_SIZE", 5)  # released during the quarter, once five wait
    ids = survey_invitations(app, 7, district="ost") + survey_invitations(app, 2, district="osterfeld")
    tokens = [survey_token(app, n) for n in ids]
    for index, token in enumerate(tokens[:4]):
        with app.app_context():
            from mentoring.surveys import services

            services.submit(token, {"satisfaction": 1 + index % 5}, "")
            db.session.commit()
    runner.invoke(args=["surveys", "daily"])
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse)).all() == []  # four wait
        from mentoring.surveys import services

        services.submit(tokens[8], {"satisfaction": 3}, "")  # a parent in Osterfeld
        db.session.commit()
    result = runner.invoke(args=["surveys", "daily"])
    assert "5 answers released" in result.output
    with app.app_context():
        released = db.session.scalars(select(SurveyResponse)).all()
        assert len(released) == 5 and db.session.scalars(select(PooledAnswer)).all() == []
        assert all(
            n >= 5 for n in Counter((r.service, r.locale, r.district, r.age_group) for r in released).values()
        )
        assert db.session.scalars(select(SurveyPeriod)).all() == []
        quarter = released[0].period
    after_quarter = bounds(quarter)[1] + timedelta(days=1)
    with time_machine.travel(clock.at(after_quarter, time(9)), tick=False):
        result = runner.invoke(args=["surveys", "daily"])
    assert "1 quarters sealed" in result.output
    with app.app_context():
        assert db.session.get(SurveyPeriod, quarter) is not None


def test_mentoring_families_who_agreed_are_asked_at_three_months_and_at_the_end(app, runner):
    from mentoring.accounts import services as accounts
    from mentoring.mentorships import messages, relationship
    from mentoring.mentorships.models import EndedBy, MentoringMatch

    agreed = active_match(app, make_mentor(app), parent="lena", survey_consent=True)
    declined = active_match(app, make_mentor(app, username="zeynep"), parent="ali")
    with time_machine.travel(utcnow() + timedelta(days=91), tick=False):
        result = runner.invoke(args=["mentoring", "daily"])
    assert "1 families asked for a survey" in result.output
    with app.app_context():
        for match_id in (agreed, declined):
            relationship.end_match(match_id, "goals_met", EndedBy.COORDINATOR)
            messages.ended(db.session.get(MentoringMatch, match_id), EndedBy.COORDINATOR)
        db.session.commit()
        hashes = {i.source_hash for i in db.session.scalars(select(SurveyInvitation))}
        assert hashes == {source_hash(f"match:{agreed}:3m"), source_hash(f"match:{agreed}:end")}
        invitation = db.session.scalars(select(SurveyInvitation)).first()
        assert invitation.service == "mentoring" and invitation.email == "lena@example.org"
        assert accounts.find_user_by_username("ali").survey_consent is False


def test_deleting_the_bookings_data_withdraws_the_survey_and_its_link_stops_working(app, client, smtp_server):
    _booking_id, manage = attended_booking(app, client)
    link = survey_link(app, smtp_server)  # the invitation went; the reminder still waits
    parent = app.test_client()
    assert submit(parent, f"/booking/{manage}/delete").status_code == 200
    with app.app_context():
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.email, invitation.district, invitation.expired) == (None, None, True)
        pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.late_link.is_not(None))).all()
        reminder = [m for m in pending if m.status != OutboxStatus.SENT]
        assert reminder and all(m.status == OutboxStatus.CANCELLED and m.recipient == "" for m in reminder)
    assert parent.get(link).status_code == 410
    assert delivered_links(app, smtp_server, at=utcnow() + timedelta(days=9)) == []
