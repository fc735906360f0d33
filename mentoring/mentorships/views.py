"""Parents ask for a mentor parent; mentors keep their profile and answer; coordinators vet."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from mentoring.clock import today, zone
from mentoring.consultations.services import SlotFilter, list_bookable_slots
from mentoring.extensions import db
from mentoring.mentorships import bp, messages, relationship, services
from mentoring.mentorships.forms import (
    CONTACT_LABELS,
    AskingForm,
    EndForm,
    NeedForm,
    TrialForm,
    availability_choices,
)
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import EndedBy, MatchStatus, MentoringMatch, MentorProfile
from mentoring.mentorships.reasons import describe
from mentoring.reference import services as reference
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    spoken_language_choices,
    topic_choices,
)
from mentoring.security import Role, role_required


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
        "answer": _("Please choose an answer."),
    }[code]


def carry_out(change, success: str, back: str, failed_back=None, tell=None, form=None, invalid="reason"):  # type: ignore[no-untyped-def]
    """Run one service change: on a broken rule roll back and say why; otherwise tell, commit, confirm.

    With `form`, a form that does not validate (tampered or stale) is refused first, as `invalid`.
    """
    if form is not None and not form.validate_on_submit():
        flash(refusal(invalid), "error")
        return redirect(back, 303)
    try:
        match = change()
    except services.MentoringError as error:
        db.session.rollback()
        flash(refusal(error.code), "error")
        return redirect(failed_back or back, 303)
    if tell is not None:
        tell(match)
    db.session.commit()
    flash(success, "success")
    return redirect(back, 303)


def checked_request() -> tuple[NeedForm, services.Asking] | None:
    """The family's need (from the suggestion page's query string) and what they add, or None if off."""
    form, asking = need_form(), AskingForm()
    if not form.validate() or not asking.validate_on_submit():
        flash(_("Please check your answers and try again."), "error")
        return None
    return form, services.Asking(
        note=asking.note.data or "",
        shares=tuple(asking.shares.data or ()),
        referral=asking.referral.data or None,
        survey_consent=bool(asking.survey_consent.data),
    )


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
    )


# Parents ---------------------------------------------------------------------------------------


@bp.get("/mentoring")
@role_required(Role.PARENT)
def start():
    match = services.open_match_of(current_user)
    if match is not None:
        return my_match(match)
    form = need_form()
    fits = []
    asked = bool(set(request.args) - {"lang"})
    if asked and form.validate():
        found = services.suggest_mentors(need_of(form), today())
        profiles = {
            p.id: p
            for p in db.session.scalars(
                select(MentorProfile).where(MentorProfile.id.in_([f.mentor_id for f in found]))
            )
        }
        districts = {d.key: d.name for d in reference.list_districts()}
        topics = dict(topic_choices())
        fits = [(f, profiles[f.mentor_id], describe(f.reasons, districts, topics)) for f in found]
    asking = AskingForm(
        formdata=None,
        shares=[kind for kind in ("phone", "email") if getattr(current_user, kind)],
        survey_consent=current_user.survey_consent,
    )
    return render_template(
        "mentorships/start.html",
        form=form,
        fits=fits,
        asked=asked,
        asking=asking,
        query=request.query_string.decode(),
        availability=dict(availability_choices()),
    ), (422 if asked and form.errors else 200)


def my_match(match: MentoringMatch):  # type: ignore[no-untyped-def]
    """The family's page once they asked: waiting, or their mentor, meeting times, trial question."""
    mentor = match.mentor
    meetings = []
    if match.status == MatchStatus.ACTIVE:
        meetings = list_bookable_slots(SlotFilter(host_mentor=mentor.id), zone(), limit=20)
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
    match = db.session.get(MentoringMatch, match_id)
    if match is None or match.parent_id != current_user.id:
        abort(404)  # another family's mentoring: not found
    form = TrialForm()
    fits = form.fits.data == "yes"
    return carry_out(
        lambda: relationship.answer_trial(current_user, match_id, fits),
        _("Thank you. We are glad it fits.")
        if fits
        else _("Thank you. You can now look for another mentor parent."),
        url_for(".start"),
        tell=None if fits else lambda match: messages.ended(match, EndedBy.PARENT),
        form=form,
        invalid="answer",
    )


def end_by(ended_by: EndedBy, match_id: int, back: str):  # type: ignore[no-untyped-def]
    """Shared by the family, the mentor and the coordinator: end an active mentoring with a reason."""
    form = EndForm()
    return carry_out(
        lambda: relationship.end_match(match_id, form.reason.data, ended_by),
        _("The mentoring has ended. Thank you."),
        back,
        tell=lambda match: messages.ended(match, ended_by),
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
    return carry_out(
        lambda: services.request_mentor(current_user, mentor_id, need_of(form), asking, days),
        _("Your request is sent. The mentor parent will answer within a few days."),
        url_for(".start"),
        failed_back=url_for(".start", **request.args),
        tell=messages.new_request,
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
