"""Security events reach the log `mentoring.security` with username, address and result, never with a
password or a token; the office's sensitive actions reach the audit log."""

import logging

from sqlalchemy import select

from mentoring.accounts import services
from mentoring.audit import AuditEntry
from mentoring.extensions import db
from tests.conftest import log_in, session_data, session_rows, submit
from tests.factories import DEMO_PASSWORD, activate_mentor, active_match, make_user

NEW_PASSWORD = "Kirschbaum-Laterne-7"
RESET_PASSWORD = "Wasserturm-Glocke-42"


def security_events(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "mentoring.security"]


def event(records, name: str, result: str = "ok") -> logging.LogRecord:
    matching = [r for r in records if r.event == name and r.result == result]  # type: ignore[attr-defined]
    assert matching, (name, result, [(r.event, r.result) for r in records])  # type: ignore[attr-defined]
    return matching[-1]


def test_every_security_event_is_logged_without_passwords_or_tokens(app, caplog):
    caplog.set_level(logging.INFO, logger="mentoring.security")
    make_user(app, username="lena", email="lena@example.org")
    make_user(app, role="coordinator", username="office")
    secrets_seen: list[str] = [DEMO_PASSWORD, NEW_PASSWORD, RESET_PASSWORD]

    wrong = submit(app.test_client(), "/login", {"username": "lena", "password": "Falsch-Geraten-99"})
    assert wrong.status_code == 422
    secrets_seen.append("Falsch-Geraten-99")
    client = log_in(app, "lena")
    secrets_seen.append(session_data(app, client)["sid"])
    log_in(app, "lena")  # a second device, whose session the first one ends
    submit(client, f"/account/sessions/{session_rows(app, 'lena')[-1].id}/end", page="/account/sessions")
    submit(
        client,
        "/account",
        {"email": "lena.neu@example.org", "locale": "de", "current_password": DEMO_PASSWORD},
    )
    submit(
        client,
        "/account/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    submit(client, "/logout", page="/home")
    with app.app_context():
        token = services.create_reset_token(services.find_user_by_username("lena"), 2)
        _invitation, invitation = services.create_invitation(
            services.find_user_by_username("office"), "Sabine Kaya", None, "de", 14
        )
        db.session.commit()
    secrets_seen += [token, invitation]
    submit(
        app.test_client(),
        f"/password/reset/{token}",
        {"new_password": RESET_PASSWORD, "new_password_confirm": RESET_PASSWORD},
    )
    submit(
        app.test_client(),
        f"/invitation/{invitation}",
        {"username": "sabine", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    parent = log_in(app, "lena", RESET_PASSWORD)
    submit(parent, "/account/delete", {"password": RESET_PASSWORD, "understood": "y"}, page="/account/data")

    records = security_events(caplog)
    failed = event(records, "login", "failed")
    assert failed.username == "lena" and failed.address == "127.0.0.1"  # type: ignore[attr-defined]
    for name in (
        "login",
        "session_ended",
        "contact_changed",
        "password_changed",
        "logout",
        "password_reset",
        "invitation_used",
        "account_deleted",
    ):
        record = event(records, name)
        assert record.address == "127.0.0.1", name  # type: ignore[attr-defined]
    assert event(records, "invitation_used").username == "sabine"  # type: ignore[attr-defined]
    for record in records:
        logged = record.getMessage() + " " + repr(record.__dict__)
        assert not [secret for secret in secrets_seen if secret in logged], logged


def test_a_wrong_password_for_a_new_e_mail_is_logged_as_refused(app, caplog):
    caplog.set_level(logging.INFO, logger="mentoring.security")
    make_user(app, username="lena", email="lena@example.org")
    client = log_in(app, "lena")
    submit(
        client,
        "/account",
        {"email": "attacker@example.org", "locale": "de", "current_password": "Rate-Mal-123"},
    )
    record = event(security_events(caplog), "contact_changed", "wrong_password")
    assert "Rate-Mal-123" not in record.getMessage() + repr(record.__dict__)


def audit_actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.subject, e.detail)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_inviting_an_expert_opening_the_mentors_and_ending_a_mentoring_are_audited(app, municipality_data):
    make_user(app, role="coordinator", username="office")
    match_id = active_match(app, activate_mentor(app, make_user(app, role="mentor", username="ayse")))
    office = log_in(app, "office")
    assert (
        submit(
            office, "/coordinator/invitations", {"display_name": "Sabine Kaya", "locale": "de"}
        ).status_code
        == 200
    )
    assert office.get("/coordinator/mentors").status_code == 200
    response = submit(
        office,
        f"/coordinator/mentorings/{match_id}/end",
        {"reason": "moved_away"},
        page="/coordinator/mentorings",
    )
    assert response.status_code == 303
    actions = audit_actions(app)
    assert [a for a, _s, _d in actions if a == "invitation_created"] == ["invitation_created"]
    assert ("mentors_viewed", "", "") in actions
    assert ("mentoring_ended", f"match:{match_id}", "moved_away") in actions
