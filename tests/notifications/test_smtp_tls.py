"""Mail leaves only over TLS with a verified certificate: STARTTLS that is never skipped, or
implicit TLS. Each case talks to a real SMTP server on 127.0.0.1 (aiosmtpd) with its own certificate.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import MAIL_KEYS, LocalSmtpServer, make_certificate
from tests.factories import book_in_db, make_expert, make_slot


@pytest.fixture
def relay(app: Flask) -> Iterator[dict]:
    """Restores the app's mail settings after a test that points them at its own server."""
    previous = {key: app.config[key] for key in MAIL_KEYS}
    servers: list[LocalSmtpServer] = []

    def start(certificate: tuple[Path, Path] | None, security: str, **config: object) -> LocalSmtpServer:
        server = LocalSmtpServer(certificate, security)
        server.start()
        servers.append(server)
        app.config.update(
            MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=3, **config
        )
        return server

    yield {"start": start}
    for server in servers:
        server.stop()
    app.config.update(previous)


def queue_confirmation(app: Flask) -> None:
    slot = make_slot(app, make_expert(app))
    book_in_db(app, slot, name="Ayla", email="ayla@example.org", phone=None, locale="tr")


def outbox_state(app: Flask) -> tuple[OutboxStatus, str | None]:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.attempts > 0)  # the confirmation (tried once)
        ).one()
        return message.status, message.last_error


def test_starttls_delivers_after_checking_the_certificate(app, runner, relay, relay_certificate) -> None:
    server = relay["start"](
        relay_certificate, "starttls", MAIL_SECURITY="starttls", MAIL_CA_FILE=str(relay_certificate[0])
    )
    queue_confirmation(app)
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    assert ["ayla@example.org"] in [envelope.rcpt_tos for envelope in server.messages]


def test_implicit_tls_delivers(app, runner, relay, relay_certificate) -> None:
    server = relay["start"](
        relay_certificate, "tls", MAIL_SECURITY="tls", MAIL_CA_FILE=str(relay_certificate[0])
    )
    queue_confirmation(app)
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    assert len(server.messages) == 1


def test_a_relay_with_an_untrusted_certificate_gets_nothing(
    app, runner, relay, relay_certificate, tmp_path
) -> None:
    impostor = make_certificate(tmp_path)  # a certificate the app was not told to trust
    server = relay["start"](
        impostor, "starttls", MAIL_SECURITY="starttls", MAIL_CA_FILE=str(relay_certificate[0])
    )
    queue_confirmation(app)
    runner.invoke(args=["outbox", "send"])
    assert server.messages == []
    status, error = outbox_state(app)
    assert status == OutboxStatus.PENDING  # tried again later, never sent in clear
    assert error is not None and "certificate" in error.lower()


def test_a_relay_without_starttls_gets_nothing_in_clear(app, runner, relay, relay_certificate) -> None:
    server = relay["start"](None, "none", MAIL_SECURITY="starttls", MAIL_CA_FILE=str(relay_certificate[0]))
    queue_confirmation(app)
    runner.invoke(args=["outbox", "send"])
    assert server.messages == []
    status, error = outbox_state(app)
    assert status == OutboxStatus.PENDING
    assert error is not None and "STARTTLS" in error
