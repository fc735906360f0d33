""" "I am worried / I need advice": the mentor's thread with the programme office, and the office's side.

Only the mentor who raised a concern and coordinators can open it (404 for everyone else); every
look by a coordinator is audited.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mentoring.audit import audit
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import bp, concerns
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.forms import ConcernForm, ConcernReplyForm
from mentoring.mentorships.mentor_views import my_mentor_profile, own_match_or_404
from mentoring.mentorships.models import Concern, ConcernStatus
from mentoring.mentorships.views import carry_out, refusal
from mentoring.security import Role, role_required


@bp.route("/mentor/families/<int:match_id>/concern", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def raise_concern(match_id: int):
    """The mentor writes to the office about one of their families; the page says what happens next."""
    profile = my_mentor_profile()
    match = own_match_or_404(match_id, profile)
    form = ConcernForm()
    if form.validate_on_submit():
        try:
            concern = concerns.raise_concern(profile, match.id, form.body.data or "")
        except MentoringError as error:
            db.session.rollback()
            form.body.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Your message is sent to the programme office."), "success")
            return redirect(url_for(".concern", concern_id=concern.id), 303)
    return render_template("mentorships/concern_new.html", form=form, match=match), (
        422 if form.errors else 200
    )


@bp.route("/mentor/concerns/<int:concern_id>", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def concern(concern_id: int):
    profile = my_mentor_profile()
    found = concerns.own_concern(profile, concern_id)
    if found is None:
        abort(404)  # another mentor's concern: not found, so nothing leaks
    form = ConcernReplyForm()
    if form.validate_on_submit():
        try:
            concerns.mentor_writes(profile, concern_id, form.body.data or "")
        except MentoringError as error:
            db.session.rollback()
            form.body.errors.append(refusal(error.code))
        else:
            db.session.commit()
            flash(_("Your message is sent to the programme office."), "success")
            return redirect(url_for(".concern", concern_id=concern_id), 303)
    return thread_page("mentorships/concern.html", found, form)


def thread_page(template: str, found: Concern, form: ConcernReplyForm):
    """A concern's thread with the form to write in it (the mentor's and the office's page)."""
    return render_template(
        template, concern=found, messages=concerns.thread(found), form=form, ConcernStatus=ConcernStatus
    ), (422 if form.errors else 200)


# The programme office ---------------------------------------------------------------------------


@bp.get("/coordinator/concerns")
@role_required(Role.COORDINATOR)
def office_concerns():
    """Open threads, the oldest first, with how long they have been open."""
    found = concerns.open_concerns()
    audit("concerns_viewed", detail=str(len(found)))
    # Rendered before the commit, which would expire the loaded threads (one reload each).
    page = render_template("mentorships/office_concerns.html", concerns=found, now=utcnow())
    db.session.commit()
    return page


def office_concern_or_404(concern_id: int) -> Concern:
    found = concerns.concern_for_office(concern_id)
    if found is None:
        abort(404)
    return found


@bp.route("/coordinator/concerns/<int:concern_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def office_concern(concern_id: int):
    found = office_concern_or_404(concern_id)
    form = ConcernReplyForm()
    if form.validate_on_submit():
        try:
            concerns.office_answers(current_user, concern_id, form.body.data or "")
        except MentoringError as error:
            db.session.rollback()
            form.body.errors.append(refusal(error.code))
        else:
            audit("concern_answered", subject=f"concern:{concern_id}")
            db.session.commit()
            flash(_("Your answer is sent. The mentor parent is told that there is an answer."), "success")
            return redirect(url_for(".office_concern", concern_id=concern_id), 303)
    audit("concern_viewed", subject=f"concern:{concern_id}")
    db.session.commit()
    return thread_page("mentorships/office_concern.html", found, form)


@bp.post("/coordinator/concerns/<int:concern_id>/close")
@role_required(Role.COORDINATOR)
def close_concern(concern_id: int):
    office_concern_or_404(concern_id)

    def close() -> None:
        concerns.close(concern_id)
        audit("concern_closed", subject=f"concern:{concern_id}")

    return carry_out(close, _("The thread is closed."), url_for(".office_concerns"))
