"""Mentor parents keep learning: the qualification record, and the office's group sessions to book."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.audit import audit
from mentoring.clock import at, today, utcnow
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.mentorships import bp, qualification, services, vetting
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import (
    LEARNING_LABELS,
    AttendanceForm,
    GroupSessionForm,
    LearningEntryForm,
    SeatForm,
)
from mentoring.mentorships.models import GroupSession, LearningKind
from mentoring.mentorships.views import carry_out, refusal
from mentoring.security import Role, role_required

# The office -------------------------------------------------------------------------------------


@bp.post("/coordinator/mentors/<int:profile_id>/learning")
@role_required(Role.COORDINATOR)
def add_learning(profile_id: int):
    """A training, exchange or supervision on the mentor's qualification record."""
    profile = services.profiles_by_id([profile_id]).get(profile_id)
    if profile is None:
        abort(404)
    form = LearningEntryForm()
    back = url_for(".vet", profile_id=profile.id) + "#learning"

    def add() -> None:
        qualification.add_entry(
            profile,
            current_user,
            LearningKind(form.kind.data),
            filled(form.on.data),
            form.topic.data or "",
            today(),
        )
        audit("learning_recorded", f"mentor:{profile.id}", form.kind.data)

    return carry_out(add, _("Saved."), back, form=form, invalid="learning_date")


@bp.route("/coordinator/group-sessions", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def group_sessions():
    """Exchange meetings, supervision and trainings for active mentor parents."""
    form = GroupSessionForm()
    if form.validate_on_submit():
        spec = qualification.SessionSpec(
            kind=LearningKind(form.kind.data),
            topic=form.topic.data,
            starts_at=at(filled(form.day.data), filled(form.start_time.data)),
            minutes=filled(form.minutes.data),
            place=form.place.data,
            is_online=bool(form.is_online.data),
            capacity=filled(form.capacity.data),
        )
        try:
            qualification.publish_session(current_user, spec, utcnow())
        except MentoringError as error:
            db.session.rollback()
            form.day.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Published. Active mentor parents can now book a place."), "success")
            return redirect(url_for(".group_sessions"), 303)
    now = utcnow()
    return render_template(
        "mentorships/group_sessions.html",
        form=form,
        upcoming=[s for s in qualification.sessions(now) if s.starts_at > now],
        past=qualification.past_sessions(now),
        kinds=dict(LEARNING_LABELS),
    ), (422 if form.errors else 200)


def session_or_404(session_id: int) -> GroupSession:
    session = db.session.get(GroupSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/coordinator/group-sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def group_session(session_id: int):
    """Who booked a session, and afterwards who came (which feeds their qualification record)."""
    session = session_or_404(session_id)
    seats = qualification.seats_of(session.id)
    form = AttendanceForm()
    form.attended.choices = [(str(seat.mentor_id), seat.mentor.user.name) for seat in seats]
    if form.validate_on_submit():
        attended = {int(value) for value in form.attended.data or []}
        try:
            count = qualification.record_attendance(session.id, current_user, attended, utcnow())
            audit("attendance_recorded", f"group_session:{session.id}", str(count))
        except MentoringError as error:
            db.session.rollback()
            form.attended.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Saved. The qualification records show who came."), "success")
            return redirect(url_for(".group_session", session_id=session.id), 303)
    if not form.is_submitted():
        form.attended.data = [str(seat.mentor_id) for seat in seats if seat.attended]
    audit("group_session_viewed", f"group_session:{session.id}")
    db.session.commit()
    session = session_or_404(session_id)  # the commit expired it
    return render_template(
        "mentorships/group_session.html",
        session=session,
        seats=qualification.seats_of(session.id),
        form=form,
        started=session.starts_at <= utcnow(),
        kinds=dict(LEARNING_LABELS),
    ), (422 if form.errors else 200)


# The mentor parent ------------------------------------------------------------------------------


@bp.get("/mentor/learning")
@role_required(Role.MENTOR)
def learning():
    """The mentor's own qualification record; for active mentors, the sessions they can book."""
    profile = vetting.mentor_profile_of(current_user)
    now = utcnow()
    return render_template(
        "mentorships/learning.html",
        profile=profile,
        record=qualification.record_of(profile),
        mine=qualification.my_sessions(profile, now),
        open_sessions=qualification.open_sessions(profile, now),
        booked=qualification.booked_session_ids(profile),
        may_take_part=qualification.may_take_part(profile),
        kinds=dict(LEARNING_LABELS),
        seat_form=SeatForm(formdata=None),
    )


def visible_session_or_404(session_id: int) -> None:
    """Group sessions exist only for active mentor parents: for anyone else, not found."""
    if not qualification.may_take_part(vetting.mentor_profile_of(current_user)):
        abort(404)
    session_or_404(session_id)


@bp.post("/mentor/group-sessions/<int:session_id>/book")
@role_required(Role.MENTOR)
def book_session(session_id: int):
    visible_session_or_404(session_id)
    return carry_out(
        lambda: qualification.book(vetting.mentor_profile_of(current_user), session_id, utcnow()),
        _("Your place is booked."),
        url_for(".learning"),
        form=SeatForm(),
        invalid="session_gone",
    )


@bp.post("/mentor/group-sessions/<int:session_id>/cancel")
@role_required(Role.MENTOR)
def cancel_session(session_id: int):
    visible_session_or_404(session_id)
    return carry_out(
        lambda: qualification.cancel(vetting.mentor_profile_of(current_user), session_id, utcnow()),
        _("Your place is cancelled."),
        url_for(".learning"),
        form=SeatForm(),
        invalid="session_gone",
    )
