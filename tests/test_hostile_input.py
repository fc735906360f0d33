"""Arbitrary text, numbers, dates and ids at every form and API endpoint: never a 5xx, and a refused
request writes nothing (every table's row count is the same before and after)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mentoring.extensions import db
from tests.conftest import csrf_token, log_in

TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates(min_value=date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.sampled_from(
        ["", " ", "0", "-1", "9" * 40, "de", "ar", "x" * 5000, "<script>", "' OR 1=1 --", "\x00", "null"]
    ),
)

# (who, path, the fields a real form has) — extra keys of any name are thrown in as well.
FORMS = [
    (None, "/login", ["username", "password"]),
    (
        None,
        "/register",
        ["username", "password", "password_confirm", "display_name", "email", "phone", "locale", "consent"],
    ),
    (None, "/password/forgot", ["identifier"]),
    (
        None,
        "/consultations/slots/{slot}/book",
        [
            "name",
            "phone",
            "email",
            "locale",
            "district",
            "age_group",
            "note",
            "consent",
            "interpreter",
            "interpreter_language",
            "interpreter_mode",
            "discreet",
            "survey_consent",
        ],
    ),
    (
        None,
        "/waitlist",
        ["name", "phone", "email", "locale", "topic", "language", "mode", "weeks", "consent"],
    ),
    (
        None,
        "/survey/{survey}",
        ["satisfaction", "language_ok", "knows_help", "booking_easy", "recommend", "comment"],
    ),
    (None, "/booking/{token}/move", ["slot_id"]),
    ("theparent", "/account", ["display_name", "email", "phone", "locale", "survey_consent"]),
    ("theparent", "/account/delete", ["password", "understood"]),
    (
        "thementor",
        "/mentor/profile",
        [
            "languages",
            "districts",
            "age_groups",
            "topics",
            "contact_modes",
            "capacity",
            "introduction",
            "availability",
            "shares",
        ],
    ),
    ("thementor", "/mentor/away", ["first_day", "last_day"]),
    ("thementor", "/mentor/meetings", ["day", "start_time", "minutes", "mode"]),
    ("thementor", "/mentor/families/{match}", ["on", "mode", "minutes", "topics", "note"]),
    (
        "sabine",
        "/expert/slots/new",
        ["day", "start_time", "minutes", "mode", "languages", "topics", "capacity"],
    ),
    (
        "sabine",
        "/expert/series/new",
        ["weekday", "start_time", "end_time", "minutes", "first_date", "last_date"],
    ),
    (
        "thecoordinator",
        "/coordinator/families/new",
        ["name", "phone", "email", "locale", "referral", "languages"],
    ),
    (
        "thecoordinator",
        "/coordinator/offers/new",
        ["title_de", "description_de", "provider", "kind", "age_groups", "cost", "valid_from", "valid_until"],
    ),
    ("thecoordinator", "/coordinator/matching/{match}/assign", ["mentor_id"]),
    ("thecoordinator", "/coordinator/survey-comments/{comment}", ["status", "theme"]),
    (
        "thecoordinator",
        "/coordinator/you-said-we-did/new",
        ["done_on", "title_de", "body_de", "title_tr", "body_tr"],
    ),
    (
        "thecoordinator",
        "/coordinator/mentors/{mentor_profile}",
        ["training_on", "certificate_seen_on", "relevant_entry", "decision", "reason"],
    ),
]
QUERIES = [
    "/consultations",
    "/offers",
    "/mentoring",
    "/coordinator/dashboard",
    "/coordinator/survey-comments",
    "/you-said-we-did",
    "/api/v1/slots",
    "/api/v1/offers",
]


def row_counts() -> dict[str, int]:
    """Every table but the audit log, which rightly records that a coordinator opened a page."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "audit_entries"
    }


def form_data(fields: list[str]):  # type: ignore[no-untyped-def]
    keys = st.one_of(st.sampled_from(fields), st.text(min_size=1, max_size=12))
    return st.dictionaries(keys, st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=len(fields) + 2)


@pytest.mark.parametrize(("who", "path", "fields"), FORMS, ids=[f[1] for f in FORMS])
def test_forms_never_fail_and_refusals_write_nothing(app, world, who, path, fields):
    app.config["RATELIMIT_ENABLED"] = False
    client = log_in(app, who) if who else app.test_client()
    url = path.format(**world)
    token = csrf_token(client, "/login" if who is None else "/home")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(data=form_data(fields), with_token=st.booleans())
    def check(data, with_token):  # type: ignore[no-untyped-def]
        with app.app_context():
            before = row_counts()
        body = {**data, "csrf_token": token} if with_token else data
        response = client.post(url, data=body)
        assert response.status_code < 500, (url, body, response.status_code)
        if response.status_code >= 400:
            with app.app_context():
                assert row_counts() == before, (url, body)

    try:
        check()
    finally:
        app.config["RATELIMIT_ENABLED"] = True


