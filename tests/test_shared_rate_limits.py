"""Rate limits on registration, booking, survey answers and the API are shared by every app
instance through Redis: what one instance counted, the other refuses."""

import pytest

from tests.conftest import another_app_instance, missing_service, redis_url, submit


@pytest.mark.parametrize(
    ("setting", "method", "path"),
    [
        ("REGISTER_RATE_LIMIT", "POST", "/register"),
        ("BOOKING_RATE_LIMIT", "POST", "/consultations/slots/{slot}/book"),
        ("BOOKING_RATE_LIMIT", "POST", "/waitlist"),
        ("SURVEY_RATE_LIMIT", "POST", "/survey/{survey}"),
        ("API_RATE_LIMIT", "GET", "/api/v1/slots"),
        ("API_RATE_LIMIT", "GET", "/api/v1/offers"),
    ],
)
def test_a_limit_counted_on_one_instance_is_refused_on_the_other(
    app, database_url, tmp_path, world, setting, method, path
):
    if not redis_url():
        missing_service("TEST_REDIS_URL is not set (Redis)")
    url = path.format(**world)
    shared = {"RATELIMIT_KEY_PREFIX": app.config["RATELIMIT_KEY_PREFIX"], setting: "3 per minute"}
    with (
        another_app_instance(database_url, tmp_path, **shared) as first,
        another_app_instance(database_url, tmp_path, **shared) as second,
    ):

        def send(instance):  # type: ignore[no-untyped-def]
            client = instance.test_client()
            return client.get(url) if method == "GET" else submit(client, url, {}, page="/login")

        assert [send(first).status_code for _ in range(3)] != [429, 429, 429]
        assert send(second).status_code == 429
