"""The audit log: who in the programme office opened personal data or made a vetting decision.

Kept in its own small module so any domain's views can record an entry without importing another
domain. Entries are only ever added (and deleted by retention); no view changes them.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.clock import utcnow
from mentoring.db import UTCDateTime
from mentoring.extensions import Model, db


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(40))  # the username then, kept if the account goes
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80), default="")  # e.g. "mentor:12", "user:7"
    detail: Mapped[str] = mapped_column(Text, default="")


AUDIT_ACTIONS = {
    "users_viewed": _l("Looked at the accounts"),
    "reset_link": _l("Made a password link for someone"),
    "invitation_created": _l("Invited an expert"),
    "mentors_viewed": _l("Opened the list of mentor parents"),
    "mentoring_ended": _l("Ended a mentoring"),
    "vetting_viewed": _l("Opened a mentor parent's vetting"),
    "vetting_decided": _l("Vetting decision"),
    "status_changed": _l("Changed a mentor parent's status"),
    "applicant_messaged": _l("Wrote to a mentor applicant"),
    "matching_viewed": _l("Opened the waiting families"),
    "family_entered": _l("Entered a family's request"),
    "family_assigned": _l("Assigned a family"),
    "mentorings_viewed": _l("Opened the mentorings"),
    "group_viewed": _l("Opened a parents' group"),
    "group_family_placed": _l("Placed a family in a parents' group"),
    "interpreters_viewed": _l("Opened the interpreter requests"),
    "survey_resent": _l("Sent a parent the survey again"),
    "comments_viewed": _l("Opened the parents' comments"),
    "comments_exported": _l("Exported the parents' comments"),
    "comment_marked": _l("Gave a parent's comment a theme or status"),
    "change_saved": _l("Saved a “You said, we did” entry"),
    "change_deleted": _l("Deleted a “You said, we did” entry"),
    "office_changed": _l("Changed the office's contact"),
    "district_added": _l("Added a district"),
    "district_changed": _l("Changed a district"),
    "topic_added": _l("Added a topic"),
    "topic_changed": _l("Changed a topic"),
    "referral_added": _l("Added a referral source"),
    "referral_changed": _l("Changed a referral source"),
    "learning_recorded": _l("Added to a mentor parent's qualification record"),
    "group_session_viewed": _l("Opened who booked a group session"),
    "attendance_recorded": _l("Recorded who came to a group session"),
    "concerns_viewed": _l("Opened the mentor parents' open concerns"),
    "concern_viewed": _l("Opened a mentor parent's concern"),
    "concern_answered": _l("Answered a mentor parent's concern"),
    "concern_closed": _l("Closed a mentor parent's concern"),
}


def audit(action: str, subject: str = "", detail: str = "") -> None:
    """Record what the logged-in coordinator did; the caller's commit stores it with the change."""
    assert action in AUDIT_ACTIONS, action
    db.session.add(
        AuditEntry(
            actor_id=current_user.id,
            actor=current_user.username,
            action=action,
            subject=subject,
            detail=detail,
        )
    )


def audit_entries(limit: int = 200) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
    )
