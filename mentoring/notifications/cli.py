import click
from flask import current_app
from flask.cli import AppGroup

from mentoring.notifications import services

outbox_cli = AppGroup("outbox", help="Deliver queued e-mails and SMS.")


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send(limit: int) -> None:
    """Deliver due messages; safe to run every minute from cron on several machines."""
    sent, failed = services.deliver_due_messages(current_app.config["OUTBOX_MAX_ATTEMPTS"], limit=limit)
    click.echo(f"sent {sent}, failed {failed}")
