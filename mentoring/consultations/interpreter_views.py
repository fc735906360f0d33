"""The programme office marks interpreter requests arranged (the queue itself: web.interpreter_views)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from mentoring.consultations import bp
from mentoring.consultations import interpreters as interpreter_rules
from mentoring.extensions import db
from mentoring.security import Role, role_required


@bp.post("/coordinator/interpreters/<int:request_id>/arranged")
@role_required(Role.COORDINATOR)
def interpreter_arranged(request_id: int):
    if not interpreter_rules.mark_arranged(request_id):
        abort(404)
    db.session.commit()
    flash(_("Saved. The expert sees that an interpreter is arranged."), "success")
    return redirect(url_for("web.interpreters"), 303)
