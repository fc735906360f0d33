"""iCalendar files: one for a parent's booking, a private feed for an expert's own calendar."""

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from mentoring.clock import utcnow
from mentoring.consultations.expert_services import agenda
from mentoring.consultations.models import SEAT_HOLDING, Booking, CallDirection, ContactMode, ExpertProfile


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//mentoring//consultation hours//EN")
    calendar.add("version", "2.0")
    return calendar


def local(moment):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def booking_calendar(booking: Booking, video_url: str | None, manage_url: str | None) -> bytes:
    """The parent's appointment, in the parent's language, with TZID Europe/Berlin."""
    slot = booking.slot
    with force_locale(booking.locale):
        # Discreet: a neutral title and no name, topic or programme anyone could read over a shoulder.
        if booking.discreet:
            summary = _("Appointment")
        else:
            summary = _("Consultation with %(name)s", name=slot.expert.display_name)
        if slot.mode == ContactMode.ONLINE:
            how = _("Online. Join the video call here: %(url)s", url=video_url or "")
        elif slot.call_direction == CallDirection.PARENT_CALLS and slot.call_number:
            how = _("By phone. Please call %(number)s at this time.", number=slot.call_number)
        elif booking.discreet:
            how = _("By phone. You will be called at this time.")
        else:
            how = _("By phone. %(name)s will call you at this time.", name=slot.expert.display_name)
        lines = [how, _("Booking reference: %(reference)s", reference=booking.reference)]
        if manage_url:
            lines.append(_("Cancel or change: %(url)s", url=manage_url))
    event = Event()
    event.add("uid", f"booking-{booking.reference}@mentoring")
    event.add("dtstamp", utcnow())
    event.add("dtstart", local(slot.starts_at))
    event.add("dtend", local(slot.ends_at))
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    if video_url:
        event.add("location", video_url)
    calendar = new_calendar()
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def expert_feed(expert: ExpertProfile) -> bytes:
    """The expert's slots from a week ago to three months ahead; references only, no contacts."""
    now = utcnow()
    calendar = new_calendar()
    with force_locale(expert.user.locale):
        for slot, bookings in agenda(expert, now - timedelta(days=7), now + timedelta(days=92)):
            held = [b for b in bookings if b.status in SEAT_HOLDING]
            event = Event()
            event.add("uid", f"slot-{slot.id}@mentoring")
            event.add("dtstamp", now)
            event.add("dtstart", local(slot.starts_at))
            event.add("dtend", local(slot.ends_at))
            event.add(
                "summary",
                _("Consultation: %(booked)d of %(seats)d booked", booked=len(held), seats=slot.capacity),
            )
            event.add("description", " ".join(b.reference for b in held))
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
