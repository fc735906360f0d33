import secrets

import pytest

from mentoring import create_app
from tests.conftest import another_app_instance, csrf_token, missing_service, redis_url, submit
from tests.factories import DEMO_PASSWORD, get_user, make_user


def test_login_with_right_password_opens_my_page(app, client):
    make_user(app, username="lena", display_name="Lena K.")
    response = submit(client, "/login", {"username": "Lena", "password": DEMO_PASSWORD})
    assert response.status_code == 303
    assert "Lena K." in client.get(response.headers["Location"]).text


def test_wrong_password_and_unknown_user_get_the_same_answer(app, client):
    make_user(app, username="lena")
    wrong_password = submit(client, "/login", {"username": "lena", "password": "not-the-one-1"})
    unknown_user = submit(client, "/login", {"username": "nobody", "password": "not-the-one-1"})
    assert wrong_password.status_code == unknown_user.status_code == 422
    message = "Benutzername oder das Passwort"
    assert message in wrong_password.text and message in unknown_user.text
    assert client.get("/home").status_code == 302


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(app, client):
    make_user(app, username="lena")
    token = csrf_token(client)
    credentials = {"csrf_token": token, "username": "lena", "password": DEMO_PASSWORD}
    response = client.post("/login?next=//evil.example/x", data=credentials)
    assert response.headers["Location"] == "/home"
    client.post("/logout", data={"csrf_token": token})
    response = client.post("/login?next=/account", data=credentials)
    assert response.headers["Location"] == "/account"


def test_logout_needs_a_form_post_and_ends_the_session(app, client, login_as):
    login_as("parent")
    assert client.get("/logout").status_code == 405
    response = submit(client, "/logout", page="/home")
    assert response.status_code == 303
    assert client.get("/home").status_code == 302


def test_login_is_rate_limited_with_a_friendly_page(app, client):
    make_user(app, username="lena")
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "username": "lena", "password": "wrong-pass-1"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"csrf_token": token, "username": "lena", "password": DEMO_PASSWORD})
    assert page.status_code == 429
    assert "Zu viele Versuche" in page.text


def test_login_limit_is_shared_by_two_app_instances_through_redis(app, database_url, tmp_path):
    if not redis_url():
        missing_service("TEST_REDIS_URL is not set (Redis)")
    make_user(app, username="lena")
    shared = {"RATELIMIT_KEY_PREFIX": app.config["RATELIMIT_KEY_PREFIX"]}
    with (
        another_app_instance(database_url, tmp_path, **shared) as first,
        another_app_instance(database_url, tmp_path, **shared) as second,
    ):
        wrong = {"username": "lena", "password": "wrong-pass-1"}
        for _ in range(10):
            assert submit(first.test_client(), "/login", wrong).status_code == 422
        assert submit(second.test_client(), "/login", wrong).status_code == 429


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app, username="lena")
    response = submit(client, "/login", {"username": "lena", "password": DEMO_PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_default_secret_is_refused(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "development-only-secret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"ALLOW_SQLITE": True})
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secrets.token_hex(32))
    production = create_app("production", {"ALLOW_SQLITE": True})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_change_password_ends_other_sessions(app, client, login_as):
    username = login_as("parent")
    other_device = app.test_client()
    submit(other_device, "/login", {"username": username, "password": DEMO_PASSWORD})
    assert other_device.get("/home").status_code == 200
    response = submit(
        client,
        "/account/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": "green-river-2031",
            "new_password_confirm": "green-river-2031",
        },
    )
    assert response.status_code == 303
    assert client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302
    assert submit(client, "/logout", page="/home").status_code == 303
    again = submit(client, "/login", {"username": username, "password": "green-river-2031"})
    assert again.status_code == 303


def test_change_password_with_wrong_current_password_changes_nothing(app, client, login_as):
    username = login_as("parent")
    before = get_user(app, username).password_hash
    response = submit(
        client,
        "/account/password",
        {
            "current_password": "wrong-pass-9",
            "new_password": "green-river-2031",
            "new_password_confirm": "green-river-2031",
        },
    )
    assert response.status_code == 422
    assert get_user(app, username).password_hash == before


def test_guessing_one_username_from_many_addresses_is_limited_too(app, client):
    make_user(app, username="lena")
    token = csrf_token(client)
    wrong = {"csrf_token": token, "username": "lena", "password": "wrong-pass-1"}
    statuses = [
        client.post("/login", data=wrong, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429
    # Another family logging in from one of those addresses is not locked out.
    make_user(app, username="ali")
    other = {"csrf_token": token, "username": "ali", "password": DEMO_PASSWORD}
    assert client.post("/login", data=other, environ_base={"REMOTE_ADDR": "10.0.0.99"}).status_code == 303


def test_behind_a_trusted_proxy_the_limit_counts_the_familys_address(database_url, tmp_path):
    with another_app_instance(database_url, tmp_path, TRUSTED_PROXY_COUNT=1) as proxied:
        client = proxied.test_client()
        token = csrf_token(client)
        wrong = {"csrf_token": token, "username": "nobody", "password": "wrong-pass-1"}
        for _ in range(10):
            response = client.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
            assert response.status_code == 422
        blocked = client.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
        other_family = client.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.8"})
    assert blocked.status_code == 429
    assert other_family.status_code == 422
