"""The edge between Flask's cookie session and the server-side sessions (accounts.services).

The cookie holds a random session id under SESSION_ID_KEY; Flask-Login's user loader accepts the
cookie only while the id's row exists and is within its limits. Every place that logs someone in
calls `sign_in` (which renews the whole cookie session first), every logout calls `sign_out`.

Flask-Login's `session_protection` is off: the server-side row is what makes a session valid, and it
can be ended from anywhere. Binding the session to the client's address ("strong") would log families
out whenever their phone changes network, and would keep a hash of their address in the cookie.
Remember-me cookies are never issued; one presented would find no session id and open nothing.
"""

from datetime import timedelta

from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from mentoring.accounts import services
from mentoring.accounts.models import User
from mentoring.clock import utcnow
from mentoring.extensions import db

SESSION_ID_KEY = "sid"
BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))


def session_limits() -> services.SessionLimits:
    config = current_app.config
    return services.SessionLimits(
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
        idle_staff=timedelta(minutes=config["SESSION_IDLE_MINUTES_STAFF"]),
        idle_family=timedelta(minutes=config["SESSION_IDLE_MINUTES_FAMILY"]),
    )


def browser_label(user_agent: str) -> str:
    """Just the browser's name, enough to tell one's own devices apart; nothing else is kept."""
    return next((name for marker, name in BROWSERS if marker in user_agent), "")


def current_session_id() -> str | None:
    return session.get(SESSION_ID_KEY)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the cookie's user while its server-side session lives."""
    token = current_session_id()
    if not token:
        return None  # a cookie from before server-side sessions, or a remember-me cookie
    try:
        user, touched = services.resume_session(user_id, token, session_limits(), utcnow())
    except services.SessionEnded as ended:
        g.session_ended = ended.code
        return None
    g.session_touched = touched
    return user


def check_session() -> None:
    """before_request, ahead of every view: load the user once, and commit the session's own write
    (last seen, or an ended row) now, so it never rides along with the view's unit of work."""
    if request.endpoint == "static":
        return
    current_user._get_current_object()  # runs load_user
    if g.pop("session_touched", False):
        db.session.commit()
    ended = g.pop("session_ended", None)
    if ended is not None:
        db.session.commit()
        session.clear()
        if ended in ("idle", "expired"):
            flash(_("For your safety you were logged out after some time. Please log in again."), "info")


def sign_in(user: User) -> None:
    """Log `user` in with a fresh session: nothing from before the login (a planted CSRF token,
    whatever a visitor's session held) survives, and a session this browser still had ends.
    The caller commits."""
    previous = current_session_id()
    if previous:
        services.end_session(previous)
    session.clear()
    session[SESSION_ID_KEY] = services.start_session(user, browser_label(request.user_agent.string))
    login_user(user)


def sign_out() -> None:
    """End this browser's session on the server and in the cookie. The caller commits."""
    token = current_session_id()
    if token:
        services.end_session(token)
    logout_user()
    session.clear()
