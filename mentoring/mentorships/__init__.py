"""Mentor parents: vetting, explained suggestions, requests, optimal batch matching."""

from flask import Blueprint

bp = Blueprint("mentorships", __name__)

from mentoring import events  # noqa: E402
from mentoring.consultations import seats  # noqa: E402
from mentoring.mentorships import meetings, vetting  # noqa: E402

# Seams (see mentoring.events and consultations.seats): a mentor's profile is made with the
# account; only a mentor's active families may book the mentor's meeting times, and not on away days.
events.account_created.connect(vetting.create_profile_for, weak=False)
seats.register_audience_rule(meetings.may_book_meeting)
