"""Parents ask for a mentor parent; mentors keep their profile and answer; coordinators vet."""

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from mentoring.clock import today
from mentoring.extensions import db
from mentoring.mentorships import bp, groups, relationship, services
from mentoring.mentorships import meetings as meeting_rules
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import (
    CONTACT_LABELS,
    LANGUAGE_LEVEL_LABELS,
    AskingForm,
    EndForm,
    NeedForm,
    TrialForm,
    availability_choices,
)
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import EndedBy, MatchStatus, MentoringMatch
from mentoring.mentorships.reasons import describe
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    district_names,
    referral_choices,
    spoken_language_choices,
    topic_choices,
    topic_names,
)
from mentoring.security import Role, query_values, role_required


def refusal(code: str) -> str:
    return {
        "already": _("You already have a request or a mentor parent."),
        "unavailable": _("This mentor parent cannot take a new family right now. Please choose another one."),
        "gone": _("This request is no longer open."),
        "full": _("You have no free place. End a mentoring first or raise your number of families."),
        "training": _("Please enter the date of the training first."),
        "certificate": _("The certificate of conduct is missing or older than five years."),
        "conviction": _("A mentor with a relevant conviction cannot be activated."),
        "status": _("This change of status is not possible."),
        "has_families": _("This mentor parent still has families. End those mentorings first."),
        "away_dates": _(
            "Please check the dates: the last day cannot be before the first day or in the past."
        ),
        "contact_date": _("Please enter a date between the start of the mentoring and today."),
        "reason": _("Please choose a reason."),
        "contact_locked": _("Contacts can be corrected for 14 days only. This one can no longer be changed."),
        "concern_text": _("Please write your message (at most 4000 characters)."),
        "answer": _("Please choose an answer."),
        "unreachable": _("This person gave no phone number and no e-mail address."),
        "learning_date": _("Please enter a date that is not in the future."),
        "session_in_past": _("Please choose a time in the future."),
        "not_active": _("Only active mentor parents can book a place."),
        "session_gone": _("This session can no longer be booked or cancelled."),
        "session_full": _("This session is full."),
        "already_booked": _("You already have a place in this session."),
        "session_not_started": _("Attendance can be recorded once the session has started."),
        "group_plan": _("Please check the number of families, the weeks and the first day."),
        "group_mentor": _("Please choose one or two different active mentor parents."),
        "group_full": _("This group has no free place any more."),
        "attendance_date": _("This meeting has not taken place yet."),
        "members": _("Please choose families of this group."),
    }[code]


def carry_out(
    change: Callable[[], object],
    success: str,
    back: str,
    failed_back: str | None = None,
    form: FlaskForm | None = None,
    invalid: str = "reason",
) -> Response:
    """Run one service change: on a broken rule roll back and say why; otherwise commit and confirm.

    The service tells whoever the change concerns; the view only words the outcome.

    With `form`, a form that does not validate (tampered or stale) is refused first, as `invalid`.
    """
    if form is not None and not form.validate_on_submit():
        flash(refusal(invalid), "error")
        return redirect(back, 303)
    try:
        change()
    except MentoringError as error:
        db.session.rollback()
        flash(refusal(error.code), "error")
        return redirect(failed_back or back, 303)
    db.session.commit()
    flash(success, "success")
    return redirect(back, 303)


def checked_request() -> tuple[NeedForm, services.Asking] | None:
    """The family's need (from the suggestion page's query string) and what they add, or None if off."""
    form, asking = need_form(), asking_form()
    if not form.validate() or not asking.validate_on_submit():
        flash(_("Please check your answers and try again."), "error")
        return None
    return form, services.Asking(
        note=asking.note.data or "",
        shares=tuple(asking.shares.data or ()),
        referral=asking.referral.data or None,
        survey_consent=bool(asking.survey_consent.data),
    )


def asking_form(**kwargs: object) -> AskingForm:
    asking = AskingForm(**kwargs)
    asking.referral.choices = [("", str(PREFER_NOT_TO_SAY)), *referral_choices()]
    return asking


def need_form() -> NeedForm:
    form = NeedForm(request.args)
    form.languages.choices = spoken_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    form.age_group.choices = age_group_choices(str(PREFER_NOT_TO_SAY))
    form.topics.choices = topic_choices()
    form.contact_mode.choices = [("", str(PREFER_NOT_TO_SAY)), *CONTACT_LABELS]
    return form


def need_of(form: NeedForm) -> Need:
    return Need(
        languages=frozenset(form.languages.data),
        district=form.district.data or None,
        age_group=form.age_group.data or None,
        topics=frozenset(form.topics.data or []),
        contact_mode=form.contact_mode.data or None,
        language_levels=tuple(sorted(form.language_levels.items())),
    )


