from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.db import TagList, UTCDateTime, str_enum
from mentoring.extensions import Model


class MentorStatus(StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"
    REJECTED = "rejected"


class ContactPreference(StrEnum):
    IN_PERSON = "in-person"
    PHONE = "phone"
    VIDEO = "video"


class MatchStatus(StrEnum):
    WAITING = "waiting"  # the family asked the programme office to find a mentor parent
    REQUESTED = "requested"
    ACTIVE = "active"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    ENDED = "ended"


class ReferralSource(StrEnum):
    """Who sent the family; feeds the participation reports."""

    KITA = "kita"
    MIDWIFE = "midwife"
    PAEDIATRICIAN = "paediatrician"
    FAMILY_CENTRE = "family_centre"
    SCHOOL = "school"
    SELF = "self"
    OTHER = "other"


class EndedBy(StrEnum):
    PARENT = "parent"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    PLATFORM = "platform"  # the planned end date was reached


class MentorProfile(Model):
    """A mentor parent: what they offer, and what the coordinators checked (§72a SGB VIII).

    Only facts about the certificate of conduct are stored (seen on, relevant conviction or not),
    never the certificate itself.
    """

    __tablename__ = "mentor_profiles"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),
        # The counter of active families can never pass capacity, whatever the application does.
        CheckConstraint("active_count >= 0 AND active_count <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    status: Mapped[MentorStatus] = mapped_column(
        str_enum(MentorStatus, 12), default=MentorStatus.APPLICANT, index=True
    )
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    districts: Mapped[list[str]] = mapped_column(TagList, default=list)
    age_groups: Mapped[list[str]] = mapped_column(TagList, default=list)
    topics: Mapped[list[str]] = mapped_column(TagList, default=list)
    contact_modes: Mapped[list[str]] = mapped_column(TagList, default=list)
    capacity: Mapped[int] = mapped_column(default=2)
    active_count: Mapped[int] = mapped_column(default=0)
    introduction: Mapped[str] = mapped_column(Text, default="")
    # Weekly availability as "<weekday>-<part of day>" tags, e.g. "mon-evening".
    availability: Mapped[list[str]] = mapped_column(TagList, default=list)
    # What an accepted family may see: "phone", "email".
    shares: Mapped[list[str]] = mapped_column(TagList, default=list)
    training_on: Mapped[date | None] = mapped_column(Date)
    certificate_seen_on: Mapped[date | None] = mapped_column(Date)
    certificate_has_relevant_entry: Mapped[bool | None]
    vetted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_reminded_on: Mapped[date | None] = mapped_column(Date)
    # How many of the coordinators' reminders about this applicant went out (APPLICANT_REMINDER_DAYS).
    applicant_reminders: Mapped[int] = mapped_column(default=0, server_default="0")
    # The day the office was told this mentor had no exchange or supervision for a while (once a gap).
    exchange_reminded_on: Mapped[date | None] = mapped_column(Date)
    # Came through the invitation sent after their own mentoring or group: only this fact is kept,
    # never which family they were.
    was_mentee: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.active_count, 0)


class MentorAway(Model):
    """A period (holiday, illness) in which a mentor gets no new requests."""

    __tablename__ = "mentor_away_periods"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="days_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class MentoringMatch(Model):
    """A parent and a mentor parent: requested → active → completed, or declined/expired/ended."""

    __tablename__ = "mentoring_matches"
    __table_args__ = (Index("ix_mentoring_matches_mentor_status", "mentor_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"))
    status: Mapped[MatchStatus] = mapped_column(str_enum(MatchStatus, 12), default=MatchStatus.REQUESTED)
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(TagList, default=list)
    contact_mode: Mapped[str | None] = mapped_column(String(16))
    # How well the family speaks each language, e.g. {"tr": "native", "de": "little"}.
    language_levels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(40), default="")
    ended_by: Mapped[str | None] = mapped_column(String(12))
    referral_source: Mapped[str | None] = mapped_column(String(20))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the mentor may see once they accept: "phone", "email".
    parent_shares: Mapped[list[str]] = mapped_column(TagList, default=list)
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    trial_review_on: Mapped[date | None] = mapped_column(Date)
    trial_answer: Mapped[str | None] = mapped_column(String(8))
    trial_asked: Mapped[bool] = mapped_column(default=False)
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    # How many of the coordinator's reminders were sent: unmatched (7/14/45 days), no contact (14/28).
    unmatched_reminders: Mapped[int] = mapped_column(default=0)
    no_contact_reminders: Mapped[int] = mapped_column(default=0)

    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    mentor: Mapped[MentorProfile | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])


