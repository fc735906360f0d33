import click
from flask.cli import AppGroup

from mentoring import clock
from mentoring.extensions import db
from mentoring.mentorships import chores, groups, messages, qualification, relationship, services, vetting

mentoring_cli = AppGroup("mentoring", help="Daily mentoring chores (run from cron).")


@mentoring_cli.command("daily")
def daily() -> None:
    """Expire requests, pause old certificates, ask trial reviews, end mentorings, remind coordinators."""
    now = clock.utcnow()
    today = clock.today(now)
    expired = services.expire_requests(now)
    paused = vetting.pause_expired_certificates(today)
    asked = relationship.trial_reviews_due(today)
    completed = relationship.complete_at_planned_end(today)
    surveyed = relationship.ask_three_month_surveys(today)
    groups_ended = groups.end_finished_cohorts(today, now)
    digest = chores.collect_digest(today)
    digest.no_exchange = qualification.exchange_gaps(today)
    told = messages.coordinator_digest(digest) if digest else 0
    forgotten = chores.forget_vetting_facts(today)
    db.session.commit()
    click.echo(
        f"{len(expired)} requests expired, {paused} mentors paused, {len(asked)} trial reviews asked, "
        f"{len(completed)} mentorings completed, {told} coordinators reminded, "
        f"{forgotten} vetting records deleted, {surveyed} families asked for a survey, "
        f"{len(groups_ended)} groups ended"
    )
