"""Parents' groups (Eltern-AG): the office plans them, families join, mentors note who came;
and the invited family's way to become a mentor parent."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from mentoring.accounts.services import AccountError
from mentoring.audit import audit
from mentoring.clock import local_date, today
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.mentorships import bp, groups, pathway, services
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import BecomeMentorForm, CohortAttendanceForm, CohortForm, PlaceFamilyForm
from mentoring.mentorships.models import MentorStatus
from mentoring.mentorships.vetting import mentor_profile_of
from mentoring.mentorships.views import carry_out, checked_request, refusal
from mentoring.reference.choices import (
    PREFER_NOT_TO_SAY,
    district_choices,
    district_names,
    spoken_language_choices,
)
from mentoring.security import Role, role_required

# Parents --------------------------------------------------------------------------------------


@bp.post("/mentoring/groups/<int:cohort_id>/join")
@role_required(Role.PARENT)
def join_group(cohort_id: int):
    checked = checked_request()
    if checked is None:
        return redirect(url_for(".start"), 303)
    _form, asking = checked
    return carry_out(
        lambda: groups.join_cohort(current_user, cohort_id, asking.survey_consent),
        _("You have a place in the group. We look forward to seeing you."),
        url_for(".start"),
    )


@bp.route("/mentoring/become-mentor", methods=["GET", "POST"])
@role_required(Role.PARENT)
def become_mentor():
    """The link in the invitation: the mentor application, filled in from the family's answers."""
    if not pathway.is_invited(current_user):
        abort(404)
    prefill = pathway.prefill_for(current_user)
    form = BecomeMentorForm(
        display_name=prefill.display_name, languages=list(prefill.languages), district=prefill.district or ""
    )
    form.languages.choices = spoken_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    if form.validate_on_submit():
        application = pathway.Application(
            username=form.username.data,
            password=form.password.data,
            display_name=form.display_name.data,
            languages=tuple(form.languages.data),
            district=form.district.data or None,
        )
        try:
            mentor = pathway.apply_as_mentor(current_user, application)
        except AccountError:
            db.session.rollback()
            form.username.errors.append(_("This username is already taken. Please choose another."))
        else:
            db.session.commit()
            login_user(mentor)
            flash(_("Thank you! The programme office will contact you about the training."), "success")
            return redirect(url_for(".mentor_profile"), 303)
    return render_template("mentorships/become_mentor.html", form=form), (422 if form.errors else 200)


# Mentor parents -------------------------------------------------------------------------------


@bp.get("/mentor/groups")
@role_required(Role.MENTOR)
def my_groups():
    profile = mentor_profile_of(current_user)
    cohorts = [(cohort, groups.meetings_of(cohort)) for cohort in groups.mentor_cohorts(profile)]
    return render_template(
        "mentorships/my_groups.html", cohorts=cohorts, today=today(), local_date=local_date
    )


@bp.route("/mentor/groups/meetings/<int:meeting_id>", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def attendance(meeting_id: int):
    profile = mentor_profile_of(current_user)
    meeting = groups.own_meeting(profile, meeting_id)
    if meeting is None:
        abort(404)  # another mentor's group: not found
    cohort = filled(groups.get_cohort(meeting.cohort_id))
    members = groups.members_of(cohort)
    form = CohortAttendanceForm(present=[str(m) for m in groups.present_member_ids(meeting)])
    form.present.choices = [(str(member.id), member.parent.name) for member in members]
    if form.validate_on_submit():
        try:
            came = groups.record_attendance(profile, meeting.id, {int(v) for v in form.present.data})
        except MentoringError as error:
            db.session.rollback()
            form.present.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Saved: %(num)d of %(total)d families came.", num=came, total=len(members)), "success")
            return redirect(url_for(".my_groups"), 303)
    return render_template("mentorships/attendance.html", form=form, meeting=meeting, cohort=cohort), (
        422 if form.errors else 200
    )


# Coordinators ---------------------------------------------------------------------------------


def cohort_form() -> CohortForm:
    form = CohortForm()
    form.languages.choices = spoken_language_choices()
    form.district.choices = district_choices(str(PREFER_NOT_TO_SAY))
    mentors = [(str(p.id), p.user.name) for p in services.all_mentors() if p.status == MentorStatus.ACTIVE]
    form.mentor_id.choices = mentors
    form.co_mentor_id.choices = [("", _("No second mentor parent")), *mentors]
    return form


@bp.get("/coordinator/groups")
@role_required(Role.COORDINATOR)
def cohorts():
    return render_template(
        "mentorships/cohorts.html",
        cohorts=groups.all_cohorts(),
        districts=district_names(),
    )


@bp.route("/coordinator/groups/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_cohort():
    form = cohort_form()
    if form.validate_on_submit():
        plan = groups.CohortPlan(
            name=form.name.data,
            languages=tuple(form.languages.data),
            district=form.district.data or None,
            starts_on=filled(form.starts_on.data),
            weeks=filled(form.weeks.data),
            meets_at=filled(form.meets_at.data),
            place=form.place.data,
            capacity=filled(form.capacity.data),
            mentor_id=int(form.mentor_id.data),
            co_mentor_id=int(form.co_mentor_id.data) if form.co_mentor_id.data else None,
        )
        try:
            cohort = groups.create_cohort(plan)
        except MentoringError as error:
            db.session.rollback()
            target = form.co_mentor_id if error.code == "group_mentor" else form.capacity
            target.errors = [*target.errors, refusal(error.code)]
        else:
            db.session.commit()
            flash(_("The group is planned."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id), 303)
    return render_template("mentorships/new_cohort.html", form=form), (422 if form.errors else 200)


@bp.get("/coordinator/groups/<int:cohort_id>")
@role_required(Role.COORDINATOR)
def cohort(cohort_id: int):
    """The group's families (personal data: the look is audited), meetings and free places."""
    found = groups.get_cohort(cohort_id)
    if found is None:
        abort(404)
    place_form = PlaceFamilyForm(formdata=None)
    place_form.match_id.choices = [(str(m.id), m.parent.name) for m in services.waiting_requests()]
    audit("group_viewed", f"cohort:{found.id}")
    db.session.commit()
    return render_template(
        "mentorships/cohort.html",
        cohort=found,
        members=groups.members_of(found),
        meetings=groups.meetings_of(found),
        place_form=place_form,
        districts=district_names(),
    )


@bp.post("/coordinator/groups/<int:cohort_id>/place")
@role_required(Role.COORDINATOR)
def place_family(cohort_id: int):
    if groups.get_cohort(cohort_id) is None:
        abort(404)
    form = PlaceFamilyForm()
    form.match_id.choices = [(str(m.id), str(m.id)) for m in services.waiting_requests()]
    back = url_for(".cohort", cohort_id=cohort_id)

    def place() -> None:
        member = groups.assign_to_cohort(int(form.match_id.data), cohort_id)
        audit("group_family_placed", f"cohort:{cohort_id}", f"member:{member.id}")

    return carry_out(
        place, _("The family has a place in the group and is told."), back, form=form, invalid="gone"
    )
