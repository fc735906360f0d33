"""The programme office's queue of interpreter requests, and which languages the experts lack."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mentoring.audit import audit
from mentoring.clock import utcnow
from mentoring.consultations import bp
from mentoring.consultations.models import Booking, InterpreterRequest, Slot
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.security import Role, role_required


@bp.get("/coordinator/interpreters")
@role_required(Role.COORDINATOR)
def interpreters():
    open_requests = db.session.scalars(
        select(InterpreterRequest)
        .join(InterpreterRequest.booking)
        .join(Booking.slot)
        .where(InterpreterRequest.is_arranged.is_(False), Slot.starts_at > utcnow())
        .options(joinedload(InterpreterRequest.booking).joinedload(Booking.slot).joinedload(Slot.expert))
        .order_by(Slot.starts_at)
    ).all()
    # Which languages families ask for, over the last year: the languages the experts are missing.
    by_language = db.session.execute(
        select(InterpreterRequest.language, func.count())
        .where(InterpreterRequest.created_at >= utcnow() - timedelta(days=365))
        .group_by(InterpreterRequest.language)
        .order_by(func.count().desc())
    ).all()
    audit("interpreters_viewed")
    db.session.commit()
    return render_template(
        "consultations/interpreters.html",
        requests=open_requests,
        by_language=by_language,
        language_names={code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
    )


@bp.post("/coordinator/interpreters/<int:request_id>/arranged")
@role_required(Role.COORDINATOR)
def interpreter_arranged(request_id: int):
    interpreter = db.session.get(InterpreterRequest, request_id)
    if interpreter is None:
        abort(404)
    interpreter.is_arranged = True
    db.session.commit()
    flash(_("Saved. The expert sees that an interpreter is arranged."), "success")
    return redirect(url_for(".interpreters"), 303)
