"""Friendly error pages in the user's language; JSON for the API."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from mentoring.extensions import db


def error_texts(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Something went wrong"), _("The request could not be understood. Please try again.")),
        403: (_("No access"), _("You are not allowed to open this page.")),
        404: (_("Page not found"), _("This page does not exist, or it has moved.")),
        405: (_("Something went wrong"), _("This page cannot be used this way.")),
        410: (_("This link no longer works"), _("The link has expired or was already used.")),
        413: (_("Too much data"), _("What you sent is too large. Please send less.")),
        429: (
            _("Too many tries"),
            _("You tried too often in a short time. Please wait a few minutes and try again."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("We are sorry. Please try again later. Nothing you entered was saved."),
        ),
        503: (
            _("Please try again in a minute"),
            _("The service is unavailable for a moment. Nothing you entered was saved."),
        ),
    }
    return texts.get(code, texts[400] if code < 500 else texts[500])


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = error_texts(code)
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "message": message or default_message}}, code
    return (
        render_template(
            "web/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
        ),
        code,
    )


def handle_http_error(error: HTTPException):
    response = render_error(error.code or 500)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        body, code = response
        return body, code, {"Allow": ", ".join(error.valid_methods)}
    return response


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        _("Please send the form again"),
        _(
            "The form was open too long or came from somewhere else. Please go back, "
            "reload the page and send it again."
        ),
    )


def handle_server_error(error: Exception):
    db.session.rollback()
    return render_error(500)


def handle_database_unavailable(error: Exception):
    """The database is down or restarting: a clean 503 the browser or the API client can retry.

    The pool drops the broken connections (pre-ping), so the app recovers by itself once it is back.
    """
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()
    body, code = render_error(503)
    return body, code, {"Retry-After": "30"}


def close_session_safely(_error: BaseException | None) -> None:
    """End the request's session even when its connection died (a database restart): a broken
    connection is thrown away instead of rolled back, so the request still gets its answer."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        db.session().invalidate()
        db.session.remove()


def register_error_pages(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first and leaves nothing to it.
    app.teardown_appcontext(close_session_safely)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    # Flask hands every unhandled exception to this handler unless it propagates (tests).
    app.register_error_handler(InternalServerError, handle_server_error)
