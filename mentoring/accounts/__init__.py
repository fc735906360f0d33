"""Users, roles, login, registration, invitations and password resets."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
