"""Parents ask for a mentor parent; mentors keep their profile and answer; coordinators vet."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from mentoring.consultations.helpers import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    spoken_language_choices,
    today,
    topic_choices,
)
from mentoring.extensions import db
from mentoring.mentorships import bp, messages, services
from mentoring.mentorships.forms import (
    CONTACT_LABELS,
    DeclineForm,
    MentorProfileForm,
    NeedForm,
    RequestForm,
    VettingForm,
)
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile, MentorStatus
from mentoring.mentorships.reasons import describe
from mentoring.reference import services as reference
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
    }[code]


def carry_out(change, success: str, back: str, failed_back: str | None = None, tell=None):  # type: ignore[no-untyped-def]
    """Run one service change: on a broken rule roll back and say why; otherwise tell, commit, confirm."""
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


def checked_request() -> tuple[NeedForm, RequestForm] | None:
    """The family's need (from the suggestion page's query string) and note, or None if off."""
    form, note = need_form(), RequestForm()
    if not form.validate() or not note.validate_on_submit():
        flash(_("Please check your answers and try again."), "error")
        return None
    return form, note


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
        return render_template("mentorships/my_match.html", match=match)
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
    return render_template(
        "mentorships/start.html", form=form, fits=fits, asked=asked, query=request.query_string.decode()
    ), (422 if asked and form.errors else 200)


@bp.post("/mentoring/request/<int:mentor_id>")
@role_required(Role.PARENT)
def send_request(mentor_id: int):
    checked = checked_request()
    if checked is None:
        return redirect(url_for(".start"), 303)
    form, note = checked
    days = current_app.config["MENTOR_ANSWER_DAYS"]
    return carry_out(
        lambda: services.request_mentor(current_user, mentor_id, need_of(form), note.note.data or "", days),
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
    form, note = checked
    return carry_out(
        lambda: services.ask_programme_office(current_user, need_of(form), note.note.data or ""),
        _("The programme office will look for a mentor parent for you and get in touch."),
        url_for(".start"),
    )


# Mentors -----------------------------------------------------------------------------------------


@bp.route("/mentor/profile", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def mentor_profile():
    profile = services.mentor_profile_for(current_user)
    form = MentorProfileForm(obj=profile)
    form.languages.choices = spoken_language_choices()
    form.districts.choices = [(d.key, d.name) for d in reference.list_districts()]
    form.age_groups.choices = age_group_choices("")[1:]
    form.topics.choices = topic_choices()
    if form.validate_on_submit():
        form.populate_obj(profile)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".mentor_profile"), 303)
    db.session.commit()  # the profile may just have been created
    return render_template("mentorships/mentor_profile.html", form=form, profile=profile), (
        422 if form.errors else 200
    )


def my_mentor_profile() -> MentorProfile:
    return services.mentor_profile_for(current_user)


@bp.get("/mentor/requests")
@role_required(Role.MENTOR)
def requests():
    profile = my_mentor_profile()
    matches = db.session.scalars(
        select(MentoringMatch)
        .where(MentoringMatch.mentor_id == profile.id, MentoringMatch.status.in_(services.OPEN_STATUSES))
        .order_by(MentoringMatch.requested_at)
    ).all()
    db.session.commit()
    return render_template(
        "mentorships/requests.html", profile=profile, matches=matches, decline_form=DeclineForm(formdata=None)
    )


@bp.post("/mentor/requests/<int:match_id>/accept")
@role_required(Role.MENTOR)
def accept(match_id: int):
    return carry_out(
        lambda: services.accept(my_mentor_profile(), match_id),
        _("You accepted. You can now see how to reach the family."),
        url_for(".requests"),
        tell=lambda match: messages.request_answered(match, accepted=True),
    )


@bp.post("/mentor/requests/<int:match_id>/decline")
@role_required(Role.MENTOR)
def decline(match_id: int):
    form = DeclineForm()
    if not form.validate_on_submit():
        abort(400)
    return carry_out(
        lambda: services.decline(my_mentor_profile(), match_id, form.reason.data),
        _("You declined. The family can choose another mentor parent."),
        url_for(".requests"),
        tell=lambda match: messages.request_answered(match, accepted=False),
    )


# Coordinators -------------------------------------------------------------------------------------


@bp.get("/coordinator/mentors")
@role_required(Role.COORDINATOR)
def mentors():
    profiles = db.session.scalars(
        select(MentorProfile).order_by(MentorProfile.status, MentorProfile.created_at)
    ).all()
    return render_template("mentorships/mentors.html", profiles=profiles, MentorStatus=MentorStatus)


@bp.route("/coordinator/mentors/<int:profile_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def vet(profile_id: int):
    profile = db.session.get(MentorProfile, profile_id)
    if profile is None:
        abort(404)
    form = VettingForm(obj=profile) if request.method == "GET" else VettingForm()
    if form.validate_on_submit():
        vetting = services.Vetting(
            training_on=form.training_on.data,
            certificate_seen_on=form.certificate_seen_on.data,
            has_relevant_entry=form.relevant_entry.data == "yes",
        )
        try:
            if form.decision.data == "activate":
                services.activate(profile, current_user, vetting, today())
            else:
                services.reject(profile, current_user, vetting, form.reason.data)
        except services.MentoringError as error:
            db.session.rollback()
            form.decision.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".mentors"), 303)
    return render_template("mentorships/vet.html", form=form, profile=profile), (422 if form.errors else 200)


@bp.get("/coordinator/matching")
@role_required(Role.COORDINATOR)
def matching():
    waiting = services.waiting_requests()
    proposal = services.propose_batch(today())
    profiles = {
        p.id: p
        for p in db.session.scalars(
            select(MentorProfile).where(MentorProfile.id.in_([f.mentor_id for f in proposal.values()]))
        )
    }
    districts = {d.key: d.name for d in reference.list_districts()}
    topics = dict(topic_choices())
    pairs = [
        (
            match,
            profiles[proposal[match.id].mentor_id],
            proposal[match.id],
            describe(proposal[match.id].reasons, districts, topics),
        )
        for match in waiting
        if match.id in proposal
    ]
    return render_template("mentorships/matching.html", waiting=waiting, pairs=pairs, now=today())


@bp.post("/coordinator/matching")
@role_required(Role.COORDINATOR)
def confirm_matching():
    """Assign the pairs the coordinator kept; each one is checked again on the server."""
    assigned = refused = 0
    for value in request.form.getlist("pair")[:1000]:
        match_id, _sep, mentor_id = value.partition(":")
        if not (match_id.isdigit() and mentor_id.isdigit()):
            continue
        try:
            match = services.assign(int(match_id), int(mentor_id))
        except services.MentoringError:
            db.session.rollback()
            refused += 1
            continue
        messages.request_answered(match, accepted=True)
        messages.assigned(match)
        db.session.commit()
        assigned += 1
    flash(
        _(
            "Families matched: %(assigned)d. Not possible any more: %(refused)d.",
            assigned=assigned,
            refused=refused,
        ),
        "success",
    )
    return redirect(url_for(".matching"), 303)


@bp.app_context_processor
def mentoring_labels() -> dict:
    return {"MatchStatus": MatchStatus}
