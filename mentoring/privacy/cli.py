import click
from flask.cli import AppGroup

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.privacy import services

retention_cli = AppGroup("retention", help="Delete or anonymise old personal data (run daily from cron).")


@retention_cli.command("purge")
def purge() -> None:
    """Anonymise old bookings; delete old messages, waitlist entries, links and audit entries."""
    counts = services.purge(utcnow())
    db.session.commit()
    click.echo(", ".join(f"{count} {what}" for what, count in counts.items()))
