"""Consultation hours: experts publish phone or online slots, parents book them without an account."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from mentoring.consultations import expert_views, topic_views, views  # noqa: E402,F401  (registers routes)
