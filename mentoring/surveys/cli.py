import click
from flask.cli import AppGroup

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.surveys import services

surveys_cli = AppGroup("surveys", help="Survey chores (run daily from cron).")


@surveys_cli.command("daily")
def daily() -> None:
    """Expired survey links forget the parent's e-mail and phone."""
    forgotten = services.forget_expired_contacts(utcnow())
    db.session.commit()
    click.echo(f"{forgotten} expired survey links forgot their contact")
