"""Families: join and leave the waitlist, take a held seat, answer the reminder with one tap."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.clock import today
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import bp, seats, waitlist
from mentoring.consultations.forms import MODE_LABELS, WaitlistForm
from mentoring.consultations.views import own_booking_or_404
from mentoring.extensions import db
from mentoring.ratelimits import rate_limit
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    message_language_choices,
    spoken_language_choices,
    topic_choices,
)
from mentoring.security import public


def waitlist_form() -> WaitlistForm:
    form = WaitlistForm(request.form if request.method == "POST" else None)
    form.locale.choices = message_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    form.age_group.choices = age_group_choices(str(PREFER_NOT_TO_SAY))
    any_label = str(_("Any"))
    form.topic.choices = [("", any_label), *topic_choices()]
    form.language.choices = [("", any_label), *spoken_language_choices()]
    form.mode.choices = [("", any_label), *((key, str(label)) for key, label in MODE_LABELS)]
    if request.method == "GET":
        form.locale.data = str(get_locale())
        for name in ("topic", "language", "mode"):  # what the parent was looking for in the list
            value = request.args.get(name)
            if value in {key for key, _label in form[name].choices}:
                form[name].data = value
    return form


@bp.route("/waitlist", methods=["GET", "POST"])
@rate_limit("BOOKING_RATE_LIMIT")
@public
def join_waitlist():
    form = waitlist_form()
    if form.validate_on_submit():
        wish = waitlist.Wish(
            topic=form.topic.data or None,
            language=form.language.data or None,
            mode=form.mode.data or None,
            weeks=int(form.weeks.data),
        )
        user_id = current_user.id if current_user.is_authenticated else None
        _entry, token = waitlist.join(form.contact(user_id), wish, today())
        db.session.commit()
        return redirect(url_for(".waitlist_entry", token=token, new=1), 303)
    return render_template("consultations/waitlist_join.html", form=form), (422 if form.errors else 200)


def entry_or_404(token: str):
    entry = waitlist.entry_by_token(token)
    if entry is None:
        abort(404)
    return entry


@bp.get("/waitlist/<token>")
@public
def waitlist_entry(token: str):
    entry = entry_or_404(token)
    return render_template(
        "consultations/waitlist_entry.html", entry=entry, token=token, is_new=request.args.get("new") == "1"
    )


@bp.route("/waitlist/<token>/leave", methods=["GET", "POST"])
@public
def leave_waitlist(token: str):
    """The link in every waitlist message: one button, and the parent is off the list."""
    entry = entry_or_404(token)
    if request.method == "POST":
        booking_rules.leave_waitlist(entry)
        db.session.commit()
        flash(_("You have left the waitlist."), "success")
        return redirect(url_for(".waitlist_entry", token=token), 303)
    return render_template("consultations/waitlist_leave.html", entry=entry, token=token)


@bp.post("/booking/<token>/take")
@public
def take_hold(token: str):
    booking = own_booking_or_404(token)
    try:
        booking_rules.confirm_hold(booking, token)
    except seats.BookingError:
        db.session.rollback()
        if booking.status == booking.status.CONFIRMED:  # taken a moment ago (a double tap): it is yours
            return redirect(url_for(".manage", token=token), 303)
        flash(
            _("Sorry, this time was only kept for you until it ran out. You are still on the waitlist."),
            "error",
        )
        return redirect(url_for(".manage", token=token), 303)
    db.session.commit()
    return redirect(url_for(".manage", token=token, new=1), 303)


@bp.post("/booking/<token>/pass")
@public
def pass_hold(token: str):
    booking = own_booking_or_404(token)
    try:
        booking_rules.decline_hold(booking)
    except seats.BookingError:
        db.session.rollback()
    else:
        db.session.commit()
    flash(_("Thank you. The time goes to the next family; you stay on the waitlist."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.route("/r/<reference>/<answer>/<signature>", methods=["GET", "POST"])
@public
def answer_reminder(reference: str, answer: str, signature: str):
    """One-tap answers from the reminder. "I'll be there" is saved at once; "I can't come" asks once
    more with a single button (so a mail scanner opening links cannot cancel anything)."""
    booking = booking_rules.booking_for_answer(reference, answer, signature)
    if booking is None:
        return render_template("consultations/answer.html", state="expired"), 410
    if answer == "coming":
        if booking.status == booking.status.CONFIRMED and not booking.says_coming:
            booking_rules.says_coming(booking)
            db.session.commit()
        return render_template("consultations/answer.html", state="coming", booking=booking)
    if request.method == "POST":
        try:
            booking_rules.cannot_come(booking)
        except seats.BookingError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
        return render_template("consultations/answer.html", state="freed", booking=booking)
    if not booking.holds_seat:
        return render_template("consultations/answer.html", state="freed", booking=booking)
    return render_template("consultations/answer.html", state="ask", booking=booking)
