"""Consultation hours: experts publish phone or online slots, parents book them without an account."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from mentoring import events  # noqa: E402
from mentoring.consultations import services  # noqa: E402

# Seam (see mentoring.events): an expert's or mentor's publishing profile is made with the account.
events.account_created.connect(services.create_profile_for, weak=False)
