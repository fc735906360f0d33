"""Parent survey (anonymous one-time links) and the coordinators' participation dashboard."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from mentoring import events  # noqa: E402
from mentoring.notifications.services import register_link_maker  # noqa: E402
from mentoring.surveys import services  # noqa: E402

# Seams (see mentoring.events): an attended consultation and a mentoring's three months and end
# invite the family to the survey, in the transaction of the change that triggered it.
events.consultation_attended.connect(services.invite_after_consultation, weak=False)
events.mentoring_milestone.connect(services.invite_for_mentoring, weak=False)
events.group_completed.connect(services.invite_after_group, weak=False)
# Survey links are made only when their message is sent, so the outbox never holds one.
register_link_maker(services.LINK_KIND, services.make_link)
