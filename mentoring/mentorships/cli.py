import click
from flask.cli import AppGroup

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import chores, messages, relationship, services
from mentoring.mentorships.models import EndedBy
from mentoring.surveys import services as surveys

mentoring_cli = AppGroup("mentoring", help="Daily mentoring chores (run from cron).")


@mentoring_cli.command("daily")
def daily() -> None:
    """Expire requests, pause old certificates, ask trial reviews, end mentorings, remind coordinators."""
    now = utcnow()
    today = now.date()
    expired = services.expire_requests(now)
    for match in expired:
        messages.request_expired(match)
    paused = services.pause_expired_certificates(today)
    asked = relationship.trial_reviews_due(today)
    for match in asked:
        messages.trial_review(match)
    completed = relationship.complete_at_planned_end(today)
    for match in completed:
        messages.ended(match, EndedBy.PLATFORM)
    surveyed = [m for m in relationship.three_months_in(today) if surveys.invite_for_mentoring(m, "3m")]
    digest = chores.collect_digest(today)
    told = messages.coordinator_digest(digest) if digest else 0
    forgotten = chores.forget_vetting_facts(today)
    db.session.commit()
    click.echo(
        f"{len(expired)} requests expired, {paused} mentors paused, {len(asked)} trial reviews asked, "
        f"{len(completed)} mentorings completed, {told} coordinators reminded, "
        f"{forgotten} vetting records deleted, {len(surveyed)} families asked for a survey"
    )
