"""Consultation hours: experts publish phone or online slots, parents book them without an account."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from mentoring.consultations import (  # noqa: E402,F401  (registers routes and commands)
    cli,
    expert_views,
    interpreter_views,
    topic_views,
    views,
    waitlist_views,
)
