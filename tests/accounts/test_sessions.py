"""Server-side sessions: a copied cookie stops working at logout, sessions end one by one or all at
once, after an idle time and after 12 hours, and a login starts a new session (ASVS V3)."""

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select, text

from mentoring import create_app
from mentoring.accounts.models import UserSession
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import csrf_token, log_in, replay, session_cookie, session_data, session_rows, submit
from tests.factories import DEMO_PASSWORD, make_user

LOGGED_OUT_NOTICE = "Zu Ihrer Sicherheit wurden Sie nach einiger Zeit abgemeldet"
END_FORM = re.compile(r'action="/account/sessions/(\d+)/end"')


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app):
    make_user(app, username="lena", display_name="Lena Kowalski", email="lena@example.org")
    browser = log_in(app, "lena")
    copied = session_cookie(browser)
    assert "Lena Kowalski" in replay(app, copied).get("/account/data").text  # the copy works while logged in
    assert submit(browser, "/logout", page="/home").status_code == 303

    thief = replay(app, copied)
    page = thief.get("/account/data")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert "Lena Kowalski" not in thief.get("/account/data", follow_redirects=True).text
    assert session_rows(app, "lena") == []


def test_signing_out_one_session_from_another_device_ends_only_that_one(app):
    make_user(app, username="lena")
    phone = log_in(app, "lena")
    laptop = log_in(app, "lena")
    page = laptop.get("/account/sessions")
    assert page.status_code == 200 and "dieses Gerät" in page.text
    assert len(END_FORM.findall(page.text)) == 2
    this_one = session_data(app, laptop)["sid"]
    other = next(
        row.id
        for row in session_rows(app, "lena")
        if row.token_hash != hashlib.sha256(this_one.encode()).hexdigest()
    )

    response = submit(laptop, f"/account/sessions/{other}/end", page="/account/sessions")
    assert response.status_code == 303
    assert phone.get("/home").status_code == 302
    assert laptop.get("/home").status_code == 200
    assert len(END_FORM.findall(laptop.get("/account/sessions").text)) == 1


def test_sign_out_everywhere_else_keeps_this_device(app):
    make_user(app, username="lena")
    others = [log_in(app, "lena") for _ in range(3)]
    mine = log_in(app, "lena")
    assert submit(mine, "/account/sessions/end-others", page="/account/sessions").status_code == 303
    assert [client.get("/home").status_code for client in others] == [302, 302, 302]
    assert mine.get("/home").status_code == 200


def test_nobody_can_end_another_users_session(app):
    make_user(app, username="lena")
    make_user(app, username="ali")
    lena = log_in(app, "lena")
    ali = log_in(app, "ali")
    lenas = session_rows(app, "lena")[0].id
    assert submit(ali, f"/account/sessions/{lenas}/end", page="/account/sessions").status_code == 404
    assert lena.get("/home").status_code == 200


def test_a_password_change_ends_the_other_sessions_and_tells_the_holder(app):
    make_user(app, username="lena", email="lena@example.org")
    other_device = log_in(app, "lena")
    copied = session_cookie(other_device)
    client = log_in(app, "lena")
    new = "Kirschbaum-Laterne-7"
    response = submit(
        client,
        "/account/password",
        {"current_password": DEMO_PASSWORD, "new_password": new, "new_password_confirm": new},
    )
    assert response.status_code == 303
    assert client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302
    assert replay(app, copied).get("/home").status_code == 302
    assert len(session_rows(app, "lena")) == 1
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage)).one()
    assert notice.recipient == "lena@example.org"
    assert notice.subject == "Ihr Passwort wurde geändert"
    assert new not in notice.body_text


def test_a_password_reset_ends_every_session(app):
    from mentoring.accounts import services

    make_user(app, username="lena", email="lena@example.org")
    logged_in = log_in(app, "lena")
    with app.app_context():
        token = services.create_reset_token(services.find_user_by_username("lena"), 2)
        db.session.commit()
    new = "Kirschbaum-Laterne-7"
    response = submit(
        app.test_client(), f"/password/reset/{token}", {"new_password": new, "new_password_confirm": new}
    )
    assert response.status_code == 303
    assert logged_in.get("/home").status_code == 302
    assert session_rows(app, "lena") == []
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage)).one()
    assert notice.recipient == "lena@example.org" and notice.subject == "Ihr Passwort wurde geändert"


def test_deleting_the_account_ends_its_sessions_on_every_device(app):
    make_user(app, username="lena")
    other_device = log_in(app, "lena")
    client = log_in(app, "lena")
    response = submit(
        client, "/account/delete", {"password": DEMO_PASSWORD, "understood": "y"}, page="/account/data"
    )
    assert response.status_code == 303
    assert other_device.get("/home").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(UserSession)).first() is None


def test_the_database_holds_no_session_id_only_its_hash(app):
    make_user(app, username="lena")
    client = log_in(app, "lena")
    sid = session_data(app, client)["sid"]
    with app.app_context():
        dump = " ".join(str(row) for row in db.session.execute(text("SELECT * FROM user_sessions")))
    assert sid not in dump
    assert hashlib.sha256(sid.encode()).hexdigest() in dump


# Lifetimes ---------------------------------------------------------------------------------


