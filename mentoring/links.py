"""Absolute links for messages and API answers, built without a request (the outbox worker, CLI)."""

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """The configured public address plus the route's path; never the request's Host header."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