@pytest.mark.parametrize("path", QUERIES)
def test_query_strings_never_fail(app, world, path):
    client = log_in(app, "thecoordinator" if "coordinator" in path else "theparent")

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(
        params=st.dictionaries(
            st.sampled_from(
                [
                    "date_from",
                    "date_to",
                    "by",
                    "topic",
                    "language",
                    "mode",
                    "date",
                    "page",
                    "district",
                    "age_group",
                    "lang",
                    "q",
                    "languages",
                    "from",
                    "to",
                ]
            ),
            TEXT,
            max_size=5,
        )
    )
    def check(params):  # type: ignore[no-untyped-def]
        response = client.get(path, query_string=params)
        assert response.status_code < 500, (path, params, response.status_code)

    check()


def test_the_booking_api_never_fails_and_refusals_write_nothing(app, world):
    client = app.test_client()
    app.config["RATELIMIT_ENABLED"] = False
    json_values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=8,
    )
    keys = st.sampled_from(
        ["slot_id", "name", "phone", "email", "language", "consent", "district", "note", "token"]
    )

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(body=st.one_of(st.dictionaries(keys, json_values, max_size=9), json_values))
    def check(body):  # type: ignore[no-untyped-def]
        with app.app_context():
            before = row_counts()
        response = client.post("/api/v1/bookings", json=body)
        assert response.status_code < 500, (body, response.status_code)
        if response.status_code >= 400:
            with app.app_context():
                assert row_counts() == before, body

    try:
        check()
    finally:
        app.config["RATELIMIT_ENABLED"] = True


def test_nul_bytes_anywhere_get_a_clean_400(app, world):
    """Found by the property test above: PostgreSQL cannot store a NUL byte in text."""
    client = app.test_client()
    token = csrf_token(client)
    assert (
        client.post("/login", data={"csrf_token": token, "username": "a\x00b", "password": "x"}).status_code
        == 400
    )
    assert client.get("/offers", query_string={"q": "\x00"}).status_code == 400
    assert client.get("/r/AB%00CD/coming/123").status_code in {400, 404}
    response = client.post("/api/v1/bookings", json={"slot_id": world["slot"], "name": "\x00"})
    assert response.status_code == 400 and response.is_json


def test_numbers_beyond_the_database_integer_are_refused_cleanly(app, world):
    """Found by the property test: a huge slot id was a database error on PostgreSQL."""
    client = app.test_client()
    assert client.get("/consultations/slots/99999999999/book").status_code == 404
    moved = client.post(
        f"/booking/{world['token']}/move",
        data={"csrf_token": csrf_token(client, f"/booking/{world['token']}/move"), "slot_id": "99999999999"},
    )
    assert moved.status_code == 422 and 'href="#slot_id"' in moved.text


def test_a_name_with_a_line_break_and_a_header_is_stored_on_one_line(app):
    """Info 7: "\r\nBcc:" typed into a name (a booking's and an account's) loses its line break and
    control characters before it is stored; a note keeps its lines."""
    from mentoring.accounts.models import User
    from mentoring.consultations.models import Booking
    from tests.conftest import submit
    from tests.factories import PARENT, make_expert, make_slot, make_user

    slot = make_slot(app, make_expert(app))
    hostile = "Ayla\r\nBcc: all@example.org\x07\x1b[2J\u2028"
    booked = submit(
        app.test_client(),
        f"/consultations/slots/{slot}/book",
        PARENT | {"name": hostile, "note": "Zeile eins\r\nZeile zwei"},
        page="/login",
    )
    assert booked.status_code == 303
    make_user(app, username="lena", password="Kirschbaum-Laterne-7")
    client = log_in(app, "lena", "Kirschbaum-Laterne-7")
    saved = client.post(
        "/account",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "display_name": "Lena\nBcc: all@example.org",
            "email": "",
            "phone": "",
            "locale": "de",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.name == "Ayla Bcc: all@example.org [2J"
        assert booking.note.splitlines() == ["Zeile eins", "Zeile zwei"]
        user = db.session.scalars(select(User).where(User.username == "lena")).one()
        assert user.display_name == "Lena Bcc: all@example.org"
