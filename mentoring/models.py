"""Every domain's models, imported in one place so Alembic and create_app see the whole schema."""

from mentoring.accounts.models import Invitation, PasswordResetToken, User
from mentoring.audit import AuditEntry
from mentoring.consultations.models import Booking, ExpertProfile, Slot, SlotSeries
from mentoring.mentorships.models import (
    Attendance,
    Cohort,
    CohortMeeting,
    CohortMember,
    MentorAway,
    MentoringMatch,
    MentorInvitation,
    MentorProfile,
)
from mentoring.notifications.models import OutboxMessage
from mentoring.offers.models import Offer
from mentoring.reference.models import District, Topic
from mentoring.surveys.changes import ChangeEntry, ChangeText
from mentoring.surveys.models import (
    InvitationCount,
    PooledAnswer,
    SpentLink,
    SurveyInvitation,
    SurveyLink,
    SurveyPeriod,
    SurveyResponse,
)
from mentoring.worker import JobRun

__all__ = [
    "Attendance",
    "AuditEntry",
    "Booking",
    "ChangeEntry",
    "ChangeText",
    "Cohort",
    "CohortMeeting",
    "CohortMember",
    "District",
    "ExpertProfile",
    "Invitation",
    "InvitationCount",
    "JobRun",
    "MentorAway",
    "MentorInvitation",
    "MentorProfile",
    "MentoringMatch",
    "Offer",
    "OutboxMessage",
    "PasswordResetToken",
    "PooledAnswer",
    "Slot",
    "SlotSeries",
    "SpentLink",
    "SurveyInvitation",
    "SurveyLink",
    "SurveyPeriod",
    "SurveyResponse",
    "Topic",
    "User",
]
