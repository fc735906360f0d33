"""A parent's data: shown, downloaded as JSON, deleted; and what is kept how long.

Deleting keeps what the statistics need, in anonymised form: a booking keeps its slot, status,
district, age group and language, and a one-way hash of its contact in place of the contact (so
"families reached" still counts it once); every name, number, address and note goes.
"""

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from mentoring import clock, keys
from mentoring.accounts.models import Invitation, PasswordResetToken, User, UserSession
from mentoring.audit import AuditEntry
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import messages as booking_messages
from mentoring.consultations.models import (
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    ExpertProfile,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)
from mentoring.consultations.waitlist import contacts_of
from mentoring.extensions import db, rows_changed
from mentoring.mentorships import chores, relationship
from mentoring.mentorships.models import EndedBy, MatchStatus, MentorContact, MentoringMatch, MentorProfile
from mentoring.notifications.models import OutboxMessage, OutboxStatus
from mentoring.notifications.services import (
    cancel_pending,
    forget_mentions,
    forget_messages_of,
    forget_recipients,
    messages_for,
)
from mentoring.surveys.services import (
    forget_expired_contacts,
    forget_invitations,
    forget_invitations_to,
    invitation_status,
    invitations_for,
    message_link,
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def booking_data(booking: Booking) -> dict:
    slot = booking.slot
    return {
        "reference": booking.reference,
        "status": booking.status.value,
        "name": booking.name,
        "phone": booking.phone,
        "email": booking.email,
        "language": booking.locale,
        "district": booking.district,
        "age_group": booking.age_group,
        "note": booking.note,
        "survey_consent": booking.survey_consent,
        "discreet_messages": booking.discreet,
        "privacy_notice_version": booking.privacy_version,
        "booked_at": iso(booking.created_at),
        "appointment": {
            "starts_at": iso(slot.starts_at),
            "ends_at": iso(slot.ends_at),
            "mode": slot.mode.value,
            "with": slot.expert.display_name,
        },
        "interpreter": {"language": booking.interpreter.language, "mode": booking.interpreter.mode}
        if booking.interpreter
        else None,
    }


def user_data(user: User) -> dict:
    bookings = db.session.scalars(
        select(Booking).where(Booking.user_id == user.id).order_by(Booking.id)
    ).all()
    matches = db.session.scalars(
        select(MentoringMatch).where(MentoringMatch.parent_id == user.id).order_by(MentoringMatch.id)
    ).all()
    invitations = invitations_for(
        [f"booking:{b.id}" for b in bookings]
        + [f"match:{m.id}:{moment}" for m in matches for moment in ("3m", "end")]
    )
    data = {
        "account": {
            "username": user.username,
            "name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "language": user.locale,
            "survey_consent": user.survey_consent,
            "created_at": iso(user.created_at),
            "last_login_at": iso(user.last_login_at),
        },
        "bookings": [booking_data(booking) for booking in bookings],
        "mentoring": [
            {
                "status": match.status.value,
                "mentor_parent": match.mentor.user.name if match.mentor else None,
                "languages": match.languages,
                "district": match.district,
                "age_group": match.age_group,
                "topics": match.topics,
                "note": match.note,
                "shared_with_mentor": match.parent_shares,
                "referral": match.referral_source,
                "requested_at": iso(match.requested_at),
                "ended_at": iso(match.ended_at),
            }
            for match in matches
        ],
        # By the account only, never by a contact: anyone can type someone else's number.
        "waitlist": [waitlist_data(entry) for entry in waitlist_entries_of(frozenset(), user.id)],
        "survey_invitations": [{"status": invitation_status(i)} for i in invitations],
        "messages": [
            message_data(message) for message in messages_for(user.id, {message_link(i) for i in invitations})
        ],
    }
    mentor = db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == user.id)).first()
    if mentor is not None:
        data["mentor_profile"] = mentor_data(mentor)
    publisher = db.session.scalars(select(ExpertProfile).where(ExpertProfile.user_id == user.id)).first()
    if publisher is not None:
        data["publishing_profile"] = publisher_data(publisher)
    return data


