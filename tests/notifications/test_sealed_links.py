"""A copy of the database opens nothing: no link of any message lies in any table in a usable form.

The attack: queue one of every message that carries a link (booking confirmation, move, cancellation,
reminder with its one-tap answers, waitlist joined and offer, password reset, expert invitation), then
read every column of every table, as someone with a dump or a backup would, and look for the links.
Then let the worker send: the delivered messages hold links that work, and the rows are blank.
"""

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from sqlalchemy import MetaData, select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations import seats, waitlist
from mentoring.extensions import db
from mentoring.notifications import sealing
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.notifications.services import (
    REQUEST_HANDLERS,
    deliver_due_messages,
    handle_request,
    queue_request,
)
from mentoring.privacy.services import purge
from tests.conftest import log_in, submit
from tests.factories import book_in_db, delivered, make_expert, make_slot, make_user

# A path with a token after it: what opens a booking, an account, a waitlist place or an answer.
OPENING = re.compile(
    r"/(?:booking|password/reset|invitation|waitlist)/[\w-]{16,}|/r/\w+/(?:coming|not-coming)/\w+"
)


def every_value_in_the_database(app) -> str:
    """Every column of every row of every table, as text: what a database dump shows."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        with db.engine.connect() as connection:
            return "\n".join(
                " ".join(str(value) for value in row)
                for table in metadata.sorted_tables
                for row in connection.execute(select(table))
            )


def queue_every_kind_of_message(app) -> dict[str, str]:
    """One of each message with a link, as parents, the office and the worker cause them; returns the
    raw tokens the test knows (the held seat's and the reset link's exist only in their messages)."""
    expert = make_expert(app, username="sabine", email="sabine@example.org")
    first = make_slot(app, expert, starts_in=timedelta(days=3))
    later = make_slot(app, expert, starts_in=timedelta(days=4))
    full = make_slot(app, expert, starts_in=timedelta(days=5), capacity=1)
    _id, ayla = book_in_db(app, first, name="Ayla", email="ayla@example.org", phone=None)
    moved = submit(app.test_client(), f"/booking/{ayla}/move", {"slot_id": str(later)})
    assert moved.status_code == 303
    _id, bea = book_in_db(app, full, name="Bea", email="bea@example.org", phone=None)
    with app.app_context():
        contact = seats.Contact(name="Ioana", locale="ro", privacy_version="t", phone="+4917611112222")
        _entry, waiting = waitlist.join(contact, waitlist.Wish(None, None, None, 4), clock.today())
        db.session.commit()
    cancelled = submit(app.test_client(), f"/booking/{bea}/cancel", page=f"/booking/{bea}")
    assert cancelled.status_code == 303  # Bea is told; Ioana is offered the freed seat
    make_user(app, username="lena", email="lena@example.org", locale="en")
    assert submit(app.test_client(), "/password/forgot", {"identifier": "lena"}).status_code == 200
    with app.app_context():  # the worker's first step: the request becomes the reset e-mail
        for request in db.session.scalars(select(OutboxMessage).where(OutboxMessage.request.is_not(None))):
            handle_request(request)
        db.session.commit()
    make_user(app, role="coordinator", username="office")
    office = log_in(app, "office")
    page = submit(
        office,
        "/coordinator/invitations",
        {"display_name": "Hebamme Aylin", "email": "aylin@example.org", "locale": "de"},
    )
    invitation = re.search(r"/invitation/([\w-]+)", page.text).group(1)
    return {"ayla": ayla, "bea": bea, "waiting": waiting, "invitation": invitation}


def test_a_database_dump_holds_no_link_that_opens_anything_and_the_sent_mails_do(app):
    tokens = queue_every_kind_of_message(app)
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage)).all()
        assert {m.template for m in queued} >= {
            "consultations/booking_confirmed",
            "consultations/booking_moved",
            "consultations/booking_cancelled",
            "consultations/reminder",
            "consultations/waitlist_joined",
            "consultations/waitlist_offer",
            "accounts/password_reset",
            "accounts/invitation",
        }
        unsealed = [m.template for m in queued if m.status == OutboxStatus.PENDING and not m.sealed]
        assert {t for t in unsealed if not t.startswith("consultations/expert_")} == set(), unsealed

    dump = every_value_in_the_database(app)
    assert OPENING.findall(dump) == []
    assert [name for name, token in tokens.items() if token in dump] == []
    assert "[[sealed:manage_url]]" in dump  # the bodies are there, with placeholders

    texts = delivered(app)
    mails = "\n".join(texts)
    client = app.test_client()
    for kind in ("booking", "password/reset", "invitation", "waitlist"):
        paths = re.findall(rf"http://localhost(/{kind}/[\w/-]+)", mails)
        assert paths, kind
        for path in paths:
            assert client.get(path).status_code == 200, path  # following the link opens the page
    assert f"/booking/{tokens['ayla']}" in mails and f"/waitlist/{tokens['waiting']}/leave" in mails

    # The reminder goes a day before; its one-tap answers work then.
    with time_machine.travel(utcnow() + timedelta(days=3, hours=1), tick=False):
        reminder = next(t for t in delivered(app) if "/r/" in t)
        coming = re.search(r"http://localhost(/r/\w+/coming/\w+)", reminder).group(1)
        answered = app.test_client().get(coming)
        assert answered.status_code == 200  # not the 410 "this link no longer works"

    with app.app_context():
        done = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.PENDING))
        for message in done:
            assert (
                message.recipient,
                message.subject,
                message.body_text,
                message.body_html,
                message.sealed,
            ) == (
                "",
                "",
                "",
                None,
                None,
            )
            assert message.template  # what stays: channel, template, status, times
    after = every_value_in_the_database(app)
    assert OPENING.findall(after) == []
    assert [name for name, token in tokens.items() if token in after] == []

    # Sent rows go after OUTBOX_RETENTION_DAYS (14): what was sent is not kept for months.
    assert app.config["OUTBOX_RETENTION_DAYS"] == 14
    with app.app_context():
        purge(utcnow() + timedelta(days=15))
        db.session.commit()
        left = db.session.scalars(select(OutboxMessage.status)).all()
        assert OutboxStatus.SENT not in left and OutboxStatus.CANCELLED not in left


def test_the_sealed_links_open_only_with_the_secret_key_or_a_fallback(app, monkeypatch):
    with app.app_context():
        sealed = sealing.seal({"manage_url": "http://localhost/booking/abc"})
        assert "abc" not in sealed
        monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-key-" + "x7Qp" * 10)
        monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["testing"])
        assert sealing.unseal(sealed) == {"manage_url": "http://localhost/booking/abc"}  # rotation
        monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
        with pytest.raises(sealing.Unreadable):  # a dump without the key opens nothing
            sealing.unseal(sealed)


def test_a_request_kind_nobody_handles_is_refused_at_queue_time(app):
    assert "password-reset" in REQUEST_HANDLERS
    with app.app_context(), pytest.raises(ValueError, match="no handler"):
        queue_request("no-such-request", {"x": "y"})


def invitation_mail(app) -> str:
    """An expert invitation queued through the accounts service; returns the raw token."""
    make_user(app, role="coordinator", username="office")
    with app.app_context():
        from mentoring.accounts import services as accounts

        office = accounts.find_user_by_username("office")
        invitation, token = accounts.create_invitation(office, "Hebamme Aylin", "aylin@example.org", "de", 14)
        accounts.send_invitation(invitation, token, 14)
        db.session.commit()
    return token


def test_the_mail_server_gets_the_link_in_both_parts_and_the_row_keeps_none(app, smtp_server):
    token = invitation_mail(app)
    with app.app_context():
        assert deliver_due_messages(3) == (1, 0)
        row = db.session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.template, row.body_text, row.sealed) == (
            OutboxStatus.SENT,
            "accounts/invitation",
            "",
            None,
        )
    mail = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    link = f"http://localhost/invitation/{token}?lang=de"
    assert link in mail.get_body(("plain",)).get_content()
    assert f'href="{link}"' in mail.get_body(("html",)).get_content()


def test_a_message_given_up_after_the_last_attempt_is_blanked_too(app, smtp_server):
    token = invitation_mail(app)
    smtp_server.stop()
    with app.app_context():
        assert deliver_due_messages(1) == (0, 1)
        row = db.session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.recipient, row.body_text, row.sealed) == (OutboxStatus.FAILED, "", "", None)
    assert token not in every_value_in_the_database(app)


def test_a_message_sealed_under_a_dropped_key_fails_without_stopping_the_worker(app, monkeypatch):
    invitation_mail(app)
    make_user(app, username="lena", email="lena@example.org")
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-key-" + "x7Qp" * 10)  # and no fallback
    with app.app_context():
        queue_request("password-reset", {"identifier": "lena", "hours": "2"})  # sealed under the new key
        db.session.commit()
        assert deliver_due_messages(3) == (1, 0)  # the reset mail goes; the invitation cannot
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(m.template, m.status) for m in rows] == [
            ("accounts/invitation", OutboxStatus.FAILED),
            ("accounts/password_reset", OutboxStatus.SENT),
        ]
        assert rows[0].sealed is None and "key" in rows[0].last_error
