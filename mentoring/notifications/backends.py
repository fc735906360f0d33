"""Delivery backends for outbox messages: SMTP, a file folder for the demo, an SMS gateway."""

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from flask import current_app

from mentoring.notifications.models import Channel, OutboxMessage


class DeliveryError(Exception):
    """Delivery failed for a reason worth retrying later (server down, refused, timeout)."""


class Backend(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message.sender or current_app.config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    # A stable id lets the receiving side drop a duplicate if a retry follows a lost reply.
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    # After add_alternative, which moves Content-* headers into the first part.
    email["Content-Language"] = message.locale
    return email


def tls_context() -> ssl.SSLContext:
    """TLS that verifies the relay's certificate and name (system CAs, or MAIL_CA_FILE)."""
    return ssl.create_default_context(cafile=current_app.config["MAIL_CA_FILE"] or None)


def smtp_connection() -> smtplib.SMTP:
    """A connection as MAIL_SECURITY says: implicit TLS, or STARTTLS that is never skipped (a relay
    that does not offer it fails the delivery rather than getting the links in clear), or none."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_SECURITY"] == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if config["MAIL_SECURITY"] != "none":
        try:
            smtp.starttls(context=tls_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


class SmtpBackend:
    def send(self, message: OutboxMessage) -> None:
        config = current_app.config
        try:
            with smtp_connection() as smtp:
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(build_email(message))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP: {error}") from error


class FileBackend:
    """Writes each e-mail as an .eml file, so the demo shows what would have been sent."""

    def send(self, message: OutboxMessage) -> None:
        folder = Path(current_app.config["MAIL_FILE_DIR"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{message.id:08d}-{message.channel}.eml"
            if message.channel == Channel.EMAIL:
                path.write_bytes(bytes(build_email(message)))
            else:
                path.write_text(f"To: {message.recipient}\n\n{message.body_text}", "utf-8")
        except OSError as error:
            raise DeliveryError(f"file: {error}") from error


class SmsGatewayBackend:
    """POSTs JSON {to, text} to the configured gateway with a bearer token."""

    def send(self, message: OutboxMessage) -> None:
        url = current_app.config["SMS_GATEWAY_URL"]
        if not url:
            raise DeliveryError("SMS_GATEWAY_URL is not configured")
        body = json.dumps({"to": message.recipient, "text": message.body_text}).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's config)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {current_app.config['SMS_GATEWAY_TOKEN']}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if response.status >= 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except (OSError, urllib.error.URLError) as error:
            raise DeliveryError(f"SMS gateway: {error}") from error


def backend_for(channel: Channel) -> Backend:
    if channel == Channel.SMS:
        if current_app.config["SMS_GATEWAY_URL"]:
            return SmsGatewayBackend()
        return FileBackend()
    if current_app.config["MAIL_BACKEND"] == "smtp":
        return SmtpBackend()
    return FileBackend()
