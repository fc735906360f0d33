"""Separate keys for separate purposes, and a SECRET_KEY that can rotate without breaking links.

Rotation is tested as an operator does it: the same database, a second instance started with a new
SECRET_KEY and the old one in SECRET_KEY_FALLBACKS, then a third one that has dropped the old key.
"""

import secrets
from datetime import timedelta

import pytest
from flask import Flask

from mentoring import keys
from mentoring.consultations import messages
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from tests.conftest import another_app_instance, log_in
from tests.factories import book_in_db, make_expert, make_slot, make_user

OLD = secrets.token_hex(32)
NEW = secrets.token_hex(32)


@pytest.mark.parametrize(
    "key",
    [
        "x" * 64,
        "reliability-tests-" + "x" * 32,
        "development-only-secret",
        "change-me",
        secrets.token_hex(8),  # random, but 16 characters
        "abababababababababababababababababababab",
    ],
)
def test_weak_secret_keys_are_refused(key: str) -> None:
    assert keys.key_problem(key) is not None


def test_random_keys_are_accepted() -> None:
    assert keys.key_problem(secrets.token_hex(32)) is None
    assert keys.key_problem(secrets.token_urlsafe(32)) is None


def test_each_purpose_has_its_own_key(app: Flask) -> None:
    with app.app_context():
        derived = {purpose: keys.derive(purpose) for purpose in ("outbox-links", "pseudonym", "cell-key")}
        assert len(set(derived.values())) == 3
        assert app.config["SECRET_KEY"].encode() not in derived.values()
        # What one purpose signs does not verify under another.
        assert not keys.verify("pseudonym", "x", keys.sign("reminder-answer", "x"))


def answer_path(instance: Flask, booking_id: int) -> str:
    with instance.test_request_context():
        url = messages.answer_url(db.session.get(Booking, booking_id), "coming")
    return url.removeprefix("http://localhost")


def test_a_reminder_answer_link_survives_a_key_rotation_while_the_old_key_is_kept(
    app: Flask, database_url: str, tmp_path
) -> None:
    slot = make_slot(app, make_expert(app, username="sabine"), starts_in=timedelta(days=3))
    booking_id, _token = book_in_db(app, slot, email="ayla@example.org", phone=None)
    with another_app_instance(database_url, tmp_path, SECRET_KEY=OLD) as old:
        link = answer_path(old, booking_id)
    with another_app_instance(database_url, tmp_path, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]) as new:
        assert answer_path(new, booking_id) != link  # new links are signed with the new key
        assert new.test_client().get(link).status_code == 200
    with another_app_instance(database_url, tmp_path, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]) as later:
        assert later.test_client().get(link).status_code == 410  # "this link no longer works"


def test_a_session_survives_a_key_rotation_while_the_old_key_is_kept(
    app: Flask, database_url: str, tmp_path
) -> None:
    make_user(app, username="ayla")
    with another_app_instance(database_url, tmp_path, SECRET_KEY=OLD) as old:
        client = log_in(old.test_client(), "ayla")
        cookie = client.get_cookie(old.config.get("SESSION_COOKIE_NAME", "session"))
        assert cookie is not None
    for fallbacks, status in (([OLD], 200), ([], 302)):
        with another_app_instance(
            database_url, tmp_path, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=fallbacks
        ) as new:
            replay = new.test_client()
            replay.set_cookie(cookie.key, cookie.value)
            assert replay.get("/account").status_code == status
