"""Languages, locale selection and the language switcher."""

from flask import Blueprint

bp = Blueprint("i18n", __name__)
