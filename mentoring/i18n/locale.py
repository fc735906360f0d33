"""Which language a request is answered in, and helpers for templates."""

from typing import TypeGuard

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user

from mentoring.i18n.languages import KNOWN_LANGUAGES, Language


def shipped_languages() -> list[Language]:
    return [KNOWN_LANGUAGES[code] for code in current_app.config["LANGUAGES"]]


def is_shipped(code: str | None) -> TypeGuard[str]:
    return bool(code) and code in current_app.config["LANGUAGES"]


def select_locale() -> str:
    """Explicit choice (?lang=, then the remembered cookie) → profile → Accept-Language → default."""
    explicit = request.args.get("lang")
    if is_shipped(explicit):
        g.remember_locale = explicit
        return explicit
    remembered = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if is_shipped(remembered):
        return remembered
    if current_user and current_user.is_authenticated and is_shipped(current_user.locale):
        return current_user.locale
    best = request.accept_languages.best_match(current_app.config["LANGUAGES"])
    return best or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def current_language() -> Language:
    return KNOWN_LANGUAGES[str(get_locale())]


def remember_locale(response, code: str):
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=365 * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def remember_explicit_choice(response):
    code = g.get("remember_locale")
    if code and request.cookies.get(current_app.config["LANGUAGE_COOKIE"]) != code:
        remember_locale(response, code)
    return response


def init_i18n(app: Flask) -> None:
    unknown = [code for code in app.config["LANGUAGES"] if code not in KNOWN_LANGUAGES]
    if unknown:
        raise RuntimeError(f"LANGUAGES names unknown language codes: {unknown}")
    if app.config["DEFAULT_LOCALE"] not in app.config["LANGUAGES"]:
        raise RuntimeError("DEFAULT_LOCALE must be one of LANGUAGES")
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.after_request(remember_explicit_choice)

    @app.context_processor
    def language_context() -> dict:
        return {
            "current_language": current_language(),
            "shipped_languages": shipped_languages(),
        }
