from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.db import TagList, UTCDateTime, str_enum
from mentoring.extensions import Model


class ContactMode(StrEnum):
    PHONE = "phone"
    ONLINE = "online"


class CallDirection(StrEnum):
    EXPERT_CALLS = "expert_calls"  # the expert calls the parent's number
    PARENT_CALLS = "parent_calls"  # the parent calls the number shown after booking


class SlotStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    HELD = "held"  # offered from the waitlist: the seat is kept for this parent until hold_until
    LAPSED = "lapsed"  # a hold nobody took; the seat went to the next waiting parent
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED_BY_PARENT = "cancelled_by_parent"
    CANCELLED_BY_EXPERT = "cancelled_by_expert"
    MOVED = "moved"


# Every state in which a booking holds a seat; capacity counts exactly these.
SEAT_HOLDING = (BookingStatus.HELD, BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class ExpertProfile(Model):
    """What parents see of an expert, and the defaults for new slots."""

    __tablename__ = "expert_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    profession: Mapped[str] = mapped_column(String(80), default="")
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    call_number: Mapped[str | None] = mapped_column(String(32))
    # Private calendar feed: only the hash of the token is stored; revoking clears it.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name


class SlotSettings:
    """Columns a series and its slots share."""

    mode: Mapped[ContactMode] = mapped_column(str_enum(ContactMode, 8))
    call_direction: Mapped[CallDirection] = mapped_column(
        str_enum(CallDirection, 16), default=CallDirection.EXPERT_CALLS
    )
    call_number: Mapped[str | None] = mapped_column(String(32))
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    topics: Mapped[list[str]] = mapped_column(TagList, default=list)
    capacity: Mapped[int] = mapped_column(default=1)
    min_notice_hours: Mapped[int] = mapped_column(default=12)
    horizon_days: Mapped[int] = mapped_column(default=60)
    cancel_deadline_hours: Mapped[int] = mapped_column(default=12)


class SlotSeries(SlotSettings, Model):
    """A weekly rule: every <weekday> from first to last date, slots of <length> minutes."""

    __tablename__ = "slot_series"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_length_range"),
        CheckConstraint("capacity BETWEEN 1 AND 50", name="capacity_range"),
        CheckConstraint("first_date <= last_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert_profiles.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int]
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    skipped_dates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates off
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[ExpertProfile] = relationship()


class Slot(SlotSettings, Model):
    """One bookable time with `capacity` seats; `booked_count` counts seat-holding bookings."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("booked_count <= capacity", name="not_overbooked"),
        CheckConstraint("booked_count >= 0", name="booked_count_positive"),
        CheckConstraint("capacity BETWEEN 1 AND 50", name="capacity_range"),
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
        UniqueConstraint("expert_id", "starts_at", name="one_slot_per_start"),
        Index("ix_slots_open_start", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert_profiles.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("slot_series.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # starts_at minus horizon / minimum notice, kept with the slot so listing is one indexed query.
    bookable_from: Mapped[datetime] = mapped_column(UTCDateTime)
    bookable_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    booked_count: Mapped[int] = mapped_column(default=0)
    # Audience rule: a mentor parent's meeting slot, bookable only by their own active families.
    host_mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SlotStatus] = mapped_column(str_enum(SlotStatus, 10), default=SlotStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[ExpertProfile] = relationship()

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked_count, 0)


class ContactColumns:
    """Who a parent is and how to reach them: the same few details for a booking and the waitlist."""

    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    # The phone (E.164) or else the e-mail (lower case): one key for the per-contact limits.
    contact_key: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(16))
    privacy_version: Mapped[str] = mapped_column(String(16))


class Booking(ContactColumns, Model):
    """A parent's seat in a slot; reached by the parent only through the private manage link."""

    __tablename__ = "bookings"
    __table_args__ = (
        # A booking reaches its parent, unless its personal data has been deleted (statistics stay).
        CheckConstraint(
            "phone IS NOT NULL OR email IS NOT NULL OR anonymised_at IS NOT NULL", name="has_contact"
        ),
        Index("ix_bookings_contact_status", "contact_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # None once the booking is anonymised: the manage link then opens nothing.
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus, 24), default=BookingStatus.CONFIRMED
    )
    note: Mapped[str] = mapped_column(Text, default="")
    video_room: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Asked separately from the booking consent: may we send a short anonymous survey afterwards?
    survey_consent: Mapped[bool] = mapped_column(default=False)
    # Neutral sender, subject, SMS and calendar title: for a shared or watched phone.
    discreet: Mapped[bool] = mapped_column(default=False)
    # The parent answered the reminder with "I'll be there".
    says_coming: Mapped[bool] = mapped_column(default=False)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))

    slot: Mapped[Slot] = relationship()
    interpreter: Mapped["InterpreterRequest | None"] = relationship(back_populates="booking", uselist=False)

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    LEFT = "left"


class WaitlistEntry(ContactColumns, Model):
    """A parent waiting for a time that fits (topic, language, mode, within some weeks)."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_contact"),
        Index("ix_waitlist_entries_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the link to leave
    status: Mapped[WaitlistStatus] = mapped_column(
        str_enum(WaitlistStatus, 10), default=WaitlistStatus.WAITING
    )
    topic: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    mode: Mapped[str | None] = mapped_column(String(8))
    until: Mapped[date] = mapped_column(Date)
    discreet: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The account that joined, if logged in (its data export and deletion find the entry by it).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Slots this parent already let pass ("1,2"): not offered again.
    passed_slots: Mapped[list[str]] = mapped_column(TagList, default=list)


class InterpreterRequest(Model):
    """A parent asked for an interpreter for a booking; the programme office arranges one."""

    __tablename__ = "interpreter_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    mode: Mapped[str] = mapped_column(String(8))  # "phone" | "video"
    is_arranged: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="interpreter")
