"""Schemathesis throws generated requests at every operation of the OpenAPI document."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import make_expert, make_slot


@pytest.fixture
def api_schema(app):
    expert = make_expert(app)
    for day in range(2, 5):
        make_slot(app, expert, starts_in=timedelta(days=day), capacity=3)
    limits = {key: app.config[key] for key in ("API_RATE_LIMIT", "BOOKING_RATE_LIMIT")}
    app.config.update({key: "100000 per minute" for key in limits})
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    app.config.update(limits)


def test_no_generated_request_gets_a_server_error_or_breaks_the_schema(api_schema):
    # Every check but "schema-valid input must be accepted": the schema cannot say that a
    # booking needs a phone *or* an e-mail, or what a real phone number is; 422 is right there.
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()