def test_an_expert_idle_for_31_minutes_is_logged_out_with_a_plain_message(app, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    make_user(app, role="expert", username="sabine", display_name="Sabine Kaya")
    client = log_in(app, "sabine")
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/home").status_code == 200
    time_machine.shift(timedelta(minutes=31))
    response = client.get("/home")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"])
    assert LOGGED_OUT_NOTICE in page.text
    assert "Sabine Kaya" not in page.text


def test_a_parent_may_be_idle_longer_than_staff(app, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    make_user(app, username="lena")
    client = log_in(app, "lena")
    time_machine.shift(timedelta(minutes=119))
    assert client.get("/home").status_code == 200
    time_machine.shift(timedelta(minutes=121))
    assert client.get("/home").status_code == 302


def test_an_active_session_lasts_11_hours_but_not_past_12(app, time_machine):
    start = utcnow()
    time_machine.move_to(start, tick=False)
    make_user(app, role="expert", username="sabine")
    client = log_in(app, "sabine")
    for minutes in range(20, 11 * 60 + 1, 20):
        time_machine.move_to(start + timedelta(minutes=minutes), tick=False)
        assert client.get("/home").status_code == 200, minutes
    for minutes in (11 * 60 + 20, 11 * 60 + 40):
        time_machine.move_to(start + timedelta(minutes=minutes), tick=False)
        assert client.get("/home").status_code == 200, minutes
    time_machine.move_to(start + timedelta(hours=12, minutes=1), tick=False)
    response = client.get("/home")
    assert response.status_code == 302
    assert LOGGED_OUT_NOTICE in client.get(response.headers["Location"]).text


def test_last_seen_is_written_at_most_once_a_minute(app, time_machine, count_queries):
    time_machine.move_to(utcnow(), tick=False)
    make_user(app, username="lena")
    client = log_in(app, "lena")
    time_machine.shift(timedelta(seconds=30))
    with count_queries() as queries:
        assert client.get("/home").status_code == 200
    assert not [sql for sql in queries.statements if sql.startswith("UPDATE user_sessions")]
    time_machine.shift(timedelta(seconds=31))
    with count_queries() as queries:
        assert client.get("/home").status_code == 200
    assert len([sql for sql in queries.statements if sql.startswith("UPDATE user_sessions")]) == 1


# Renewal at login --------------------------------------------------------------------------


def test_nothing_from_before_the_login_survives_it(app):
    make_user(app, username="lena")
    client = app.test_client()
    planted = csrf_token(client, "/login")
    before = session_data(app, client)
    client.post("/login", data={"csrf_token": planted, "username": "lena", "password": DEMO_PASSWORD})
    after = session_data(app, client)
    assert before["csrf_token"] != after.get("csrf_token")
    assert csrf_token(client, "/account") != planted
    # Whoever planted the session cannot post in the logged-in one with the token they know.
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert client.get("/home").status_code == 200


def test_registration_starts_a_new_session(app):
    client = app.test_client()
    planted = csrf_token(client, "/register")
    password = "Kirschbaum-Laterne-7"
    response = client.post(
        "/register",
        data={
            "csrf_token": planted,
            "username": "neu",
            "password": password,
            "password_confirm": password,
            "consent": "y",
        },
    )
    assert response.status_code == 303
    assert "csrf_token" not in session_data(app, client)
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert len(session_rows(app, "neu")) == 1


def test_accepting_an_invitation_starts_a_new_session(app):
    from mentoring.accounts import services

    make_user(app, role="coordinator", username="office")
    with app.app_context():
        _invitation, token = services.create_invitation(
            services.find_user_by_username("office"), "Sabine Kaya", None, "de", 14
        )
        db.session.commit()
    client = app.test_client()
    planted = csrf_token(client, f"/invitation/{token}")
    password = "Kirschbaum-Laterne-7"
    response = client.post(
        f"/invitation/{token}",
        data={
            "csrf_token": planted,
            "username": "sabine",
            "password": password,
            "password_confirm": password,
        },
    )
    assert response.status_code == 303
    assert "csrf_token" not in session_data(app, client)
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert len(session_rows(app, "sabine")) == 1


def test_the_production_cookie_has_the_host_prefix(app, monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    production = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": "memory://",
            "ALLOW_SQLITE": True,  # the SQLite run; production refuses SQLite unless told
        },
    )
    try:
        response = production.test_client().get("/login", base_url="https://localhost")
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if "csrf" not in c.split("=")[0])
        assert cookie.startswith("__Host-session=")
        attributes = [part.strip() for part in cookie.split(";")]
        assert "Secure" in attributes and "Path=/" in attributes and "HttpOnly" in attributes
        assert not [part for part in attributes if part.lower().startswith("domain=")]
        assert production.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")
    finally:
        with production.app_context():
            db.engine.dispose()


def test_the_daily_purge_deletes_sessions_past_their_lifetime(app, runner, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    make_user(app, username="lena")
    make_user(app, username="ali")
    log_in(app, "lena")  # never logs out
    time_machine.shift(timedelta(hours=12, minutes=1))
    ali = log_in(app, "ali")
    assert "1 sessions deleted" in runner.invoke(args=["retention", "purge"]).output
    assert session_rows(app, "lena") == []
    assert ali.get("/home").status_code == 200


def test_an_invitation_opened_in_a_logged_in_browser_ends_that_session(app):
    from mentoring.accounts import services

    make_user(app, role="coordinator", username="office")
    with app.app_context():
        _invitation, token = services.create_invitation(
            services.find_user_by_username("office"), "Sabine Kaya", None, "de", 14
        )
        db.session.commit()
    shared_computer = log_in(app, "office")
    copied = session_cookie(shared_computer)
    assert shared_computer.get(f"/invitation/{token}").status_code == 200
    assert session_rows(app, "office") == []
    assert replay(app, copied).get("/coordinator/users").status_code == 302
