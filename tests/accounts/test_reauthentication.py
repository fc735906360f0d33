"""A copied cookie alone cannot take an account over: a new e-mail or phone needs the password, the
old address hears of it, and coordinators hand reset links only to families without e-mail."""

import pytest
from sqlalchemy import select

from mentoring.accounts.models import PasswordResetToken
from mentoring.audit import AuditEntry
from mentoring.extensions import db
from mentoring.notifications.models import Channel, OutboxMessage
from tests.conftest import log_in, replay, session_cookie, submit
from tests.factories import DEMO_PASSWORD, get_user, make_user

PASSWORD_NEEDED = "Bitte geben Sie Ihr aktuelles Passwort ein"


def details(**changes: str) -> dict:
    return {
        "display_name": "Lena",
        "email": "lena@example.org",
        "phone": "+491761234567",
        "locale": "de",
    } | changes


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for message in messages:
            db.session.expunge(message)
        return messages


@pytest.mark.parametrize("password", ["", "not-my-password-1"], ids=["missing", "wrong"])
def test_a_new_e_mail_address_needs_the_current_password(app, password):
    make_user(app, username="lena", email="lena@example.org", phone="+491761234567")
    client = log_in(app, "lena")
    response = submit(client, "/account", details(email="attacker@example.org", current_password=password))
    assert response.status_code == 422
    assert PASSWORD_NEEDED in response.text
    assert 'class="error-summary' in response.text or "error-summary" in response.text
    assert get_user(app, "lena").email == "lena@example.org"
    assert outbox(app) == []


def test_with_the_password_the_e_mail_changes_and_the_old_address_is_told_in_the_holders_language(app):
    make_user(app, username="lena", email="lena@example.org", phone="+491761234567", locale="tr")
    client = log_in(app, "lena")
    response = submit(
        client, "/account", details(email="lena.neu@example.org", locale="tr", current_password=DEMO_PASSWORD)
    )
    assert response.status_code == 303
    assert get_user(app, "lena").email == "lena.neu@example.org"
    [notice] = outbox(app)
    assert notice.recipient == "lena@example.org" and notice.locale == "tr"
    assert notice.subject == "İletişim bilgileriniz değiştirildi"
    assert "lena.neu@example.org" not in notice.body_text


def test_a_new_phone_number_is_told_to_the_old_number_by_sms(app):
    make_user(app, username="lena", phone="+491761234567")
    client = log_in(app, "lena")
    response = submit(
        client, "/account", details(email="", phone="0176 7654321", current_password=DEMO_PASSWORD)
    )
    assert response.status_code == 303
    [notice] = outbox(app)
    assert notice.channel == Channel.SMS and notice.recipient == "+491761234567"
    assert "lena" in notice.body_text


def test_other_details_change_without_the_password(app):
    make_user(app, username="lena", email="lena@example.org", phone="+491761234567")
    client = log_in(app, "lena")
    assert submit(client, "/account", details(display_name="Lena K.")).status_code == 303
    assert get_user(app, "lena").display_name == "Lena K."
    assert outbox(app) == []


def test_the_takeover_chain_of_the_audit_fails(app):
    """Copy the cookie, change the e-mail, ask for a reset link to the new address: nothing works."""
    make_user(app, username="familie", email="familie@example.org")
    owner = log_in(app, "familie")
    copied = session_cookie(owner)

    # While the owner is still logged in, the copy cannot change the address without the password.
    thief = replay(app, copied)
    assert submit(thief, "/account", details(email="attacker@example.org")).status_code == 422
    # After the owner logs out, the copy opens nothing at all.
    submit(owner, "/logout", page="/home")
    thief = replay(app, copied)
    assert thief.get("/account").status_code == 302
    assert get_user(app, "familie").email == "familie@example.org"

    submit(app.test_client(), "/password/forgot", {"identifier": "attacker@example.org"})
    assert [m for m in outbox(app) if m.recipient == "attacker@example.org"] == []
    assert (
        submit(app.test_client(), "/login", {"username": "familie", "password": DEMO_PASSWORD}).status_code
        == 303
    )


# Reset links made by a coordinator -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "fields"),
    [
        ("coordinator", {}),
        ("expert", {}),
        ("mentor", {"email": "ayse@example.org"}),
        ("parent", {"email": "lena@example.org"}),
    ],
    ids=["another coordinator", "an expert", "a mentor with e-mail", "a parent with e-mail"],
)
def test_a_coordinator_cannot_make_a_reset_link_for(app, role, fields):
    make_user(app, role="coordinator", username="office")
    target = make_user(app, role=role, username="target", **fields)
    coordinator = log_in(app, "office")
    path = f"/coordinator/users/{get_user(app, target).id}/reset-link"
    assert coordinator.get(path).status_code == 422
    response = submit(coordinator, path, {"reason": "Called the office"}, page="/coordinator/users")
    assert response.status_code == 422
    assert "ohne E-Mail-Adresse" in response.text
    with app.app_context():
        assert db.session.scalars(select(PasswordResetToken)).first() is None
    # The target's own password still works; nobody else set one.
    assert (
        submit(app.test_client(), "/login", {"username": target, "password": DEMO_PASSWORD}).status_code
        == 303
    )


def test_a_reset_link_for_a_parent_without_e_mail_needs_a_reason_is_audited_and_told_by_sms(app):
    make_user(app, role="coordinator", username="office")
    make_user(app, username="ayse", phone="+491761112222", locale="ar")
    coordinator = log_in(app, "office")
    path = f"/coordinator/users/{get_user(app, 'ayse').id}/reset-link"
    assert submit(coordinator, path, {"reason": ""}).status_code == 422
    with app.app_context():
        assert db.session.scalars(select(PasswordResetToken)).first() is None

    response = submit(coordinator, path, {"reason": "Rief an, hat kein E-Mail-Konto"})
    assert response.status_code == 200 and "/password/reset/" in response.text
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reset_link")).one()
        assert entry.detail == "Rief an, hat kein E-Mail-Konto" and entry.actor == "office"
    [sms] = outbox(app)
    assert sms.channel == Channel.SMS and sms.recipient == "+491761112222" and sms.locale == "ar"
    assert "/password/reset/" not in sms.body_text  # the holder is told, the link stays with the office
