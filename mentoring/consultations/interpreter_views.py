"""The programme office's queue of interpreter requests, and which languages the experts lack."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from mentoring.audit import audit
from mentoring.consultations import bp
from mentoring.consultations import interpreters as interpreter_rules
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.security import Role, role_required


@bp.get("/coordinator/interpreters")
@role_required(Role.COORDINATOR)
def interpreters():
    open_requests = interpreter_rules.open_requests()
    by_language = interpreter_rules.requests_by_language()
    audit("interpreters_viewed")  # the one write of this page: who looked at families' bookings
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
    if not interpreter_rules.mark_arranged(request_id):
        abort(404)
    db.session.commit()
    flash(_("Saved. The expert sees that an interpreter is arranged."), "success")
    return redirect(url_for(".interpreters"), 303)
