from datetime import timedelta
from email import message_from_bytes, policy

import time_machine
from sqlalchemy import select

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import submit
from tests.factories import book_in_db, make_expert, make_slot


def send_outbox(runner) -> str:
    return runner.invoke(args=["outbox", "send"]).output


def test_confirmation_reaches_the_parent_by_smtp_in_turkish_and_the_expert_in_german(
    app, runner, smtp_server
):
    slot = make_slot(app, make_expert(app, display_name="Sabine Kaya", email="sabine@example.org"))
    book_in_db(app, slot, name="Ayla", email="ayla@example.org", phone=None, locale="tr")
    assert "sent 2" in send_outbox(runner)
    mails = {
        envelope.rcpt_tos[0]: message_from_bytes(envelope.content, policy=policy.default)
        for envelope in smtp_server.messages
    }
    parent = mails["ayla@example.org"]
    assert parent["Content-Language"] == "tr"
    body = parent.get_body(("plain",)).get_content()
    assert "Ayla" in body and "/booking/" in body and "lang=tr" in body
    assert "Termin" not in body  # Turkish, not German
    assert mails["sabine@example.org"]["Content-Language"] == "de"


def test_a_phone_only_parent_gets_an_sms_through_the_gateway(app, runner, sms_gateway):
    slot = make_slot(app, make_expert(app))
    book_in_db(app, slot, phone="+4917612345678", locale="ar")
    assert "sent 1" in send_outbox(runner)
    [sms] = sms_gateway.received
    assert sms["to"] == "+4917612345678"
    assert sms["auth"] == "Bearer test-token"
    assert "/booking/" in sms["text"] and len(sms["text"]) < 400


def test_the_reminder_waits_until_a_day_before_and_is_sent_once(app, runner, smtp_server):
    slot = make_slot(app, make_expert(app), starts_in=timedelta(days=3))
    book_in_db(app, slot, email="ayla@example.org", phone=None)
    send_outbox(runner)
    assert len(smtp_server.messages) == 1  # the confirmation only
    with time_machine.travel(utcnow() + timedelta(days=2, hours=1), tick=False):
        assert "sent 1" in send_outbox(runner)
        assert "sent 0" in send_outbox(runner)
    subjects = [message_from_bytes(e.content, policy=policy.default)["Subject"] for e in smtp_server.messages]
    assert subjects[1].startswith(("Erinnerung", "Reminder"))


def test_a_cancelled_booking_gets_no_reminder(app, client, runner, smtp_server):
    slot = make_slot(app, make_expert(app), starts_in=timedelta(days=3))
    _id, token = book_in_db(app, slot, email="ayla@example.org", phone=None)
    submit(client, f"/booking/{token}/cancel", page=f"/booking/{token}")
    with time_machine.travel(utcnow() + timedelta(days=2, hours=1), tick=False):
        send_outbox(runner)
    with app.app_context():
        statuses = [m.status for m in db.session.scalars(select(OutboxMessage))]
    assert OutboxStatus.CANCELLED in statuses
    assert len(smtp_server.messages) == 2  # booked, cancelled; never the reminder


def test_messages_are_written_with_the_booking_or_not_at_all(app, client):
    slot = make_slot(app, make_expert(app), capacity=1)
    book_in_db(app, slot, email="first@example.org", phone=None)
    response = submit(
        client,
        f"/consultations/slots/{slot}/book",
        {
            "name": "B",
            "email": "second@example.org",
            "locale": "de",
            "consent": "y",
            "district": "",
            "age_group": "",
        },
        page="/",
    )
    assert response.status_code == 303
    with app.app_context():
        recipients = {m.recipient for m in db.session.scalars(select(OutboxMessage))}
    assert "second@example.org" not in recipients


def test_text_in_any_script_survives_in_mails_and_the_calendar_file(app, client, runner, smtp_server):
    name = "Zeynep Ğüşİ 👶 علي Олена Nguyễn e\u0301"
    expert = make_expert(app, display_name="Олена Петренко 🌱", email="olena@example.org")
    slot = make_slot(app, expert)
    _id, token = book_in_db(
        app, slot, name=name, email="zeynep@example.org", phone=None, locale="ar", note="ملاحظة ✓"
    )
    send_outbox(runner)
    parent = next(e for e in smtp_server.messages if e.rcpt_tos == ["zeynep@example.org"])
    mail = message_from_bytes(parent.content, policy=policy.default)
    assert name in mail.get_body(("plain",)).get_content()
    assert name in mail.get_body(("html",)).get_content()
    assert "Олена Петренко 🌱" in mail.get_body(("plain",)).get_content()
    ics = client.get(f"/booking/{token}/calendar.ics").data.decode()
    assert "Олена Петренко 🌱" in ics.replace("\r\n ", "")
    page = client.get(f"/booking/{token}")
    assert "Олена Петренко 🌱" in page.text
