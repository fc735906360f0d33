"""Deleting one's data leaves nobody behind (GDPR Art. 17): the attack is a dump of every table after
the deletion, searched for the person, and the outbox worker run afterwards."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from mentoring.audit import AuditEntry
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, WaitlistEntry
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.surveys.models import SurveyInvitation
from tests.conftest import log_in, submit
from tests.factories import PARENT, make_expert, make_slot
from tests.privacy.conftest import (
    NAME,
    PASSWORD,
    PHONE,
    everything_in_the_database,
    join_waitlist,
    lines_with_traces,
    sent_files,
    traces_in,
    zeynep_with_everything,
)


def test_after_deleting_her_account_a_dump_of_every_table_finds_her_nowhere_and_nothing_reaches_her(
    app, runner
):
    slot, _match = zeynep_with_everything(app)
    zeynep = log_in(app, "zeynep", PASSWORD)
    done = submit(zeynep, "/account/delete", {"password": PASSWORD, "understood": "y"}, page="/account/data")
    assert done.status_code == 303

    assert lines_with_traces(everything_in_the_database(app)) == []
    with app.app_context():
        # The seat she freed went to Elena, not back to her through her own waitlist entry.
        [hold] = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).all()
        assert hold.name == "Elena" and hold.slot_id == slot
        assert [e.name for e in db.session.scalars(select(WaitlistEntry))] == ["Elena"]
        invitation = db.session.scalars(select(SurveyInvitation)).one()
        assert (invitation.email, invitation.phone) == (None, None)
        searched = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "users_viewed")).one()
        assert searched.detail.startswith("search:")  # that there was a search stays, not its term

    # The worker runs now and after the reminders and the survey reminder fall due.
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    with time_machine.travel(utcnow() + timedelta(days=40), tick=False):
        assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    sent = sent_files(app)
    assert "33334444" in sent or "sabine@example.org" in sent  # the worker did send the others' messages
    assert traces_in(sent) == []
    with app.app_context():
        assert traces_in(" ".join(m.recipient for m in db.session.scalars(select(OutboxMessage)))) == []


def test_a_parent_on_the_waitlist_who_deletes_her_booking_by_its_link_is_not_offered_the_freed_seat(app):
    """The audit's scenario: without an account, booked and waiting; the link's delete button."""
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=3))
    booked = submit(
        app.test_client(),
        f"/consultations/slots/{slot}/book",
        PARENT | {"name": NAME, "phone": "0176 55501234", "note": "Quellwasser"},
        page="/login",
    )
    token = re.search(r"/booking/([\w-]+)", booked.location).group(1)
    join_waitlist(app, email="")
    join_waitlist(app, name="Elena", phone="0176 33334444", email="")
    with app.app_context():
        to_her = [
            m.id for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE))
        ]
        assert len(to_her) >= 3  # confirmation, reminder, "you are on the waitlist"
    client = app.test_client()
    assert submit(client, f"/booking/{token}/delete").status_code == 200

    with app.app_context():
        holds = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).all()
        assert [(h.name, h.slot_id) for h in holds] == [("Elena", slot)]
        assert db.session.scalars(select(Booking).where(Booking.phone == PHONE)).all() == []
        assert [e.name for e in db.session.scalars(select(WaitlistEntry))] == ["Elena"]
        for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(to_her))):
            assert message.status != OutboxStatus.PENDING
            assert (message.recipient, message.subject, message.body_text, message.body_html) == (
                "",
                "",
                "",
                None,
            )
    assert lines_with_traces(everything_in_the_database(app)) == []


def test_a_message_already_sent_to_her_is_blanked_too(app, runner):
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=3))
    booked = submit(
        app.test_client(),
        f"/consultations/slots/{slot}/book",
        PARENT | {"name": NAME, "phone": "0176 55501234"},
        page="/login",
    )
    token = re.search(r"/booking/([\w-]+)", booked.location).group(1)
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
        ).all()
        # Blanked at sending (only the gateway got the text); the keyed reference stays until deletion.
        assert [m.recipient for m in sent] == [""]
        assert all(m.contact_ref for m in sent)
    assert submit(app.test_client(), f"/booking/{token}/delete").status_code == 200
    assert lines_with_traces(everything_in_the_database(app)) == []
    with app.app_context():
        message = db.session.get(OutboxMessage, sent[0].id)
        assert message.status == OutboxStatus.SENT and message.body_text == "" and message.contact_ref is None


def test_deleting_one_booking_by_its_link_leaves_the_reminder_of_another_booking_with_that_number(app):
    """Contacts are not verified: whoever deletes a booking made with a number must not silence
    the reminder of another appointment booked with the same number."""
    expert = make_expert(app, username="sabine")
    first = make_slot(app, expert, starts_in=timedelta(days=3))
    second = make_slot(app, expert, starts_in=timedelta(days=5))
    tokens = []
    for slot in (first, second):
        booked = submit(
            app.test_client(),
            f"/consultations/slots/{slot}/book",
            PARENT | {"name": NAME, "phone": "0176 55501234"},
            page="/login",
        )
        tokens.append(re.search(r"/booking/([\w-]+)", booked.location).group(1))
    assert submit(app.test_client(), f"/booking/{tokens[0]}/delete").status_code == 200
    with app.app_context():
        kept = db.session.scalars(select(Booking).where(Booking.slot_id == second)).one()
        reminders = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.cancel_key.like("booking:%:reminder"))
        ).all()
        states = {m.cancel_key: (m.status, m.recipient) for m in reminders}
        assert states[f"booking:{kept.id}:reminder"] == (OutboxStatus.PENDING, PHONE)
        assert [s for key, s in states.items() if key != f"booking:{kept.id}:reminder"] == [
            (OutboxStatus.CANCELLED, "")
        ]
