from flask import redirect, request
from flask_login import current_user

from mentoring.extensions import db
from mentoring.i18n import bp
from mentoring.i18n.locale import is_shipped, remember_locale
from mentoring.security import public, safe_next_url


@bp.post("/language")
@public
def switch_language():
    """The switcher: remember the choice in a cookie and, for a logged-in user, in the profile."""
    code = request.form.get("lang", "")
    target = safe_next_url(request.form.get("next"))
    response = redirect(target, 303)
    if not is_shipped(code):
        return response
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return remember_locale(response, code)
