import click
from flask.cli import AppGroup

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.mentorships import messages, services

mentoring_cli = AppGroup("mentoring", help="Daily mentoring chores (run from cron).")


@mentoring_cli.command("daily")
def daily() -> None:
    """Expire unanswered requests (families are told) and pause mentors with an old certificate."""
    now = utcnow()
    expired = services.expire_requests(now)
    for match in expired:
        messages.request_expired(match)
    paused = services.pause_expired_certificates(now.date())
    db.session.commit()
    click.echo(f"{len(expired)} requests expired, {paused} mentors paused")