def waitlist_data(entry: WaitlistEntry) -> dict:
    return {
        "status": entry.status.value,
        "name": entry.name,
        "phone": entry.phone,
        "email": entry.email,
        "language": entry.locale,
        "district": entry.district,
        "age_group": entry.age_group,
        "topic": entry.topic,
        "interpreter_language": entry.language,
        "mode": entry.mode,
        "waiting_until": entry.until.isoformat(),
        "discreet_messages": entry.discreet,
        "joined_at": iso(entry.created_at),
    }


def message_data(message: OutboxMessage) -> dict:
    """What was sent to the person and when: not the text (it may name others, such as the expert)."""
    return {
        "kind": message.template or "unknown",
        "channel": message.channel.value,
        "status": message.status.value,
        "written_at": iso(message.created_at),
        "due_at": iso(message.send_after),
        "sent_at": iso(message.sent_at),
    }


def mentor_data(profile: MentorProfile) -> dict:
    """A mentor parent's profile, their vetting facts and the contact log they wrote (the families
    by number only: their names are the families' data)."""
    contacts = db.session.execute(
        select(MentorContact, MentoringMatch.id)
        .join(MentoringMatch, MentoringMatch.id == MentorContact.match_id)
        .where(MentoringMatch.mentor_id == profile.id)
        .order_by(MentorContact.on, MentorContact.id)
    ).all()
    return {
        "status": profile.status.value,
        "languages": profile.languages,
        "districts": profile.districts,
        "age_groups": profile.age_groups,
        "topics": profile.topics,
        "contact_modes": profile.contact_modes,
        "capacity": profile.capacity,
        "introduction": profile.introduction,
        "availability": profile.availability,
        "shares": profile.shares,
        "training_on": iso_date(profile.training_on),
        "certificate_seen_on": iso_date(profile.certificate_seen_on),
        "certificate_has_relevant_entry": profile.certificate_has_relevant_entry,
        "status_reason": profile.status_reason,
        "vetted_at": iso(profile.vetted_at),
        "created_at": iso(profile.created_at),
        "contact_log": [
            {
                "family": f"mentoring {match_id}",
                "on": contact.on.isoformat(),
                "mode": contact.mode,
                "minutes": contact.minutes,
                "topics": contact.topics,
                "note": contact.note,
            }
            for contact, match_id in contacts
        ],
    }


def publisher_data(profile: ExpertProfile) -> dict:
    """An expert's (or a mentor parent's) publishing profile and times, each with how many
    bookings it has by status: no parent's name or contact."""
    slots = db.session.scalars(
        select(Slot).where(Slot.expert_id == profile.id).order_by(Slot.starts_at)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for slot_id, status, count in db.session.execute(
        select(Booking.slot_id, Booking.status, func.count())
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Slot.expert_id == profile.id)
        .group_by(Booking.slot_id, Booking.status)
    ):
        counts.setdefault(slot_id, {})[status.value] = count
    return {
        "profession": profile.profession,
        "languages": profile.languages,
        "call_number": profile.call_number,
        "times": [
            {
                "starts_at": iso(slot.starts_at),
                "ends_at": iso(slot.ends_at),
                "mode": slot.mode.value,
                "languages": slot.languages,
                "topics": slot.topics,
                "capacity": slot.capacity,
                "status": slot.status.value,
                "for_my_families_only": slot.host_mentor_id is not None,
                "bookings": counts.get(slot.id, {}),
            }
            for slot in slots
        ],
    }


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def pseudonym(contact_key: str) -> str:
    """One-way: the same contact always gives the same value, and nothing leads back to it."""
    return "anon:" + keys.sign("pseudonym", contact_key)[:32]


def anonymise_booking(booking: Booking, now: datetime) -> None:
    if booking.anonymised_at is not None:
        return
    cancel_pending(booking_messages.reminder_key(booking))
    forget_invitations([f"booking:{booking.id}"])
    booking.name = ""
    booking.phone = None
    booking.email = None
    booking.note = ""
    booking.cancel_reason = ""
    booking.video_room = None
    booking.user_id = None
    booking.contact_key = pseudonym(booking.contact_key)
    booking.manage_token_hash = None  # the manage link opens nothing from now on
    booking.anonymised_at = now


