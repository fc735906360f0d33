"""Every way a dead database connection meets a request ends in the translated 503 with
Retry-After (JSON for the API), never a 500, and nothing half-written.

The database is made to fail at one step (the commit, the end-of-request rollback, every query)
by replacing that step of the engine's dialect with one raising the driver's own
OperationalError, so SQLAlchemy wraps and handles it exactly as it does a real lost connection.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, PendingRollbackError

from mentoring.consultations.models import Booking, Slot
from mentoring.extensions import db
from mentoring.web.errors import database_unavailable
from tests.conftest import another_app_instance, submit
from tests.factories import DEMO_PASSWORD, make_expert, make_slot, make_user

TITLE_DE = "Bitte versuchen Sie es in einer Minute noch einmal"
MESSAGE_DE = "Der Dienst ist gerade kurz nicht erreichbar. Ihre Eingaben wurden nicht gespeichert."


@contextmanager
def database_fails(app: Flask, step: str, times: int | None = None) -> Iterator[list[int]]:
    """Make the dialect's `step` (do_commit, do_rollback, do_execute) raise the driver's
    OperationalError, `times` times or always; yields a one-item list counting the failures."""
    with app.app_context():
        dialect = db.engine.dialect
    original = getattr(dialect, step)
    failures = [0]

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        if times is not None and failures[0] >= times:
            return original(*args, **kwargs)
        failures[0] += 1
        if step == "do_commit":
            # A commit that fails has ended the transaction on the server, as PostgreSQL does:
            # SQLAlchemy does not roll back after a failed COMMIT, so neither may this stand-in.
            dialect.do_rollback(args[0])
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    setattr(dialect, step, fail)
    try:
        yield failures
    finally:
        delattr(dialect, step)  # the class's own method again


def booking_body(slot_id: int) -> dict:
    return {"slot_id": slot_id, "name": "Ayla", "phone": "+4917612345678", "language": "de", "consent": True}


def assert_clean_503(response, api: bool = False) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.text[:500]
    # 30 s from the handler; a rate-limited view may say later (the limiter keeps the later one).
    assert int(response.headers["Retry-After"]) >= 30
    assert "Traceback" not in response.text
    if api:
        assert response.json == {"error": {"code": 503, "message": MESSAGE_DE}}
    else:
        assert TITLE_DE in response.text and MESSAGE_DE in response.text


def test_a_failing_commit_answers_503_and_writes_nothing(app, client):
    slot = make_slot(app, make_expert(app))
    with database_fails(app, "do_commit") as failures:
        response = client.post("/api/v1/bookings", json=booking_body(slot))
    assert failures[0] == 1
    assert_clean_503(response, api=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        assert db.session.get(Slot, slot).booked_count == 0  # the seat was not taken either
    # The next request finds a working database again.
    assert client.post("/api/v1/bookings", json=booking_body(slot)).status_code == 201


def test_a_page_whose_queries_fail_answers_the_translated_503(app, client):
    with database_fails(app, "do_execute"):
        german = client.get("/consultations")
        english = client.get("/consultations?lang=en")
    assert_clean_503(german)
    assert english.status_code == 503 and english.headers["Retry-After"] == "30"  # no limit here
    assert "Please try again in a minute" in english.text


def test_a_connection_lost_at_the_end_of_the_request_keeps_the_answer(app, client):
    """The cause of the bare 500s during a restart: the view had answered, then the rollback that
    ends every request met a connection the server had just closed."""
    make_slot(app, make_expert(app))
    with database_fails(app, "do_rollback", times=1) as failures:
        response = client.get("/consultations")
    assert failures[0] == 1
    assert response.status_code == 200
    with app.app_context():
        # Not back in the pool with its transaction (and locks) still open: thrown away.
        assert db.engine.pool.checkedout() == 0
    assert client.get("/consultations").status_code == 200


def test_a_signed_in_user_gets_the_503_page_not_a_500(app, client, login_as):
    """The page's language and layout load the signed-in user; with the database gone that
    query fails again while the 503 page is rendered."""
    login_as("parent")
    with database_fails(app, "do_execute"):
        response = client.get("/consultations")
    assert_clean_503(response)
    assert client.get("/consultations").status_code == 200  # still signed in afterwards


def test_an_error_page_that_needs_the_database_answers_503(app, database_url, tmp_path: Path):
    """A 404 for a signed-in user: only its error page loads the user, so the database error is
    raised inside an error handler and reaches the server-error handler (as in production, where
    exceptions do not propagate)."""
    name = make_user(app, role="parent")
    with another_app_instance(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False) as other:
        client = other.test_client()
        assert submit(client, "/login", {"username": name, "password": DEMO_PASSWORD}).status_code == 303
        with database_fails(other, "do_execute"):
            response = client.get("/no-such-page")
        assert_clean_503(response)
        assert client.get("/no-such-page").status_code == 404  # and a 404 once it is back


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (OperationalError("SELECT 1", {}, Exception("gone")), True),
        (DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True), True),
        (DBAPIError("SELECT 1", {}, Exception("bad"), connection_invalidated=False), False),
        (IntegrityError("INSERT", {}, Exception("duplicate")), False),
        (PendingRollbackError("Can't reconnect until invalid transaction is rolled back."), True),
        (PendingRollbackError("This Session's transaction has been rolled back"), False),
        (RuntimeError("a bug"), False),
        (None, False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable


def test_an_error_raised_while_handling_a_lost_connection_counts_as_one():
    try:
        try:
            raise OperationalError("SELECT 1", {}, Exception("gone"))
        except OperationalError:
            raise AttributeError("raised by the cleanup") from None
    except AttributeError as error:
        # `from None` hides the outage from the traceback, not from __context__: still the outage.
        assert database_unavailable(error)


def test_an_ordinary_error_stays_what_it_is(app, client):
    """The handlers above catch no more than the outage: a 404 stays a 404."""
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Retry-After" not in response.headers
