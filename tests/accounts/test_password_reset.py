import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import submit
from tests.factories import DEMO_PASSWORD, delivered, get_user, make_user

RESET_PATH = re.compile(r"http://localhost(/password/reset/[\w-]+)\?lang=(\w+)")


def new_password(client, path, password="calm-harbour-55"):
    return submit(client, path, {"new_password": password, "new_password_confirm": password})


def test_forgotten_password_link_is_mailed_through_smtp_in_the_users_language(
    app, client, runner, smtp_server
):
    make_user(app, username="lena", email="lena@example.org", locale="en")
    response = submit(client, "/password/forgot", {"identifier": "lena@example.org"})
    assert response.status_code == 200
    assert "E-Mail" in response.text

    result = runner.invoke(args=["outbox", "send"])
    assert "sent 1" in result.output
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["lena@example.org"]
    raw = envelope.content.decode()
    assert "Subject: Set a new password" in raw
    path, lang = RESET_PATH.search(raw.replace("=\r\n", "").replace("=3D", "=")).groups()
    assert lang == "en"

    assert new_password(app.test_client(), path).status_code == 303
    login = submit(client, "/login", {"username": "lena", "password": "calm-harbour-55"})
    assert login.status_code == 303
    assert app.test_client().get(path).status_code == 410


def test_unknown_and_e_mail_less_accounts_get_the_same_answer_and_no_mail(app, client):
    make_user(app, username="nomail")
    unknown = submit(client, "/password/forgot", {"identifier": "nobody@example.org"})
    no_email = submit(client, "/password/forgot", {"identifier": "nomail"})
    assert unknown.status_code == no_email.status_code == 200
    without_tokens = [re.sub(r'name="csrf_token" value="[^"]+"', "", r.text) for r in (unknown, no_email)]
    assert without_tokens[0] == without_tokens[1]
    assert "Koordinierungsstelle" in unknown.text
    assert delivered(app) == []
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).first() is None  # the requests left no trace


def coordinator_reset_link(app, client, username: str) -> tuple[str, str]:
    """The coordinator presses "create a reset link" for `username`; returns (path, lang)."""
    user_id = get_user(app, username).id
    response = submit(client, f"/coordinator/users/{user_id}/reset-link", {"reason": "Called the office"})
    assert response.status_code == 200
    return RESET_PATH.search(response.text).groups()


def test_coordinator_creates_a_one_time_reset_link_for_a_parent_without_e_mail(app, client, login_as):
    login_as("coordinator")
    make_user(app, username="ayse", locale="ar")
    path, lang = coordinator_reset_link(app, client, "ayse")
    assert lang == "ar"
    parent = app.test_client()
    form = parent.get(f"{path}?lang=ar")
    assert 'dir="rtl"' in form.text
    assert new_password(parent, path).status_code == 303
    assert submit(parent, "/login", {"username": "ayse", "password": "calm-harbour-55"}).status_code == 303
    assert new_password(app.test_client(), path).status_code == 410


def test_a_new_reset_link_makes_the_old_one_useless(app, client, login_as):
    login_as("coordinator")
    make_user(app, username="ayse")
    first, _lang = coordinator_reset_link(app, client, "ayse")
    coordinator_reset_link(app, client, "ayse")
    assert app.test_client().get(first).status_code == 410


def test_reset_link_expires(app, client, login_as):
    login_as("coordinator")
    make_user(app, username="ayse")
    path, _lang = coordinator_reset_link(app, client, "ayse")
    with time_machine.travel(utcnow() + timedelta(hours=73), tick=False):
        assert app.test_client().get(path).status_code == 410
    still_old = submit(app.test_client(), "/login", {"username": "ayse", "password": DEMO_PASSWORD})
    assert still_old.status_code == 303


def test_mail_server_down_keeps_the_message_for_a_later_retry(app, client, runner, smtp_server):
    make_user(app, username="lena", email="lena@example.org")
    submit(client, "/password/forgot", {"identifier": "lena"})
    smtp_server.stop()
    assert "sent 0, failed 1" in runner.invoke(args=["outbox", "send"]).output
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert "SMTP" in message.last_error
    smtp_server.start()
    # Not due yet: the back-off holds it.
    assert "sent 0, failed 0" in runner.invoke(args=["outbox", "send"]).output
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    assert "sent 0, failed 0" in runner.invoke(args=["outbox", "send"]).output
    assert len(smtp_server.messages) == 1
