"""The public JSON API (/api/v1) for the city's web site and magazine; services only."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
