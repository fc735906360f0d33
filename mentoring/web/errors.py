"""Friendly error pages in the user's language; JSON for the API."""

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
    SQLAlchemyError,
)
from werkzeug.exceptions import HTTPException, InternalServerError

from mentoring.extensions import db, login_manager


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


def database_unavailable(error: BaseException | None) -> bool:
    """Is this (or what it was raised while handling) a lost or refused database connection?

    Not only OperationalError and InterfaceError: any DBAPI error SQLAlchemy recognised as a
    disconnect, and the PendingRollbackError of a session whose connection died mid-transaction
    ("Can't reconnect until invalid transaction is rolled back"). The chain is followed because an
    error raised after the view (a teardown, an error handler) arrives wrapped or as the context of
    another error.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OperationalError | InterfaceError):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, PendingRollbackError) and "reconnect" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def open_connection() -> Connection | None:
    """The connection the request's session holds a transaction on, if any (without opening one)."""
    if not db.session.registry.has():
        return None
    session = db.session()  # the Session itself: scoped_session proxies neither call below
    if not session.in_transaction():
        return None
    try:
        return session.connection()
    except SQLAlchemyError:  # e.g. a commit failed half-way ("prepared" state): leave it to rollback
        return None


def discard_session(connection: Connection | None) -> None:
    """Throw the request's session and its connection away without talking to the database.

    Used when a rollback failed: the connection is dead, or in a state nobody knows, and must not
    go back to the pool (a live one would keep its transaction and its locks). Invalidating closes
    it; the server rolls back whatever it never saw committed.
    """
    for discard in (
        connection.invalidate if connection is not None else None,
        db.session().invalidate,  # the Session itself: scoped_session does not proxy invalidate()
    ):
        if discard is None:
            continue
        try:
            discard()
        except Exception:  # cleanup of a connection already lost: it must never fail the answer
            current_app.logger.warning("could not discard the database connection", exc_info=True)
    db.session.registry.clear()  # the next use in this request opens a fresh session


def end_transaction() -> None:
    """Roll back before answering an error; a connection that cannot roll back is discarded."""
    connection = open_connection()
    try:
        db.session.rollback()
    except SQLAlchemyError:
        discard_session(connection)


def handle_server_error(error: InternalServerError):
    # Flask sends every error nobody else handled here, wrapped: an error raised after the view
    # (after_request, the session cookie, the rate limiter's headers) or inside another error
    # handler. A lost database connection among them is the outage's 503, not a bug's 500.
    if database_unavailable(error.original_exception):
        return handle_database_unavailable(error.original_exception)
    end_transaction()
    return render_error(500)


def handle_database_unavailable(error: BaseException | None):
    """The database is down or restarting: a clean 503 the browser or the API client can retry.

    The pool drops the broken connections (pre-ping), so the app recovers by itself once it is back.
    """
    current_app.logger.warning("database unavailable on %s %s: %r", request.method, request.path, error)
    end_transaction()
    # The page must not need the database: the signed-in user (loaded lazily by the language
    # choice and the layout, expired by the rollback) would query it again, fail, and turn this
    # answer into a bare 500. Answer as to a visitor; the next page knows them again.
    g._login_user = login_manager.anonymous_user()
    body, code = render_error(503)
    return body, code, {"Retry-After": "30"}


def close_session_safely(_error: BaseException | None) -> None:
    """End the request's session even when its connection died (a database restart): a broken
    connection is thrown away instead of rolled back, so the request still gets its answer.

    This runs after the answer is made, where an exception can only replace it with the server's
    bare 500 (or hide a confirmed booking behind one), so nothing raised here may escape.
    """
    connection = open_connection()
    try:
        db.session.remove()
    except Exception as error:  # anything: see above
        if not database_unavailable(error):
            current_app.logger.exception("closing the session failed")
        discard_session(connection)


def register_error_pages(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first and leaves nothing to it.
    app.teardown_appcontext(close_session_safely)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    # Flask hands every unhandled exception to this handler unless it propagates (tests).
    app.register_error_handler(InternalServerError, handle_server_error)