class MentorContact(Model):
    """A contact the mentor logged; the note is private to the mentor, coordinators see counts."""

    __tablename__ = "mentor_contacts"
    __table_args__ = (CheckConstraint("minutes BETWEEN 0 AND 600", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("mentoring_matches.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12))  # a ContactPreference or "message"
    minutes: Mapped[int] = mapped_column(default=0)
    topics: Mapped[list[str]] = mapped_column(TagList, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LearningKind(StrEnum):
    """What a mentor parent keeps learning from: a training, or an exchange or supervision meeting."""

    TRAINING = "training"
    EXCHANGE = "exchange"
    SUPERVISION = "supervision"


class GroupSession(Model):
    """An exchange meeting, supervision or training the office offers to active mentor parents.

    The seat counter can never pass capacity, whatever the application does (as for consultations).
    """

    __tablename__ = "mentor_group_sessions"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 200", name="capacity_range"),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="not_overbooked"),
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LearningKind] = mapped_column(str_enum(LearningKind, 12))
    topic: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    is_online: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=12)
    booked_count: Mapped[int] = mapped_column(default=0)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupSeat(Model):
    """A mentor parent's place in a group session; `attended` is set by the office afterwards."""

    __tablename__ = "mentor_group_seats"
    __table_args__ = (UniqueConstraint("session_id", "mentor_id", name="one_seat_each"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_group_sessions.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True)
    attended: Mapped[bool | None]
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[GroupSession] = relationship()
    mentor: Mapped[MentorProfile] = relationship()


class LearningEntry(Model):
    """One line of a mentor parent's qualification record: a training, exchange or supervision."""

    __tablename__ = "mentor_learning_entries"
    __table_args__ = (
        Index("ix_mentor_learning_entries_mentor_on", "mentor_id", "on"),
        UniqueConstraint("mentor_id", "session_id", name="one_entry_per_session"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"))
    kind: Mapped[LearningKind] = mapped_column(str_enum(LearningKind, 12))
    on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200), default="")
    # Set when the entry comes from attendance at a group session (and goes if it is taken back).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_group_sessions.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConcernStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Concern(Model):
    """"I am worried / I need advice": a private thread between one mentor parent and the office.

    About one family (kept if the mentoring ends); only that mentor and coordinators may read it.
    """

    __tablename__ = "concerns"
    __table_args__ = (Index("ix_concerns_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("mentoring_matches.id", ondelete="CASCADE"), index=True)
    status: Mapped[ConcernStatus] = mapped_column(str_enum(ConcernStatus, 8), default=ConcernStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentor: Mapped[MentorProfile] = relationship()
    match: Mapped[MentoringMatch] = relationship()


class ConcernMessage(Model):
    """One message in a concern's thread, by the mentor or by a coordinator."""

    __tablename__ = "concern_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_from_office: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class CohortStatus(StrEnum):
    OPEN = "open"
    ENDED = "ended"


class Cohort(Model):
    """A group of families (Eltern-AG) led by one or two mentor parents over weekly meetings."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),
        # The counter of families can never pass the places, whatever the application does.
        CheckConstraint("member_count >= 0 AND member_count <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    district: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(default=20)
    place: Mapped[str] = mapped_column(String(120), default="")
    capacity: Mapped[int] = mapped_column(default=10)
    member_count: Mapped[int] = mapped_column(default=0)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True)
    co_mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CohortStatus] = mapped_column(str_enum(CohortStatus, 8), default=CohortStatus.OPEN)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[MentorProfile] = relationship(foreign_keys=[mentor_id])
    co_mentor: Mapped[MentorProfile | None] = relationship(foreign_keys=[co_mentor_id])

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.member_count, 0)


class CohortMeeting(Model):
    """One weekly group meeting of a cohort."""

    __tablename__ = "cohort_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")


class MemberStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class CohortMember(Model):
    """A family in a cohort."""

    __tablename__ = "cohort_members"
    __table_args__ = (
        UniqueConstraint("cohort_id", "parent_id", name="one_place_per_family"),
        # One running group per family, even when two joins race past the service's check.
        Index(
            "ix_cohort_members_one_running_group",
            "parent_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus, 10), default=MemberStatus.ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    parent: Mapped[User] = relationship()


class Attendance(Model):
    """A family was at a group meeting (a row per family present, none for those absent)."""

    __tablename__ = "cohort_attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="once_per_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("cohort_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_members.id", ondelete="CASCADE"), index=True)


class MentorInvitation(Model):
    """A family was invited to become a mentor parent: once per family, ever (unique)."""

    __tablename__ = "mentor_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
