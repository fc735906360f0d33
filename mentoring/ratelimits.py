"""Rate limits declared on views, applied by a Flask-Limiter instance of each app.

Flask-Limiter keeps its storage and key prefix on the Limiter object from the first app it
meets, so one module-level Limiter cannot serve two apps in one process (two instances in a
test, a CLI next to a server). Views declare limits with `@rate_limit`; `init_rate_limits`
gives each app its own Limiter (Redis when REDIS_URL is set) and wraps the declared views.

A limit with `deduct_when` counts only the requests whose response it accepts (the login counts only
failed attempts); every limit that is hit is logged to `mentoring.security` with its name, the route
(the pattern, never the path: paths hold tokens) and the client address, never form data.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

F = TypeVar("F", bound=Callable[..., Any])
LIMITS_ATTR = "_mentoring_rate_limits"
security_log = logging.getLogger("mentoring.security")


@dataclass(frozen=True)
class RateLimit:
    config_key: str  # the limit string lives in config, e.g. "10 per minute;50 per hour"
    methods: tuple[str, ...] = ("POST",)
    key_func: Callable[[], str] | None = None
    # Count a request only when this says so about its response (None: count every request).
    deduct_when: Callable[[Response], bool] | None = None


def rate_limit(
    config_key: str,
    methods: tuple[str, ...] = ("POST",),
    key_func: Callable[[], str] | None = None,
    deduct_when: Callable[[Response], bool] | None = None,
) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        limits = [*getattr(view, LIMITS_ATTR, []), RateLimit(config_key, methods, key_func, deduct_when)]
        setattr(view, LIMITS_ATTR, limits)
        return view

    return decorate


def app_limiter(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions["mentoring_limiter"]


def log_breach(config_key: str, limit: RequestLimit) -> None:
    """A limit was hit: which one, where and from which address; the key may hold a username, so not it."""
    route = request.url_rule.rule if request.url_rule else "?"
    security_log.warning(
        "rate limit hit: %s (%s) on %s %s from %s",
        config_key,
        limit.limit,
        request.method,
        route,
        request.remote_addr,
        extra={"event": "rate_limit", "limit": config_key, "route": route, "client": request.remote_addr},
    )


def init_rate_limits(app: Flask) -> Limiter:
    limiter = Limiter(
        get_remote_address,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or app.config["REDIS_URL"] or "memory://",
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
    )
    limiter.init_app(app)
    app.extensions["mentoring_limiter"] = limiter
    view: Callable[..., Any]  # sync or async view; wrapping keeps whichever it is
    for endpoint, view in list(app.view_functions.items()):
        for declared in getattr(view, LIMITS_ATTR, []):
            view = limiter.limit(
                # mypy cannot infer a lambda with a defaulted parameter (the key, bound per loop turn)
                lambda key=declared.config_key: current_app.config[key],  # type: ignore[misc]
                methods=list(declared.methods),
                key_func=declared.key_func,
                deduct_when=declared.deduct_when,
                on_breach=partial(log_breach, declared.config_key),
            )(view)
        app.view_functions[endpoint] = view
    return limiter
