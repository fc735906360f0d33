"""Walk every registered route as every role: a route without a declared guard fails here."""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from mentoring.security import LOGGED_IN, PUBLIC, Role, access_of
from tests.conftest import csrf_token

ROLES = [None, *Role]
SAMPLE_VALUES = {"int": "1", "default": "sample-token", "path": "site.css"}


def sample_url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = "int" if isinstance(converter, IntegerConverter) else type(converter).__name__[:-9].lower()
        values[name] = SAMPLE_VALUES.get(kind, "sample-token")
    return rule.build(values, append_unknown=False)[1]


def expected_status(access, role) -> str:
    if access == PUBLIC:
        return "allowed"
    if role is None:
        return "login"
    if access == LOGGED_IN or role in access:
        return "allowed"
    return "forbidden"


def test_every_view_declares_who_may_open_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and access_of(view) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_route_answers_each_role_as_declared(app, client, login_as, role):
    if role is not None:
        login_as(role)
    token = csrf_token(client, "/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = access_of(app.view_functions[rule.endpoint])
        expected = expected_status(access, role)
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint in {"accounts.logout", "accounts.end_session"}:
                continue  # would end the session in the middle of the walk; tested on their own
            response = client.open(url, method=method, data={"csrf_token": token})
            status = response.status_code
            where = f"{method} {url} as {role or 'anonymous'}"
            assert status < 500, where
            if expected == "login":
                assert status == 302 and "/login" in response.headers["Location"], where
            elif expected == "forbidden":
                assert status == 403, where
            else:
                assert status not in {401, 403}, where
                assert not (status == 302 and "/login?" in response.headers.get("Location", "")), where
            checked += 1
    assert checked >= 20
