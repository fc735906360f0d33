"""'Forgot password' does the same work whether or not an account exists (timing told them apart).

The attack measured the answer time for a registered and an unknown address. Now the request writes one
sealed row either way and the outbox worker does the lookup; the statements the web request runs are
the same, in number and kind, so there is nothing left to time.
"""

import re

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.accounts.test_password_reset import RESET_PATH
from tests.conftest import csrf_token, submit
from tests.factories import delivered, make_user

PASSWORD = "Kirschbaum-Laterne-7"


def ask_for_a_reset(client, count_queries, identifier: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/password/forgot")
    with count_queries() as queries:
        response = client.post("/password/forgot", data={"csrf_token": token, "identifier": identifier})
    return response, queries.statements


def test_a_known_and_an_unknown_address_cost_the_same_statements_and_only_one_gets_a_link(app, count_queries):
    make_user(app, username="lena", email="lena@example.org", locale="en")
    known, known_sql = ask_for_a_reset(app.test_client(), count_queries, "lena@example.org")
    unknown, unknown_sql = ask_for_a_reset(app.test_client(), count_queries, "nobody@example.org")

    assert known_sql == unknown_sql  # the same statements, in number, kind and order
    assert [s for s in known_sql if "outbox_messages" in s and s.lstrip().upper().startswith("INSERT")]
    assert not [s for s in known_sql if re.search(r"\bFROM users\b", s)]  # nobody is looked up now
    no_csrf = [re.sub(r'name="csrf_token" value="[^"]+"', "", r.text) for r in (known, unknown)]
    assert known.status_code == unknown.status_code == 200 and no_csrf[0] == no_csrf[1]
    with app.app_context():
        requests = db.session.scalars(select(OutboxMessage)).all()
        assert [m.request for m in requests] == ["password-reset", "password-reset"]
        assert not [m for m in requests if "lena" in f"{m.recipient}{m.body_text}{m.sealed}"]

    (mail,) = delivered(app)  # the worker: one message for the account, none for nobody
    assert mail.startswith("To: lena@example.org")
    path, lang = RESET_PATH.search(mail).groups()
    assert lang == "en"
    with app.app_context():
        left = db.session.scalars(select(OutboxMessage)).all()
        assert [(m.status, m.template, m.recipient) for m in left] == [
            (OutboxStatus.SENT, "accounts/password_reset", "")
        ]  # the unknown address left no trace

    new = {"new_password": PASSWORD, "new_password_confirm": PASSWORD}
    assert submit(app.test_client(), path, new).status_code == 303
    assert submit(app.test_client(), "/login", {"username": "lena", "password": PASSWORD}).status_code == 303
    assert submit(app.test_client(), path, new, page="/password/forgot").status_code == 410  # works once
