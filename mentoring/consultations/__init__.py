"""Consultation hours: experts publish phone or online slots, parents book them without an account."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from mentoring import events  # noqa: E402
from mentoring.consultations import (  # noqa: E402,F401  (registers routes and commands)
    cli,
    expert_views,
    interpreter_views,
    services,
    topic_views,
    views,
    waitlist_views,
)

# Seam (see mentoring.events): an expert's or mentor's publishing profile is made with the account.
events.account_created.connect(services.create_profile_for, weak=False)
