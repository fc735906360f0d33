"""Coordinators: vet mentor parents, enter families, assign directly or batch-match, follow mentorings."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.audit import audit
from mentoring.clock import today
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.mentorships import bp, qualification, relationship, services, vetting
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import (
    CONTACT_LABELS,
    LANGUAGE_LEVEL_LABELS,
    LEARNING_LABELS,
    ApplicantMessageForm,
    AssignForm,
    EndForm,
    FamilyForm,
    LearningEntryForm,
    StatusForm,
    VettingForm,
)
from mentoring.mentorships.matching import rank
from mentoring.mentorships.models import EndedBy, MatchStatus, MentorProfile, MentorStatus
from mentoring.mentorships.reasons import describe, describe_need
from mentoring.mentorships.views import carry_out, end_by, need_of, refusal
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    age_group_choices,
    district_choices,
    district_names,
    message_language_choices,
    referral_choices,
    referral_names,
    spoken_language_choices,
    topic_choices,
    topic_names,
)
from mentoring.security import Role, role_required


@bp.get("/coordinator/mentors")
@role_required(Role.COORDINATOR)
def mentors():
    audit("mentors_viewed")  # committed first: a commit expires what was loaded before it
    db.session.commit()
    profiles = services.all_mentors()
    return render_template(
        "mentorships/mentors.html",
        profiles=profiles,
        applicants=sum(1 for p in profiles if p.status == MentorStatus.APPLICANT),
        MentorStatus=MentorStatus,
    )


@bp.route("/coordinator/mentors/<int:profile_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def vet(profile_id: int):
    profile = services.profiles_by_id([profile_id]).get(profile_id)
    if profile is None:
        abort(404)
    form = VettingForm(obj=profile) if request.method == "GET" else VettingForm()
    if form.validate_on_submit():
        facts = vetting.Vetting(
            training_on=form.training_on.data,
            certificate_seen_on=form.certificate_seen_on.data,
            has_relevant_entry=form.relevant_entry.data == "yes",
        )
        try:
            if form.decision.data == "activate":
                vetting.activate(profile, current_user, facts, today())
            else:
                vetting.reject(profile, current_user, facts, form.reason.data)
            audit("vetting_decided", f"mentor:{profile.id}", form.decision.data)
        except MentoringError as error:
            db.session.rollback()
            form.decision.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".mentors"), 303)
    return vet_page(profile, form, ApplicantMessageForm(formdata=None))


def vet_page(
    profile: MentorProfile, form: VettingForm, message_form: ApplicantMessageForm
) -> tuple[str, int]:
    """The vetting page shows the applicant's phone and e-mail: the look is written to the audit log."""
    audit("vetting_viewed", f"mentor:{profile.id}")
    db.session.commit()
    status_form = StatusForm(formdata=None, status=profile.status.value)
    return render_template(
        "mentorships/vet.html",
        form=form,
        message_form=message_form,
        profile=profile,
        languages=[KNOWN_LANGUAGES[c].native_name for c in profile.languages if c in KNOWN_LANGUAGES],
        districts=district_names(),
        status_form=status_form if profile.status in vetting.STATUS_CHANGES else None,
        record=qualification.record_of(profile),
        learning_form=LearningEntryForm(formdata=None),
        kinds=dict(LEARNING_LABELS),
        expires_on=vetting.certificate_expires_on(profile.certificate_seen_on)
        if profile.certificate_seen_on
        else None,
    ), (422 if form.errors or message_form.errors else 200)


@bp.post("/coordinator/mentors/<int:profile_id>/message")
@role_required(Role.COORDINATOR)
def write_to_applicant(profile_id: int):
    """A short message from the office, sent in the applicant's language through the outbox."""
    profile = services.profiles_by_id([profile_id]).get(profile_id)
    if profile is None:
        abort(404)
    message_form = ApplicantMessageForm()
    if message_form.validate_on_submit():
        try:
            vetting.write_to_applicant(profile, current_user, message_form.text.data)
            audit("applicant_messaged", f"mentor:{profile.id}")
        except MentoringError as error:
            db.session.rollback()
            message_form.text.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Your message is on its way."), "success")
            return redirect(url_for(".vet", profile_id=profile.id), 303)
    return vet_page(profile, VettingForm(formdata=None), message_form)


@bp.post("/coordinator/mentors/<int:profile_id>/status")
@role_required(Role.COORDINATOR)
def change_status(profile_id: int):
    """active ⇄ paused → retired, after vetting."""
    profile = services.profiles_by_id([profile_id]).get(profile_id)
    if profile is None:
        abort(404)
    form = StatusForm()
    back = url_for(".vet", profile_id=profile.id)

    def change() -> None:
        vetting.change_status(profile, MentorStatus(form.status.data), today())
        audit("status_changed", f"mentor:{profile.id}", form.status.data)

    return carry_out(
        change,
        _("Saved."),
        back,
        form=form,
        invalid="status",
    )


