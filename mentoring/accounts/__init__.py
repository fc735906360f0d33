"""Users, roles, login, registration, invitations and password resets."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from mentoring.accounts import cli, views  # noqa: E402,F401  (registers routes and commands)
