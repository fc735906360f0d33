import click
from flask.cli import AppGroup

from mentoring.clock import utcnow
from mentoring.consultations import booking as booking_rules
from mentoring.extensions import db

consultations_cli = AppGroup("consultations", help="Consultation chores (run from cron).")


@consultations_cli.command("holds")
def holds() -> None:
    """Seats held for waiting parents who did not take them in time go to the next one (every 5 min)."""
    lapsed = booking_rules.lapse_holds(utcnow())
    db.session.commit()
    click.echo(f"{lapsed} holds lapsed")
