"""Languages, locale selection and the language switcher."""

from flask import Blueprint

bp = Blueprint("i18n", __name__)

from mentoring.i18n import views  # noqa: E402,F401  (registers routes)
