"""Parent survey (anonymous one-time links) and the coordinators' participation dashboard."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from mentoring.surveys import cli, views  # noqa: E402,F401  (registers routes and commands)
