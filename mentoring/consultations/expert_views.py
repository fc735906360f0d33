"""Experts publish slots and series and keep their agenda; coordinators keep the topic list."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.clock import at, day_bounds, local_date, local_now, parse_day, today
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import bp, expert_services, seats, services, waitlist
from mentoring.consultations.forms import (
    WEEKDAY_LABELS,
    DayOffForm,
    ExpertProfileForm,
    ReasonForm,
    SeriesForm,
    SlotForm,
)
from mentoring.consultations.models import CallDirection, ContactMode, SlotSeries
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.reference.choices import spoken_language_choices, topic_choices
from mentoring.security import Role, role_required

expert_only = role_required(Role.EXPERT)


def my_profile() -> services.ExpertProfile:
    return services.expert_profile_of(current_user)


def spec_from(form) -> services.SlotSpec:
    return services.SlotSpec(
        mode=ContactMode(form.mode.data),
        call_direction=CallDirection(form.call_direction.data or CallDirection.EXPERT_CALLS),
        call_number=form.call_number.data or None,
        languages=list(form.languages.data),
        topics=list(form.topics.data),
        capacity=form.capacity.data,
        min_notice_hours=form.min_notice_hours.data,
        horizon_days=form.horizon_days.data,
        cancel_deadline_hours=form.cancel_deadline_hours.data,
    )


def prepare(form, profile):
    form.languages.choices = spoken_language_choices()
    form.topics.choices = topic_choices()
    if request.method == "GET":
        form.languages.data = list(profile.languages)
        form.call_number.data = profile.call_number
    return form


def slot_error_message(code: str) -> str:
    return {
        "in_past": _("This time is in the past."),
        "taken": _("You already have a slot at this time."),
        "dates": _("The last date must not be before the first date."),
        "too_long": _("A series can last one year at most."),
        "times": _("The appointments do not fit between the start and end time."),
        "no_slots": _("These dates and times give no appointment in the future."),
    }[code]


@bp.get("/expert/agenda")
@expert_only
def agenda():
    profile = my_profile()
    day = parse_day(request.args.get("day")) or today()
    week = request.args.get("view") == "week"
    first = day - timedelta(days=day.weekday()) if week else day
    start, _end = day_bounds(first)
    _start, end = day_bounds(first + timedelta(days=6 if week else 0))
    return render_template(
        "consultations/agenda.html",
        profile=profile,
        entries=expert_services.agenda(profile, start, end),
        day=day,
        week=week,
        previous=first - timedelta(days=7 if week else 1),
        following=first + timedelta(days=7 if week else 1),
        now=local_now(),
        video_base=current_app.config["VIDEO_BASE_URL"].rstrip("/"),
        language_names={code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
    )


@bp.route("/expert/profile", methods=["GET", "POST"])
@expert_only
def expert_profile():
    profile = my_profile()
    form = ExpertProfileForm(obj=profile)
    form.languages.choices = spoken_language_choices()
    if form.validate_on_submit():
        services.update_profile(
            profile, form.profession.data, list(form.languages.data), form.call_number.data
        )
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".agenda"), 303)
    return render_template("consultations/expert_profile.html", form=form), 422 if form.errors else 200


@bp.route("/expert/slots/new", methods=["GET", "POST"])
@expert_only
def new_slot():
    profile = my_profile()
    form = prepare(SlotForm(), profile)
    if form.validate_on_submit():
        starts_at = at(form.day.data, form.start_time.data)
        try:
            slot = services.create_slot(profile, starts_at, form.minutes.data, spec_from(form))
        except services.SlotError as error:
            db.session.rollback()
            form.day.errors.append(slot_error_message(error.code))
        else:
            waitlist.offer_new_slots([slot.id])
            db.session.commit()
            flash(_("The time is published."), "success")
            return redirect(url_for(".agenda", day=local_date(slot.starts_at).isoformat()), 303)
    return render_template("consultations/slot_form.html", form=form), 422 if form.errors else 200


@bp.route("/expert/series/new", methods=["GET", "POST"])
@expert_only
def new_series():
    profile = my_profile()
    form = prepare(SeriesForm(), profile)
    if form.validate_on_submit():
        try:
            series, count = services.create_series(
                profile,
                int(form.weekday.data),
                form.start_time.data,
                form.end_time.data,
                form.minutes.data,
                form.first_date.data,
                form.last_date.data,
                form.skipped_dates(),
                spec_from(form),
            )
        except services.SlotError as error:
            db.session.rollback()
            field = form.last_date if error.code in {"dates", "too_long", "no_slots"} else form.end_time
            field.errors.append(slot_error_message(error.code))
        else:
            waitlist.offer_new_slots(services.series_slot_ids(series))
            db.session.commit()
            flash(
                _("The series is published with %(num)d appointments.", num=count),
                "success",
            )
            return redirect(url_for(".series_list"), 303)
    return render_template("consultations/series_form.html", form=form), 422 if form.errors else 200


@bp.get("/expert/series")
@expert_only
def series_list():
    return render_series_list(DayOffForm(formdata=None), DayOffForm(formdata=None))


def render_series_list(day_off_form: DayOffForm, end_form: DayOffForm, failed_id: int | None = None):
    return render_template(
        "consultations/series_list.html",
        series=services.expert_series(my_profile()),
        day_off_form=day_off_form,
        end_form=end_form,
        failed_id=failed_id,
        weekday_names={key: str(label) for key, label in WEEKDAY_LABELS},
    )


def my_series_or_404(series_id: int) -> SlotSeries:
    series = services.own_series(my_profile(), series_id)
    if series is None:
        abort(404)
    return series


@bp.post("/expert/series/<int:series_id>/day-off")
@expert_only
def series_day_off(series_id: int):
    series = my_series_or_404(series_id)
    form = DayOffForm()
    if not form.validate_on_submit():
        return render_series_list(form, DayOffForm(formdata=None), series_id), 422
    cancelled, told = booking_rules.skip_series_date(series, filled(form.day.data), form.reason.data)
    db.session.commit()
    flash(
        _(
            "Day off saved: %(slots)d times cancelled, %(parents)d parents told.",
            slots=cancelled,
            parents=told,
        ),
        "success",
    )
    return redirect(url_for(".series_list"), 303)


@bp.post("/expert/series/<int:series_id>/end")
@expert_only
def series_end(series_id: int):
    series = my_series_or_404(series_id)
    form = DayOffForm()
    if not form.validate_on_submit():
        return render_series_list(DayOffForm(formdata=None), form, series_id), 422
    cancelled, told = booking_rules.cancel_series_from(series, filled(form.day.data), form.reason.data)
    db.session.commit()
    flash(
        _(
            "Series ended: %(slots)d times cancelled, %(parents)d parents told.",
            slots=cancelled,
            parents=told,
        ),
        "success",
    )
    return redirect(url_for(".series_list"), 303)


def my_booking_or_404(booking_id: int):
    booking = booking_rules.get_expert_booking(my_profile(), booking_id)
    if booking is None:
        abort(404)
    return booking


@bp.route("/expert/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@expert_only
def expert_cancel_booking(booking_id: int):
    booking = my_booking_or_404(booking_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            booking_rules.cancel_by_expert(booking, form.reason.data)
        except seats.BookingError:
            db.session.rollback()
            flash(_("This booking cannot be cancelled any more."), "error")
        else:
            db.session.commit()
            flash(_("The booking is cancelled and the parent is told."), "success")
        return redirect(url_for(".agenda", day=local_date(booking.slot.starts_at).isoformat()), 303)
    return render_template("consultations/expert_cancel.html", form=form, booking=booking), (
        422 if form.errors else 200
    )


@bp.post("/expert/bookings/<int:booking_id>/attendance")
@expert_only
def attendance(booking_id: int):
    booking = my_booking_or_404(booking_id)
    value = request.form.get("attended")
    if value not in {"yes", "no"}:
        abort(400)
    try:
        booking_rules.mark_attendance(booking, value == "yes")
    except seats.BookingError:
        db.session.rollback()
        flash(_("Attendance can be recorded once the appointment has begun."), "error")
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for(".agenda", day=local_date(booking.slot.starts_at).isoformat()), 303)


@bp.route("/expert/calendar-feed", methods=["GET", "POST"])
@expert_only
def calendar_feed():
    profile = my_profile()
    feed_url = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            expert_services.revoke_feed(profile)
            flash(_("The calendar link no longer works."), "success")
        else:
            token = expert_services.rotate_feed_token(profile)
            feed_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
                ".expert_calendar", token=token
            )
        db.session.commit()
    return render_template(
        "consultations/calendar_feed.html", feed_url=feed_url, has_feed=bool(profile.feed_token_hash)
    )
