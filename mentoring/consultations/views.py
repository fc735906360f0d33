"""Parents: find a time, book it in three short steps, manage it through the private link."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.clock import local_date, parse_day, today
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import bp, seats
from mentoring.consultations import interpreters as interpreter_rules
from mentoring.consultations import messages as booking_messages
from mentoring.consultations import slots as slot_rules
from mentoring.consultations.calendar import booking_calendar, expert_feed
from mentoring.consultations.forms import BookingForm, MoveForm
from mentoring.consultations.models import ContactMode
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.links import public_url
from mentoring.ratelimits import rate_limit
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    message_language_choices,
    spoken_language_choices,
    topic_choices,
    topic_names,
)
from mentoring.security import Role, public, query_values


def parse_filters(args, topics: list[tuple[str, str]]) -> slot_rules.SlotFilter:
    """Filters from the query string; anything unknown is ignored rather than an error."""
    topic = args.get("topic") if args.get("topic") in dict(topics) else None
    language = args.get("language") if args.get("language") in KNOWN_LANGUAGES else None
    mode = ContactMode(args["mode"]) if args.get("mode") in {m.value for m in ContactMode} else None
    day = parse_day(args.get("date"))
    return slot_rules.SlotFilter(topic=topic, language=language, mode=mode, day=day)


def slot_page_context(topics: list[tuple[str, str]] | None = None) -> dict:
    return {
        "topic_names": dict(topics) if topics is not None else topic_names(),
        "language_names": {code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
    }


PAGE_SIZE = 20
MAX_PAGE = 100


@bp.get("/consultations")
@public
def slots():
    topics = topic_choices()  # once per request: filter check, filter form and slot cards
    filters = parse_filters(request.args, topics)
    asked = request.args.get("page", "1")
    page = min(int(asked), MAX_PAGE) if asked.isdigit() and int(asked) > 0 else 1
    # One more than shown tells whether a next page exists, without counting every row.
    found = slot_rules.list_bookable_slots(filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    # The other filters again; typed as url_for's **values (Any), which it turns into the query string.
    args = query_values(request.args, drop=frozenset({"page", "lang"}))
    return render_template(
        "consultations/slots.html",
        slots=found[:PAGE_SIZE],
        page=page,
        next_url=url_for(".slots", page=page + 1, **args) if len(found) > PAGE_SIZE else None,
        previous_url=url_for(".slots", page=page - 1, **args) if page > 1 else None,
        filters=filters,
        topic_choices=topics,
        language_choices=spoken_language_choices(),
        **slot_page_context(topics),
    )


PRINT_WEEKS = 2


@bp.get("/consultations/print")
@public
def print_slots():
    """A sheet for flyers and notice boards: the coming two weeks, by day, with a QR code."""
    topics = topic_choices()
    start = today()
    filters = slot_rules.SlotFilter(date_from=start, date_to=start + timedelta(days=7 * PRINT_WEEKS - 1))
    found = slot_rules.list_bookable_slots(filters, limit=400)
    days: dict = {}
    for slot in found:
        days.setdefault(local_date(slot.starts_at), []).append(slot)
    return render_template(
        "consultations/print.html",
        days=days,
        first=start,
        last=filters.date_to,
        booking_url=public_url("consultations.slots"),
        **slot_page_context(topics),
    )


def booking_form() -> BookingForm:
    form = BookingForm()
    form.locale.choices = message_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    form.age_group.choices = age_group_choices(str(PREFER_NOT_TO_SAY))
    if request.method == "GET":
        form.locale.data = str(get_locale())
        if current_user.is_authenticated and current_user.role == Role.PARENT:
            form.name.data = current_user.display_name or current_user.username
            form.phone.data = current_user.phone
            form.email.data = current_user.email
            form.locale.data = current_user.locale
    return form


@bp.route("/consultations/slots/<int:slot_id>/book", methods=["GET", "POST"])
@rate_limit("BOOKING_RATE_LIMIT")
@public
def book(slot_id: int):
    slot = slot_rules.get_slot(slot_id)
    user_id = current_user.id if current_user.is_authenticated else None
    if slot is None or not seats.may_book(slot, user_id):
        abort(404)  # a mentor parent's meeting time is not shown to anyone else
    if not slot_rules.is_bookable(slot.id) and request.method == "GET":
        flash(_("This time can no longer be booked. Please choose another one."), "error")
        return redirect(url_for(".slots"), 303)
    form = booking_form()
    if form.validate_on_submit():
        try:
            booking, token = booking_rules.book_slot(slot_id, form.contact(user_id))
            if form.interpreter.data:
                interpreter_rules.request_interpreter(
                    booking, form.interpreter_language.data, form.interpreter_mode.data
                )
        except seats.BookingError as error:
            db.session.rollback()
            if error.code in {"full", "unavailable", "audience"}:
                flash(str(error.message), "error")
                if slot.host_mentor_id:
                    return redirect(url_for("mentorships.start"), 303)
                return redirect(url_for(".slots", **next_times_args(slot)), 303)
            return render_template(
                "consultations/book.html",
                form=form,
                slot=slot,
                refused=str(error.message),
                offer_interpreter=True,
                **slot_page_context(),
            ), 409
        db.session.commit()
        return redirect(url_for(".manage", token=token, new=1), 303)
    return render_template(
        "consultations/book.html",
        form=form,
        slot=slot,
        refused=None,
        offer_interpreter=str(get_locale()) not in slot.languages or bool(form.interpreter.data),
        **slot_page_context(),
    ), (422 if form.errors else 200)


def next_times_args(slot) -> dict:
    """After losing a race: the list filtered like the lost slot, so the next times show first."""
    args = {"mode": slot.mode.value}
    if slot.topics:
        args["topic"] = slot.topics[0]
    return args


def own_booking_or_404(token: str):
    booking = booking_rules.get_own_booking(token)
    if booking is None:
        abort(404)
    return booking


@bp.get("/booking/<token>")
@public
def manage(token: str):
    booking = own_booking_or_404(token)
    return render_template(
        "consultations/manage.html",
        booking=booking,
        slot=booking.slot,
        token=token,
        manage_link=booking_messages.manage_url(booking, token),
        is_new=request.args.get("new") == "1",
        can_change=booking_rules.can_change(booking),
        video_url=booking_messages.video_url(booking),
        **slot_page_context(),
    )


@bp.get("/booking/<token>/calendar.ics")
@public
def booking_ics(token: str):
    booking = own_booking_or_404(token)
    body = booking_calendar(
        booking, booking_messages.video_url(booking), booking_messages.manage_url(booking, token)
    )
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="termin-{booking.reference}.ics"',
        },
    )


@bp.post("/booking/<token>/cancel")
@public
def cancel(token: str):
    booking = own_booking_or_404(token)
    try:
        booking_rules.cancel_by_parent(booking, token)
    except seats.BookingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".manage", token=token), 303)
    db.session.commit()
    flash(_("Your appointment is cancelled. Thank you for letting us know."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.post("/booking/<token>/survey-consent")
@public
def survey_consent(token: str):
    """Agree to, or withdraw from, the survey after the appointment."""
    booking = own_booking_or_404(token)
    booking.survey_consent = request.form.get("consent") == "yes"
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.route("/booking/<token>/move", methods=["GET", "POST"])
@rate_limit("BOOKING_RATE_LIMIT")
@public
def move(token: str):
    booking = own_booking_or_404(token)
    if not booking_rules.can_change(booking):
        flash(_("It is too late to change this appointment. Please call the programme office."), "error")
        return redirect(url_for(".manage", token=token), 303)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            booking_rules.move_booking(booking, token, filled(form.slot_id.data))
        except seats.BookingError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for(".move", token=token), 303)
        db.session.commit()
        flash(_("Your appointment has been moved."), "success")
        return redirect(url_for(".manage", token=token), 303)
    filters = slot_rules.SlotFilter(
        host_mentor=booking.slot.host_mentor_id, exclude_ids=frozenset({booking.slot_id})
    )
    choices = slot_rules.list_bookable_slots(filters, limit=60)
    return render_template(
        "consultations/move.html",
        booking=booking,
        token=token,
        form=form,
        slots=choices,
        **slot_page_context(),
    ), (422 if form.errors else 200)


@bp.get("/calendar/<token>.ics")
@public
def expert_calendar(token: str):
    from mentoring.consultations.expert_services import expert_by_feed_token

    expert = expert_by_feed_token(token)
    if expert is None:
        abort(404)
    return expert_feed(expert), 200, {"Content-Type": "text/calendar; charset=utf-8"}
