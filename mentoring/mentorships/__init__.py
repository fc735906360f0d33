"""Mentor parents: vetting, explained suggestions, requests, optimal batch matching."""

from flask import Blueprint

bp = Blueprint("mentorships", __name__)

from mentoring.mentorships import cli, coordinator_views, mentor_views, views  # noqa: E402,F401  (registers routes and commands)
