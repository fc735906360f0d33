"""Guide to local prevention offers (Wegweiser): by district and child age, multilingual, printable."""

from flask import Blueprint

bp = Blueprint("offers", __name__)

from mentoring.offers import views  # noqa: E402,F401  (registers routes)
