import click
from flask.cli import AppGroup

from mentoring.clock import today, utcnow
from mentoring.extensions import db
from mentoring.surveys import release, services

surveys_cli = AppGroup("surveys", help="Survey chores (run daily from cron).")


@surveys_cli.command("daily")
def daily() -> None:
    """Release pooled answers in batches, seal ended quarters, and let expired links forget."""
    now = utcnow()
    forgotten = services.forget_expired_contacts(now)
    db.session.commit()
    result = release.release_answers(today(now))
    db.session.commit()
    click.echo(f"{forgotten} expired survey links forgot their contact")
    click.echo(
        f"{result.released} answers released, {result.sealed} quarters sealed, "
        f"{result.dropped} answers dropped (fewer than 5 in a sealed quarter)"
    )