def waitlist_entries_of(contacts: frozenset[str], user_id: int | None = None) -> list[WaitlistEntry]:
    """The waitlist entries of a person, by any of their contacts (phone, e-mail in lower case)
    and by their account."""
    wanted = sorted(contacts)
    found = (
        WaitlistEntry.contact_key.in_(wanted)
        | func.lower(WaitlistEntry.email).in_(wanted)
        | WaitlistEntry.phone.in_(wanted)
    )
    if user_id is not None:
        found = found | (WaitlistEntry.user_id == user_id)
    elif not contacts:
        return []
    return list(db.session.scalars(select(WaitlistEntry).where(found).order_by(WaitlistEntry.id)))


def forget_waitlist(contacts: frozenset[str], now: datetime, user_id: int | None = None) -> int:
    """The person's waitlist entries go (by contact and account); a seat held for them is freed
    (for someone else) and the hold's booking anonymised. Returns how many entries were deleted."""
    entries = waitlist_entries_of(contacts, user_id)
    ids = [entry.id for entry in entries]
    if not ids:
        return 0
    for entry in entries:
        entry.status = WaitlistStatus.LEFT  # not offered the seats freed below
    held = db.session.scalars(
        select(Booking).where(Booking.waitlist_entry_id.in_(ids), Booking.status == BookingStatus.HELD)
    ).all()
    for booking in held:
        booking_rules.end_booking(booking, BookingStatus.LAPSED, "", contacts)
        anonymise_booking(booking, now)
    db.session.execute(
        update(Booking)
        .where(Booking.waitlist_entry_id.in_(ids))
        .values(waitlist_entry_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.execute(delete(WaitlistEntry).where(WaitlistEntry.id.in_(ids)))
    return len(ids)


def forget_contacts(contacts: frozenset[str], now: datetime) -> None:
    """Nothing is kept for, or sent to, these contacts any more: waitlist entries, every outbox row
    (blanked; the unsent ones cancelled), and survey invitations that still hold them. Only the
    reminders of bookings not deleted that hold the same contact stay (contacts are not verified:
    deleting one booking must not silence another appointment's reminder)."""
    forget_waitlist(contacts, now)
    forget_invitations_to(contacts)
    db.session.flush()
    still_booked = db.session.scalars(
        select(Booking).where(Booking.contact_key.in_(sorted(contacts)), Booking.anonymised_at.is_(None))
    ).all()
    forget_recipients(sorted(contacts), {booking_messages.reminder_key(b) for b in still_booked})
    db.session.flush()


def booking_contacts(booking: Booking) -> frozenset[str]:
    if booking.anonymised_at is not None:
        return frozenset()
    return contacts_of(booking.email, booking.phone, booking.contact_key)


def forget_booking(booking: Booking, now: datetime, also: frozenset[str] = frozenset()) -> None:
    """Delete a booking's personal data; an appointment still to come is cancelled first.

    The person goes everywhere with it: their waitlist entries, their messages (cancelled and
    blanked) and survey invitations; the freed seat is never offered to the same contact.
    """
    contacts = booking_contacts(booking) | also
    forget_waitlist(contacts, now)
    if booking.status in SEAT_HOLDING and booking.slot.starts_at > now:
        if booking.status == BookingStatus.HELD:
            booking_rules.end_booking(booking, BookingStatus.LAPSED, "", contacts)
        else:
            booking_rules.end_booking(booking, BookingStatus.CANCELLED_BY_PARENT, "", contacts)
            booking_messages.tell_expert(booking, "expert_booking_cancelled")
    anonymise_booking(booking, now)
    forget_contacts(contacts, now)


# Messages to others that name a parent: the programme office's daily digest.
NAMING_PARENTS = frozenset({"mentorships/coordinator_digest"})


def forget_parent(user: User, now: datetime) -> None:
    """A parent deletes their account: mentorings end, bookings are anonymised, the account emptied,
    and their contacts are forgotten everywhere (waitlist, outbox, survey invitations).

    The account is emptied first: the messages that ending a mentoring queues (the mentor is told)
    then carry no name or address of the parent, and no survey invitation is made for them.
    """
    bookings = db.session.scalars(select(Booking).where(Booking.user_id == user.id)).all()
    contacts = contacts_of(user.email, user.phone).union(*(booking_contacts(b) for b in bookings))
    forget_waitlist(contacts, now, user.id)
    names = {user.display_name, user.username}
    user.username = f"deleted-{secrets.token_hex(6)}"
    user.display_name = ""
    user.email = None
    user.phone = None
    user.password_hash = secrets.token_hex(32)  # no password matches a random non-hash
    user.is_active_account = False
    user.survey_consent = False
    user.session_version += 1  # every open session ends
    for match in db.session.scalars(select(MentoringMatch).where(MentoringMatch.parent_id == user.id)).all():
        if match.status == MatchStatus.ACTIVE:
            relationship.end_match(match.id, "other", EndedBy.PARENT, now)
        elif match.status in (MatchStatus.WAITING, MatchStatus.REQUESTED):
            match.status = MatchStatus.ENDED
            match.end_reason, match.ended_by, match.ended_at = "other", EndedBy.PARENT.value, now
        forget_invitations([f"match:{match.id}:3m", f"match:{match.id}:end"])
        match.note = ""
        match.parent_shares = []
        db.session.execute(update(MentorContact).where(MentorContact.match_id == match.id).values(note=""))
    for booking in db.session.scalars(select(Booking).where(Booking.user_id == user.id)).all():
        forget_booking(booking, now, contacts)  # with a hold the waitlist gave the account
    forget_contacts(contacts, now)
    forget_messages_of(user.id)
    forget_mentions(NAMING_PARENTS, names)
    db.session.flush()


# Retention ----------------------------------------------------------------------------------------


def purge(now: datetime) -> dict[str, int]:
    """Delete or anonymise what is older than its period; safe to run every day."""
    config = current_app.config
    days = lambda name: now - timedelta(days=config[name])  # noqa: E731
    counts: dict[str, int] = {}
    old_bookings = db.session.scalars(
        select(Booking)
        .join(Booking.slot)
        .where(Booking.anonymised_at.is_(None), Slot.ends_at < days("BOOKING_RETENTION_DAYS"))
    ).all()
    for booking in old_bookings:
        anonymise_booking(booking, now)
    counts["bookings anonymised"] = len(old_bookings)
    counts["messages deleted"] = rows_changed(
        delete(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.PENDING,
            OutboxMessage.created_at < days("OUTBOX_RETENTION_DAYS"),
        )
    )
    counts["waitlist entries deleted"] = rows_changed(
        delete(WaitlistEntry).where(
            or_(
                WaitlistEntry.status.in_((WaitlistStatus.LEFT, WaitlistStatus.BOOKED)),
                WaitlistEntry.until < clock.today(now),
            ),
            WaitlistEntry.created_at < days("WAITLIST_RETENTION_DAYS"),
        )
    )
    counts["reset links deleted"] = rows_changed(
        delete(PasswordResetToken).where(PasswordResetToken.expires_at < now)
    )
    # Sessions nobody logged out of: past the absolute lifetime they open nothing, so they go.
    counts["sessions deleted"] = rows_changed(
        delete(UserSession).where(
            UserSession.created_at < now - timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
        )
    )
    counts["invitations deleted"] = rows_changed(
        delete(Invitation).where(
            or_(Invitation.used_at.is_not(None), Invitation.expires_at < now),
            Invitation.created_at < days("INVITATION_RETENTION_DAYS"),
        )
    )
    ended_long_ago = select(MentoringMatch.id).where(
        MentoringMatch.ended_at < days("CONTACT_NOTE_RETENTION_DAYS")
    )
    counts["contact notes cleared"] = rows_changed(
        update(MentorContact)
        .where(MentorContact.match_id.in_(ended_long_ago), MentorContact.note != "")
        .values(note="")
    )
    counts["survey links forgotten"] = forget_expired_contacts(now)
    counts["vetting records deleted"] = chores.forget_vetting_facts(clock.today(now))
    counts["audit entries deleted"] = rows_changed(
        delete(AuditEntry).where(AuditEntry.at < days("AUDIT_RETENTION_DAYS"))
    )
    db.session.flush()
    return counts
