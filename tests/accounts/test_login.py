import logging
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


ATTACKER = "198.51.100.66"
OWNER = "203.0.113.20"


def from_address(address: str, proxies: int, spoofed: str = "") -> dict:
    """How a request from `address` reaches the app: directly, or through our nginx, which sets
    X-Forwarded-For to the address it saw (whatever the client sent is not trusted)."""
    if proxies == 0:
        headers = {"X-Forwarded-For": spoofed} if spoofed else {}
        return {"environ_base": {"REMOTE_ADDR": address}, "headers": headers}
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}, "headers": {"X-Forwarded-For": forwarded}}


@pytest.mark.parametrize("proxies", [0, 1])
def test_wrong_guesses_do_not_lock_the_owner_out_but_stop_the_guesser(app, database_url, tmp_path, proxies):
    # The audit's attack: 25 wrong passwords for the coordinator, a new X-Forwarded-For each time.
    make_user(app, username="coordinator", role="coordinator", display_name="Office")
    with another_app_instance(database_url, tmp_path, TRUSTED_PROXY_COUNT=proxies) as instance:
        attacker, owner = instance.test_client(), instance.test_client()
        token = csrf_token(attacker)
        wrong = {"csrf_token": token, "username": "coordinator", "password": "guess-number-1"}
        statuses = [
            attacker.post("/login", data=wrong, **from_address(ATTACKER, proxies, f"10.0.{n}.1")).status_code
            for n in range(25)
        ]
        assert statuses == [422] * 10 + [429] * 15
        right = {"username": "coordinator", "password": DEMO_PASSWORD}
        at_home = owner.post(
            "/login", data=right | {"csrf_token": csrf_token(owner)}, **from_address(OWNER, proxies)
        )
        assert at_home.status_code == 303
        assert "Office" in owner.get("/home").text
        # The guesser's address stays limited, even with the right password, and is told so.
        refused = attacker.post(
            "/login", data=right | {"csrf_token": token}, **from_address(ATTACKER, proxies)
        )
    assert refused.status_code == 429
    assert "Zu viele Versuche" in refused.text


def test_guesses_from_ever_new_addresses_never_lock_the_owner_out(app, database_url, tmp_path):
    # The audit's bypass: the app reached around the proxy (or a botnet), a new address per guess.
    make_user(app, username="coordinator", role="coordinator", display_name="Office")
    with another_app_instance(database_url, tmp_path, TRUSTED_PROXY_COUNT=1) as instance:
        attacker, owner = instance.test_client(), instance.test_client()
        token = csrf_token(attacker)
        wrong = {"csrf_token": token, "username": "coordinator", "password": "guess-number-1"}
        for n in range(25):
            forged = {"X-Forwarded-For": f"10.0.{n}.1"}
            assert attacker.post("/login", data=wrong, headers=forged).status_code == 422
        right = {"csrf_token": csrf_token(owner), "username": "coordinator", "password": DEMO_PASSWORD}
        at_home = owner.post("/login", data=right, **from_address(OWNER, 1))
        assert at_home.status_code == 303
        assert "Office" in owner.get("/home").text


def test_only_failed_logins_count_against_the_limit(app, client):
    make_user(app, username="lena")
    token = csrf_token(client)
    right = {"csrf_token": token, "username": "lena", "password": DEMO_PASSWORD}
    for _ in range(12):  # a shared computer in a family centre: many good logins from one address
        assert client.post("/login", data=right).status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client, "/home")})
    token = csrf_token(client)
    wrong = {"csrf_token": token, "username": "lena", "password": "wrong-pass-1"}
    assert [client.post("/login", data=wrong).status_code for _ in range(11)] == [422] * 10 + [429]


def test_trying_many_usernames_from_one_address_is_limited(app, client):
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "username": f"family{n}", "password": "summer-holiday-1"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    # The limit belongs to the address: the same names from elsewhere are answered as usual.
    elsewhere = app.test_client()
    data = {"csrf_token": csrf_token(elsewhere), "username": "family1", "password": "summer-holiday-1"}
    assert elsewhere.post("/login", data=data, environ_base={"REMOTE_ADDR": OWNER}).status_code == 422


def test_a_hit_limit_is_logged_with_its_name_and_address_but_no_form_data(app, client, caplog):
    make_user(app, username="coordinator", role="coordinator")
    token = csrf_token(client)
    wrong = {"csrf_token": token, "username": "coordinator", "password": "Secret-guess-77"}
    with caplog.at_level(logging.INFO):
        for _ in range(11):
            client.post("/login", data=wrong, environ_base={"REMOTE_ADDR": ATTACKER})
    hits = [record for record in caplog.records if record.name == "mentoring.security"]
    assert len(hits) == 1 and hits[0].levelno == logging.WARNING
    assert "LOGIN_RATE_LIMIT" in hits[0].getMessage()
    assert "/login" in hits[0].getMessage() and ATTACKER in hits[0].getMessage()
    everything = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "coordinator" not in everything and "Secret-guess-77" not in everything


def test_a_token_in_the_path_is_not_logged_when_its_limit_is_hit(database_url, tmp_path, caplog):
    with another_app_instance(database_url, tmp_path, SURVEY_RATE_LIMIT="1 per hour") as instance:
        client = instance.test_client()
        with caplog.at_level(logging.INFO):
            statuses = [
                submit(client, "/survey/secret-token-in-path", {}, page="/login").status_code
                for _ in range(2)
            ]
    assert statuses[1] == 429
    hits = [record for record in caplog.records if record.name == "mentoring.security"]
    assert hits and "SURVEY_RATE_LIMIT" in hits[0].getMessage()
    assert "/survey/<token>" in hits[0].getMessage()
    assert "secret-token-in-path" not in caplog.text


def test_login_failures_on_one_instance_count_on_the_other_and_the_owner_still_gets_in(
    app, database_url, tmp_path
):
    if not redis_url():
        missing_service("TEST_REDIS_URL is not set (Redis)")
    make_user(app, username="coordinator", role="coordinator")
    shared = {"RATELIMIT_KEY_PREFIX": app.config["RATELIMIT_KEY_PREFIX"]}
    with (
        another_app_instance(database_url, tmp_path, **shared) as first,
        another_app_instance(database_url, tmp_path, **shared) as second,
    ):
        wrong = {"username": "coordinator", "password": "guess-number-1"}
        guesser = first.test_client()
        token = csrf_token(guesser)
        for _ in range(10):
            response = guesser.post(
                "/login", data=wrong | {"csrf_token": token}, environ_base={"REMOTE_ADDR": ATTACKER}
            )
            assert response.status_code == 422
        elsewhere = second.test_client()
        token = csrf_token(elsewhere)
        again = elsewhere.post(
            "/login", data=wrong | {"csrf_token": token}, environ_base={"REMOTE_ADDR": ATTACKER}
        )
        right = {"csrf_token": token, "username": "coordinator", "password": DEMO_PASSWORD}
        owner = elsewhere.post("/login", data=right, environ_base={"REMOTE_ADDR": OWNER})
    assert again.status_code == 429
    assert owner.status_code == 303


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
