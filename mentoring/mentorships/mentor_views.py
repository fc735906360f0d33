"""Mentor parents: their profile, availability and absences, requests, families, contact log, meetings."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.clock import at, today, utcnow
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import services as slots
from mentoring.consultations.models import ContactMode
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.mentorships import bp, concerns, relationship, services, vetting
from mentoring.mentorships import meetings as meeting_rules
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import (
    LOG_MODE_LABELS,
    AwayForm,
    ContactLogForm,
    DeclineForm,
    EndForm,
    MeetingForm,
    MentorProfileForm,
    WithdrawMeetingForm,
    availability_choices,
)
from mentoring.mentorships.models import EndedBy, MatchStatus, MentoringMatch, MentorProfile
from mentoring.mentorships.reasons import describe_need
from mentoring.mentorships.views import carry_out, end_by, refusal
from mentoring.reference.choices import (
    age_group_choices,
    district_choices,
    district_names,
    spoken_language_choices,
    topic_choices,
    topic_names,
)
from mentoring.security import Role, role_required


@bp.app_context_processor
def home_context() -> dict:
    # Callables, so only the start page that shows them runs their statements.
    return {
        "mentor_home": lambda: services.mentor_home(current_user),
        "applicant_count": vetting.applicant_count,
        # In the reader's language, also inside a message rendered for the mentor's locale.
        "family_need": lambda match: describe_need(match, district_names(), topic_names()),
    }


def my_mentor_profile() -> MentorProfile:
    return vetting.mentor_profile_of(current_user)


@bp.route("/mentor/profile", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def mentor_profile():
    profile = my_mentor_profile()
    form = MentorProfileForm(obj=profile)
    form.languages.choices = spoken_language_choices()
    form.districts.choices = district_choices("")[1:]
    form.age_groups.choices = age_group_choices("")[1:]
    form.topics.choices = topic_choices()
    form.availability.choices = availability_choices()
    if form.validate_on_submit():
        form.populate_obj(profile)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".mentor_profile"), 303)
    return render_template("mentorships/mentor_profile.html", form=form, profile=profile), (
        422 if form.errors else 200
    )


@bp.route("/mentor/away", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def away():
    """Holidays and other absences: while away, a mentor gets no new requests."""
    profile = my_mentor_profile()
    form = AwayForm()
    if form.validate_on_submit():
        try:
            vetting.add_away(profile, filled(form.first_day.data), filled(form.last_day.data), today())
        except MentoringError as error:
            db.session.rollback()
            form.last_day.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Saved. You get no new requests on these days."), "success")
            return redirect(url_for(".away"), 303)
    periods = vetting.away_periods(profile, today())
    return render_template("mentorships/away.html", form=form, periods=periods), (422 if form.errors else 200)


@bp.post("/mentor/away/<int:away_id>/delete")
@role_required(Role.MENTOR)
def remove_away(away_id: int):
    profile = my_mentor_profile()
    if vetting.own_away(profile, away_id) is None:
        abort(404)  # another mentor's absence: not found
    return carry_out(
        lambda: vetting.remove_away(profile, away_id),
        _("The absence is removed."),
        url_for(".away"),
    )


@bp.get("/mentor/requests")
@role_required(Role.MENTOR)
def requests():
    profile = my_mentor_profile()
    matches = services.mentor_requests(profile)
    contacts = {
        match.id: relationship.visible_contact(match, match.parent_shares, match.parent) for match in matches
    }
    districts, topics = district_names(), topic_names()
    return render_template(
        "mentorships/requests.html",
        profile=profile,
        matches=matches,
        contacts=contacts,
        needs={match.id: describe_need(match, districts, topics) for match in matches},
        decline_form=DeclineForm(formdata=None),
    )


@bp.post("/mentor/requests/<int:match_id>/accept")
@role_required(Role.MENTOR)
def accept(match_id: int):
    own_match_or_404(match_id)
    return carry_out(
        lambda: services.accept(my_mentor_profile(), match_id),
        _("You accepted. You can now see how to reach the family."),
        url_for(".requests"),
    )


@bp.post("/mentor/requests/<int:match_id>/decline")
@role_required(Role.MENTOR)
def decline(match_id: int):
    own_match_or_404(match_id)
    form = DeclineForm()
    return carry_out(
        lambda: services.decline(my_mentor_profile(), match_id, form.reason.data),
        _("You declined. The family can choose another mentor parent."),
        url_for(".requests"),
        form=form,
    )


def own_active_match(match_id: int) -> tuple[MentorProfile, MentoringMatch]:
    profile = my_mentor_profile()
    return profile, own_match_or_404(match_id, profile)


def own_match_or_404(match_id: int, profile: MentorProfile | None = None) -> MentoringMatch:
    match = relationship.own_match(profile or my_mentor_profile(), match_id)
    if match is None:
        abort(404)  # another mentor's family: not found, not forbidden, so nothing leaks
    return match


def contact_form() -> ContactLogForm:
    form = ContactLogForm()
    form.topics.choices = topic_choices()
    return form


def entry_of(form: ContactLogForm) -> relationship.ContactEntry:
    return relationship.ContactEntry(
        on=filled(form.on.data),
        mode=form.mode.data,
        minutes=filled(form.minutes.data),
        topics=form.topics.data or [],
        note=form.note.data or "",
    )


@bp.route("/mentor/families/<int:match_id>", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def family(match_id: int):
    """One family: how to reach them, the contact log (notes only the mentor sees), ending.

    A new contact is saved in two steps: the form, then "Save this contact?" with a summary.
    """
    profile, match = own_active_match(match_id)
    form = contact_form()
    if match.status == MatchStatus.ACTIVE and form.validate_on_submit():
        if "change" in request.form:  # back from the summary to the filled form
            return family_page(match, form)
        if form.confirmed.data != "yes":
            try:
                relationship.check_contact_entry(match, entry_of(form))
            except MentoringError as error:
                form.on.errors.append(refusal(error.code))
                return family_page(match, form)
            return render_template(
                "mentorships/contact_confirm.html",
                match=match,
                form=form,
                modes=dict(LOG_MODE_LABELS),
                topics=dict(topic_choices()),
            )
        try:
            relationship.log_contact(profile, match.id, entry_of(form))
        except MentoringError as error:
            db.session.rollback()
            form.on.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("The contact is saved."), "success")
            return redirect(url_for(".family", match_id=match.id), 303)
    if not form.on.data:
        form.on.data = today()
    return family_page(match, form)


def family_page(match: MentoringMatch, form: ContactLogForm):
    form.confirmed.data = ""
    now = utcnow()
    contacts = relationship.contacts_of(match)
    return render_template(
        "mentorships/family.html",
        match=match,
        form=form,
        contact=relationship.visible_contact(match, match.parent_shares, match.parent),
        contacts=contacts,
        changeable={c.id for c in contacts if relationship.may_change_contact(c, now)},
        concerns=concerns.concerns_about(my_mentor_profile(), match.id),
        modes=dict(LOG_MODE_LABELS),
        topics=dict(topic_choices()),
        end_form=EndForm(formdata=None),
    ), (422 if form.errors else 200)


@bp.route("/mentor/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def edit_contact(contact_id: int):
    """Correct a logged contact within 14 days of logging it; then it is read-only."""
    profile = my_mentor_profile()
    contact = relationship.own_contact(profile, contact_id)
    if contact is None:
        abort(404)  # another mentor's contact: not found
    back = url_for(".family", match_id=contact.match_id)
    if not relationship.may_change_contact(contact):
        flash(refusal("contact_locked"), "error")
        return redirect(back, 303)
    form = ContactLogForm(obj=contact) if request.method == "GET" else contact_form()
    form.topics.choices = topic_choices()
    if form.validate_on_submit():
        try:
            relationship.correct_contact(profile, contact_id, entry_of(form))
        except MentoringError as error:
            db.session.rollback()
            if error.code != "contact_date":
                flash(refusal(error.code), "error")
                return redirect(back, 303)
            form.on.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("The contact is corrected."), "success")
            return redirect(back, 303)
    return render_template("mentorships/contact_edit.html", form=form, contact=contact), (
        422 if form.errors else 200
    )


@bp.post("/mentor/contacts/<int:contact_id>/delete")
@role_required(Role.MENTOR)
def delete_contact(contact_id: int):
    profile = my_mentor_profile()
    contact = relationship.own_contact(profile, contact_id)
    if contact is None:
        abort(404)
    return carry_out(
        lambda: relationship.delete_contact(profile, contact_id),
        _("The contact is deleted."),
        url_for(".family", match_id=contact.match_id),
    )


@bp.post("/mentor/families/<int:match_id>/end")
@role_required(Role.MENTOR)
def end_as_mentor(match_id: int):
    own_active_match(match_id)
    return end_by(EndedBy.MENTOR, match_id, url_for(".requests"))


@bp.route("/mentor/meetings", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def meetings():
    """Meeting times only the mentor's own active families can book (the consultation booking engine)."""
    profile = my_mentor_profile()
    form = MeetingForm()
    if form.validate_on_submit():
        starts_at = at(filled(form.day.data), filled(form.start_time.data))
        try:
            meeting_rules.publish_meeting(
                profile, starts_at, filled(form.minutes.data), ContactMode(form.mode.data)
            )
        except slots.SlotError as error:
            db.session.rollback()
            form.day.errors.append(
                _("Please choose a time in the future.")
                if error.code == "in_past"
                else _("You already have a time starting then.")
            )
        else:
            db.session.commit()
            flash(_("The meeting time is published for your families."), "success")
            return redirect(url_for(".meetings"), 303)
    upcoming = meeting_rules.meeting_times(profile, today())
    return render_template(
        "mentorships/meetings.html",
        form=form,
        slots=upcoming,
        bookings=booking_rules.bookings_for_slots([s.id for s in upcoming]),
        withdraw_form=WithdrawMeetingForm(formdata=None),
        hidden=meeting_rules.hidden_by_away(profile.id, upcoming),
    ), (422 if form.errors else 200)


@bp.post("/mentor/meetings/<int:slot_id>/withdraw")
@role_required(Role.MENTOR)
def withdraw_meeting(slot_id: int):
    """Withdraw a meeting time; a family that booked it is told."""
    profile = my_mentor_profile()
    if meeting_rules.own_meeting(profile, slot_id) is None:
        abort(404)  # another mentor's meeting time: not found
    form = WithdrawMeetingForm()
    return carry_out(
        lambda: meeting_rules.withdraw_meeting(profile, slot_id, form.reason.data or ""),
        _("The meeting time is withdrawn. A family that had booked it is told."),
        url_for(".meetings"),
        form=form,
        invalid="gone",
    )