# Parents ---------------------------------------------------------------------------------------


@bp.get("/mentoring")
@role_required(Role.PARENT)
def start():
    match = services.open_match_of(current_user)
    if match is not None:
        return my_match(match)
    member = groups.membership_of(current_user)
    if member is not None:
        return render_template(
            "mentorships/my_group.html", member=member, meetings=groups.meetings_of(member.cohort)
        )
    form = need_form()
    fits = []
    cohorts = []
    asked = bool(set(request.args) - {"lang"})
    if asked and form.validate():
        found = services.suggest_mentors(need_of(form), today())
        profiles = services.profiles_by_id([f.mentor_id for f in found])
        districts, topics = district_names(), topic_names()
        fits = [(f, profiles[f.mentor_id], describe(f.reasons, districts, topics)) for f in found]
        cohorts = groups.fitting_cohorts(need_of(form), today())
    asking = asking_form(
        formdata=None,
        shares=[kind for kind in ("phone", "email") if getattr(current_user, kind)],
        survey_consent=current_user.survey_consent,
    )
    return render_template(
        "mentorships/start.html",
        form=form,
        level_labels=LANGUAGE_LEVEL_LABELS,
        fits=fits,
        cohorts=cohorts,
        asked=asked,
        asking=asking,
        query=request.query_string.decode(),
        availability=dict(availability_choices()),
    ), (422 if asked and form.errors else 200)


def my_match(match: MentoringMatch) -> str:
    """The family's page once they asked: waiting, or their mentor, meeting times, trial question."""
    mentor = match.mentor
    meetings = meeting_rules.bookable_meetings(match)
    trial_due = (
        match.status == MatchStatus.ACTIVE
        and match.trial_answer is None
        and match.trial_review_on is not None
        and match.trial_review_on <= today()
    )
    return render_template(
        "mentorships/my_match.html",
        match=match,
        contact=relationship.visible_contact(match, mentor.shares, mentor.user) if mentor else {},
        meetings=meetings,
        trial_form=TrialForm(formdata=None) if trial_due else None,
        end_form=EndForm(formdata=None),
    )


@bp.post("/mentoring/<int:match_id>/trial")
@role_required(Role.PARENT)
def answer_trial(match_id: int):
    if services.parent_match(current_user, match_id) is None:
        abort(404)  # another family's mentoring: not found
    form = TrialForm()
    fits = form.fits.data == "yes"
    return carry_out(
        lambda: relationship.answer_trial(current_user, match_id, fits),
        _("Thank you. We are glad it fits.")
        if fits
        else _("Thank you. You can now look for another mentor parent."),
        url_for(".start"),
        form=form,
        invalid="answer",
    )


def end_by(
    ended_by: EndedBy, match_id: int, back: str, record: Callable[[str], None] | None = None
) -> Response:
    """Shared by the family, the mentor and the coordinator: end an active mentoring with a reason.

    `record(reason)` adds to the same unit of work (the coordinator's audit entry)."""
    form = EndForm()

    def end() -> None:
        relationship.end_match(match_id, form.reason.data, ended_by)
        if record is not None:
            record(form.reason.data)

    return carry_out(
        end,
        _("The mentoring has ended. Thank you."),
        back,
        form=form,
    )


@bp.post("/mentoring/<int:match_id>/end")
@role_required(Role.PARENT)
def end_as_parent(match_id: int):
    match = services.open_match_of(current_user)
    if match is None or match.id != match_id:
        abort(404)
    return end_by(EndedBy.PARENT, match_id, url_for(".start"))


@bp.post("/mentoring/request/<int:mentor_id>")
@role_required(Role.PARENT)
def send_request(mentor_id: int):
    checked = checked_request()
    if checked is None:
        return redirect(url_for(".start"), 303)
    form, asking = checked
    days = current_app.config["MENTOR_ANSWER_DAYS"]
    # The suggestion page's query string again; typed as url_for's **values (Any).
    query = query_values(request.args)
    return carry_out(
        lambda: services.request_mentor(current_user, mentor_id, need_of(form), asking, days),
        _("Your request is sent. The mentor parent will answer within a few days."),
        url_for(".start"),
        failed_back=url_for(".start", **query),
    )


@bp.post("/mentoring/ask-office")
@role_required(Role.PARENT)
def ask_office():
    checked = checked_request()
    if checked is None:
        return redirect(url_for(".start"), 303)
    form, asking = checked
    return carry_out(
        lambda: services.ask_programme_office(current_user, need_of(form), asking),
        _("The programme office will look for a mentor parent for you and get in touch."),
        url_for(".start"),
    )
