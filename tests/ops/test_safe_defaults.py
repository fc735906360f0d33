"""The configuration fails safe: a forgotten MENTORING_ENV, a weak key, SQLite or mail in clear text
in production are refused at start, and the demo answers only this machine.

The attacks are the audit's: importing `wsgi` the way `gunicorn wsgi:app` does without MENTORING_ENV,
and forging a coordinator's session cookie with the formerly published development key.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from mentoring import create_app
from tests.conftest import log_in
from tests.factories import make_user

CHECKOUT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_hex(32)


def import_wsgi(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`import wsgi` in a fresh interpreter, as gunicorn does, with only the given environment."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "MENTORING_INSTANCE_PATH": str(tmp_path / "instance"),
        **env,
    }
    probe = (
        "import wsgi; c = wsgi.app.config; "
        "print(c['SESSION_COOKIE_SECURE'], c['ALLOW_DEMO_SEED'], c['SECRET_KEY'] == 'development-only-secret')"
    )
    return subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
        [sys.executable, "-c", probe], cwd=CHECKOUT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_without_mentoring_env_the_app_is_production_and_refuses_a_missing_key(tmp_path: Path) -> None:
    result = import_wsgi(tmp_path, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "MENTORING_ENV" in result.stderr
    started = import_wsgi(
        tmp_path, SECRET_KEY=GOOD_KEY, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["True", "False", "False"]  # secure cookies, no demo seed


def test_the_demo_makes_its_own_random_key_once_per_install(tmp_path: Path) -> None:
    first = import_wsgi(tmp_path, MENTORING_ENV="development")
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[2] == "False"  # not the published value
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    key = key_file.read_text()
    assert len(key) == 64
    # The worker and the CLI are other processes of the same install: they must share the key.
    assert import_wsgi(tmp_path, MENTORING_ENV="development").returncode == 0
    assert key_file.read_text() == key
    other_install = tmp_path / "other"
    other_install.mkdir()
    assert import_wsgi(other_install, MENTORING_ENV="development").returncode == 0
    assert (other_install / "instance" / "secret_key").read_text() != key


def forged_cookie(secret: str, user_id: str) -> str:
    forger = Flask("forger")
    forger.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps({"_user_id": user_id, "_fresh": True})


def test_a_cookie_forged_with_the_old_published_key_opens_nothing(app: Flask, tmp_path: Path) -> None:
    make_user(app, "coordinator", username="office")
    demo = create_app(
        "development",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "RATELIMIT_ENABLED": False},
    )
    assert demo.config["SECRET_KEY"] != "development-only-secret"
    client = demo.test_client()
    for user_id in ("1:1", "2:1", "3:1"):
        client.set_cookie("session", forged_cookie("development-only-secret", user_id))
        assert client.get("/coordinator/users").status_code in (302, 401, 403)


def test_the_demo_answers_only_this_machine(app: Flask) -> None:
    demo = create_app("development", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    client = demo.test_client()
    assert client.get("/health", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/health", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
    told = create_app(
        "development",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "LOOPBACK_ONLY": False},
    )
    assert told.test_client().get("/health", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


PRODUCTION = {
    "SECRET_KEY": GOOD_KEY,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
}


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": "x" * 64}, "SECRET_KEY"),
        ({"SECRET_KEY": "reliability-tests-" + "x" * 32}, "SECRET_KEY"),
        ({"SECRET_KEY_FALLBACKS": ["change-me"]}, "SECRET_KEY"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.sqlite"}, "ALLOW_SQLITE"),
        ({"MAIL_SECURITY": "none"}, "MAIL_ALLOW_PLAINTEXT"),
        ({"MAIL_SECURITY": "ssl-maybe"}, "MAIL_SECURITY"),
        ({"SMS_GATEWAY_URL": "http://sms.example.org/send"}, "https"),
    ],
)
def test_production_refuses_unsafe_settings(overrides: dict, complaint: str) -> None:
    with pytest.raises(RuntimeError, match=complaint):
        create_app("production", PRODUCTION | overrides)


def test_production_allows_sqlite_and_plain_mail_only_when_told() -> None:
    allowed = create_app(
        "production",
        PRODUCTION
        | {
            "SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.sqlite",
            "ALLOW_SQLITE": True,
            "MAIL_SECURITY": "none",
            "MAIL_ALLOW_PLAINTEXT": True,
        },
    )
    assert allowed.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "99999-01-01"])
def test_absurd_dates_are_ignored_or_refused_never_a_500(app: Flask, client, day: str) -> None:
    page = client.get(f"/consultations?date={day}")
    assert page.status_code == 200
    for query in (f"from={day}&to={day}", f"from={day}", f"to={day}"):
        answer = client.get(f"/api/v1/slots?{query}")
        assert answer.status_code == 422, (query, answer.status_code)
        assert "2026-11-30" in answer.text  # says what a date looks like


def test_an_expert_agenda_with_an_absurd_day_shows_today(app: Flask, client) -> None:
    from tests.factories import make_expert

    make_expert(app, username="sabine")
    log_in(client, "sabine")
    for day in ("9999-12-31", "0001-01-01"):
        assert client.get(f"/expert/agenda?day={day}").status_code == 200
        assert client.get(f"/expert/agenda?day={day}&view=week").status_code == 200


def test_production_pages_ask_for_https_on_subdomains_too(app: Flask) -> None:
    production = create_app(
        "production",
        PRODUCTION | {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "ALLOW_SQLITE": True},
    )
    answer = production.test_client().get("/health", base_url="https://localhost")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_development_server_logs_no_token_of_a_private_link(live_server: str, caplog) -> None:
    import contextlib
    import logging
    import urllib.error
    import urllib.request

    token = secrets.token_urlsafe(32)
    caplog.set_level(logging.INFO, logger="werkzeug")
    for path in (f"/booking/{token}", f"/survey/{token}", f"/password/reset/{token}?lang=de"):
        # 404/410: the link is made up; the log line is what counts.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"{live_server}{path}", timeout=10)
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/booking/…" in line for line in lines), lines
    assert not any(token in line for line in lines)
