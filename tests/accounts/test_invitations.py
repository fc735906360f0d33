import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import submit
from tests.factories import get_user, text_as_sent

LINK = re.compile(r"http://localhost(/invitation/[\w-]+)\?lang=(\w+)")


def invite(client, **fields):
    response = submit(
        client,
        "/coordinator/invitations",
        {"display_name": "Hebamme Aylin Demir", "locale": "de"} | fields,
    )
    assert response.status_code == 200, response.text
    path, _lang = LINK.search(response.text).groups()
    return path


def accept(client, path, username="aylin"):
    return submit(
        client,
        path,
        {"username": username, "password": "warm-towel-1988", "password_confirm": "warm-towel-1988"},
    )


def test_coordinator_invites_an_expert_who_joins_with_the_link(app, client, login_as):
    login_as("coordinator")
    path = invite(client)
    expert = app.test_client()
    response = accept(expert, path)
    assert response.status_code == 303
    user = get_user(app, "aylin")
    assert user.role == "expert"
    assert user.display_name == "Hebamme Aylin Demir"
    assert "Hebamme Aylin Demir" in expert.get("/home").text


def test_invitation_is_e_mailed_in_the_language_chosen_for_it(app, client, login_as):
    login_as("coordinator")
    invite(client, email="aylin@example.org", locale="en")
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.recipient == "aylin@example.org"
        assert message.locale == "en"
        assert message.subject == "Invitation: offer consultation hours for parents"
        assert "/invitation/" not in message.body_text  # sealed in the outbox
        sent = text_as_sent(message)
        assert "/invitation/" in sent and "lang=en" in sent


def test_an_invitation_link_works_only_once(app, client, login_as):
    login_as("coordinator")
    path = invite(client)
    assert accept(app.test_client(), path).status_code == 303
    second = app.test_client()
    assert second.get(path).status_code == 410
    assert accept_without_form(second, path).status_code in {400, 410}
    assert get_user(app, "aylin2") is None


def accept_without_form(client, path):
    # A reused link cannot even show the form, so a replayed POST has no valid form either.
    return client.post(path, data={"username": "aylin2", "password": "x", "password_confirm": "x"})


def test_an_expired_invitation_link_is_refused_with_a_clear_page(app, client, login_as):
    login_as("coordinator")
    path = invite(client)
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        response = app.test_client().get(path)
    assert response.status_code == 410
    assert "Link" in response.text and "Koordinierungsstelle" in response.text


def test_unknown_invitation_token_is_refused(client):
    assert client.get("/invitation/not-a-real-token").status_code == 410


def test_only_coordinators_may_invite(app, client, login_as):
    login_as("expert")
    assert client.get("/coordinator/invitations").status_code == 403
    response = submit(client, "/coordinator/invitations", {"display_name": "X", "locale": "de"}, page="/home")
    assert response.status_code == 403


def test_invitation_form_errors_are_shown_and_nothing_is_created(app, client, login_as):
    login_as("coordinator")
    response = submit(client, "/coordinator/invitations", {"display_name": "", "locale": "xx"})
    assert response.status_code == 422
    assert "error-summary" in response.text
    with app.app_context():
        from mentoring.accounts.models import Invitation

        assert db.session.scalars(select(Invitation)).first() is None
