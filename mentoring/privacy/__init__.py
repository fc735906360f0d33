"""Data rights (see, download, delete), retention, and the audit log of coordinators' access."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
