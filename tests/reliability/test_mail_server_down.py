"""The mail server goes down: bookings still succeed, messages wait in the outbox, and once it is
back `flask outbox send` delivers every one exactly once (the real local SMTP server, stopped and started)."""

from collections import Counter
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mentoring.clock import utcnow
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import submit
from tests.factories import PARENT, make_expert, make_slot


def test_bookings_go_on_while_mail_is_down_and_every_message_arrives_once_after(app, runner, smtp_server):
    expert = make_expert(app, email="sabine@example.org")
    slots = [make_slot(app, expert, starts_in=timedelta(days=5 + n)) for n in range(3)]
    smtp_server.stop()
    for number, slot in enumerate(slots):
        response = submit(
            app.test_client(),
            f"/consultations/slots/{slot}/book",
            PARENT | {"phone": "", "email": f"parent{number}@example.org"},
        )
        assert response.status_code == 303  # booked, although no mail can go out
    first_try = runner.invoke(args=["outbox", "send"]).output
    assert "sent 0" in first_try
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 3
        waiting = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).all()
        due_now = [m for m in waiting if m.cancel_key is None]  # not the reminders, due later
        assert len(due_now) == 6 and all(m.attempts == 1 for m in due_now)
    smtp_server.start()
    with time_machine.travel(utcnow() + timedelta(minutes=5), tick=False):  # past the first back-off
        assert "sent 6" in runner.invoke(args=["outbox", "send"]).output
        assert "sent 0" in runner.invoke(args=["outbox", "send"]).output  # nothing twice
    received = Counter(envelope.rcpt_tos[0] for envelope in smtp_server.messages)
    assert received == {
        "parent0@example.org": 1,
        "parent1@example.org": 1,
        "parent2@example.org": 1,
        "sabine@example.org": 3,
    }
