"""The programme office's queue of interpreter requests, and which languages the experts lack.

Served here, above the domains, because the language counts are published with the dashboard's
small-cell suppression (`surveys.reports.suppress`), which the consultations domain cannot import.
"""

from flask import current_app, render_template

from mentoring.audit import audit
from mentoring.consultations import interpreters as interpreter_rules
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.security import Role, role_required
from mentoring.surveys import reports
from mentoring.web import bp


@bp.get("/coordinator/interpreters")
@role_required(Role.COORDINATOR)
def interpreters():
    threshold = max(current_app.config["SUPPRESSION_THRESHOLD"], 5)
    open_requests = interpreter_rules.open_requests()
    by_language = reports.interpreter_languages(threshold)
    audit("interpreters_viewed")  # the one write of this page: who looked at families' bookings
    db.session.commit()
    return render_template(
        "consultations/interpreters.html",
        requests=open_requests,
        by_language=by_language,
        threshold=threshold,
        language_names={code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
    )
