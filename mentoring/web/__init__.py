"""Start page, privacy notice, imprint, health check, error pages and the demo seed."""

from flask import Blueprint

bp = Blueprint("web", __name__, cli_group=None)
