"""Who may open which page, safe redirects and the security headers every response carries.

Access is deny-by-default: a view must be marked `@public` or `@role_required(...)`,
otherwise `enforce_declared_access` refuses it, so a forgotten guard fails closed.
"""

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])
security_logger = logging.getLogger("mentoring.security")

ACCESS_ATTR = "_mentoring_access"
PUBLIC = "public"
LOGGED_IN = "logged_in"


class Role(StrEnum):
    PARENT = "parent"
    MENTOR = "mentor"
    EXPERT = "expert"
    COORDINATOR = "coordinator"


ROLE_LABELS = {
    Role.PARENT: _l("Parent"),
    Role.MENTOR: _l("Mentor parent"),
    Role.EXPERT: _l("Expert"),
    Role.COORDINATOR: _l("Coordinator"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])


def public(view: F) -> F:
    """Anyone may open this page, logged in or not."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def login_required(view: F) -> F:
    """Any logged-in user may open this page, whatever their role."""
    setattr(view, ACCESS_ATTR, LOGGED_IN)
    return view


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only users with one of these roles may open this page."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, frozenset(roles))
        return view

    return decorate


def access_of(view: Callable[..., Any] | None) -> str | frozenset[Role] | None:
    return getattr(view, ACCESS_ATTR, None)


def enforce_declared_access() -> Response | None:
    """before_request hook: apply the access a view declared; refuse undeclared views."""
    if request.endpoint is None:
        return None  # 404/405 follow their own path
    if request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    access = access_of(view)
    if access == PUBLIC:
        return None
    if access is None:
        current_app.logger.error("view %s declares no access rule", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        # Flask-Login's init_app sets app.login_manager; Flask's type does not declare it.
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if access != LOGGED_IN and current_user.role not in access:
        abort(403)
    return None


def safe_next_url(target: str | None, fallback: str = "/") -> str:
    """Only a local path may be a redirect target: no scheme, no host, no `//` or `\\`."""
    if not target or "\\" in target or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return fallback
    if any(ord(ch) < 32 for ch in target):
        return fallback
    return target


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages can hold personal data: keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def refuse_nul_bytes() -> None:
    """No text field anywhere may hold a NUL byte (PostgreSQL cannot store one): a clean 400 first."""
    values = [request.path]
    values += [v for _key, vs in request.args.lists() for v in [_key, *vs]]
    values += [v for _key, vs in request.form.lists() for v in [_key, *vs]]
    if contains_nul(values) or (request.is_json and contains_nul(request.get_json(silent=True))):
        abort(400)


def init_security(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.before_request(enforce_declared_access)
    app.after_request(set_security_headers)


def query_values(args: Mapping[str, str], drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A query string to pass on to url_for: without url_for's own `_anchor`, `_method`, `_external`
    (a visitor could otherwise make link building fail or add a fragment) and without `drop`."""
    return {key: value for key, value in args.items() if not key.startswith("_") and key not in drop}


def security_log(event: str, username: str, result: str = "ok", **fields: object) -> None:
    """One line in the security log (logger `mentoring.security`): what happened to which account,
    from which address, with what result. Never a password, a token or a link: callers pass names.

    Events: login, logout, password_changed, password_reset, contact_changed, account_deleted,
    session_ended, sessions_ended, invitation_used, reset_link_made."""
    address = request.remote_addr if has_request_context() else None
    extra = {"event": event, "username": username[:40], "address": address, "result": result, **fields}
    details = "".join(f" {key}={value}" for key, value in fields.items())
    security_logger.info(
        "%s %s username=%s address=%s%s", event, result, username[:40], address, details, extra=extra
    )


def answer_no_sooner(response: Response, started: float, seconds: float) -> Response:
    """The response, held back until `seconds` (time.perf_counter) have passed since `started`.

    An answer that could tell whether an account exists leaves after the same time either way, as
    long as the slower path stays under the floor (REGISTER_ANSWER_SECONDS; measured by
    bench/enumeration_timing.py). The wait is in the body's first chunk, so it comes after all the
    work that differs (the session cookie, the other after-request hooks), just before sending."""
    body = response.get_data()

    def held_back() -> Iterator[bytes]:
        left = seconds - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)
        yield body

    response.response = held_back()
    response.headers["Content-Length"] = str(len(body))
    return response
