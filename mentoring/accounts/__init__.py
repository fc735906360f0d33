"""Users, roles, login, registration, invitations and password resets."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from mentoring.accounts import services  # noqa: E402
from mentoring.notifications.services import register_request_handler  # noqa: E402

# "Forgot password" writes a sealed request; the outbox worker looks the account up (same work either way).
register_request_handler(services.RESET_REQUEST, services.send_reset_links)