@bp.route("/coordinator/families/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_family():
    """A request entered for a family without e-mail or without confidence online."""
    form = FamilyForm()
    form.languages.choices = spoken_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    form.age_group.choices = age_group_choices(str(PREFER_NOT_TO_SAY))
    form.topics.choices = topic_choices()
    form.contact_mode.choices = [("", str(PREFER_NOT_TO_SAY)), *CONTACT_LABELS]
    form.locale.choices = message_language_choices()
    form.referral.choices = referral_choices()
    if form.validate_on_submit():
        family = services.Family(
            name=form.name.data,
            locale=form.locale.data,
            phone=form.phone.data or None,
            email=form.email.data or None,
            survey_consent=bool(form.survey_consent.data),
        )
        match = services.enter_for_family(
            current_user, family, need_of(form), form.note.data or "", form.referral.data
        )
        audit("family_entered", f"match:{match.id}")
        db.session.commit()
        flash(_("The family is on the waiting list. Assign a mentor parent below."), "success")
        return redirect(url_for(".matching"), 303)
    return render_template(
        "mentorships/new_family.html", form=form, level_labels=LANGUAGE_LEVEL_LABELS
    ), (422 if form.errors else 200)


@bp.get("/coordinator/matching")
@role_required(Role.COORDINATOR)
def matching():
    audit("matching_viewed")  # committed first: a commit expires what was loaded before it
    db.session.commit()
    waiting = services.waiting_requests()
    offers = services.available_offers(today())
    proposal = services.propose_batch(waiting, offers)
    # For assigning one family directly: the five best fits of each, from the same offers.
    options = {match.id: rank(services.need_of_match(match), offers, 5) for match in waiting}
    mentor_ids = {f.mentor_id for f in proposal.values()} | {
        f.mentor_id for fits in options.values() for f in fits
    }
    profiles = services.profiles_by_id(mentor_ids)
    districts, topics = district_names(), topic_names()
    pairs = [
        (match, profiles[fit.mentor_id], fit, describe(fit.reasons, districts, topics))
        for match in waiting
        if (fit := proposal.get(match.id))
    ]
    return render_template(
        "mentorships/matching.html",
        waiting=waiting,
        pairs=pairs,
        options=options,
        profiles=profiles,
        referrals=referral_names(),
        needs={match.id: describe_need(match, districts, topics) for match in waiting},
        now=today(),
    )


def assign_and_record(match_id: int, mentor_id: int) -> None:
    match = services.assign(match_id, mentor_id)  # tells the family and the mentor
    audit("family_assigned", f"match:{match.id}", f"mentor:{match.mentor_id}")


@bp.post("/coordinator/matching/<int:match_id>/assign")
@role_required(Role.COORDINATOR)
def assign(match_id: int):
    """Assign one waiting family to a mentor parent; the rules are checked again on the server."""
    form = AssignForm()
    return carry_out(
        lambda: assign_and_record(match_id, filled(form.mentor_id.data)),  # carry_out validates first
        _("The family and the mentor parent are told."),
        url_for(".matching"),
        form=form,
        invalid="unavailable",
    )


@bp.post("/coordinator/matching")
@role_required(Role.COORDINATOR)
def confirm_matching():
    """Assign the pairs the coordinator kept; each one is checked again on the server."""
    assigned = refused = 0
    for value in request.form.getlist("pair")[:1000]:
        match_id, _sep, mentor_id = value.partition(":")
        if not (match_id.isdigit() and mentor_id.isdigit()) or max(len(match_id), len(mentor_id)) > 9:
            continue
        try:
            assign_and_record(int(match_id), int(mentor_id))
        except MentoringError:
            db.session.rollback()
            refused += 1
            continue
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


@bp.get("/coordinator/mentorings")
@role_required(Role.COORDINATOR)
def mentorings():
    """Active mentorings with first contact, number of logged contacts (never the notes), trial, end."""
    audit("mentorings_viewed")  # committed first: a commit expires what was loaded before it
    db.session.commit()
    matches = services.active_mentorings()
    return render_template(
        "mentorships/mentorings.html",
        matches=matches,
        counts=relationship.contact_counts([m.id for m in matches]),
        end_form=EndForm(formdata=None),
        now=today(),
    )


@bp.post("/coordinator/mentorings/<int:match_id>/end")
@role_required(Role.COORDINATOR)
def end_as_coordinator(match_id: int):
    return end_by(
        EndedBy.COORDINATOR,
        match_id,
        url_for(".mentorings"),
        record=lambda reason: audit("mentoring_ended", f"match:{match_id}", reason),
    )


@bp.app_context_processor
def mentoring_labels() -> dict:
    return {"MatchStatus": MatchStatus}
