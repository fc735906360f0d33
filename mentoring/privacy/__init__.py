"""Data rights (see, download, delete), retention, and the audit log of coordinators' access."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from mentoring.privacy import cli, views  # noqa: E402,F401  (registers routes and commands)
