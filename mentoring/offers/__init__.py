"""Guide to local prevention offers (Wegweiser): by district and child age, multilingual, printable."""

from flask import Blueprint

bp = Blueprint("offers", __name__)
