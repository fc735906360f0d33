"""The expert's side: agenda and the private calendar feed."""

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mentoring.consultations.booking import bookings_for_slots
from mentoring.consultations.models import Booking, ExpertProfile, Slot
from mentoring.consultations.seats import hash_token
from mentoring.consultations.services import expert_slots
from mentoring.extensions import db


def agenda(expert: ExpertProfile, start: datetime, end: datetime) -> list[tuple[Slot, list[Booking]]]:
    """The expert's slots in [start, end) with their bookings, in two queries."""
    slots = expert_slots(expert, start, end)
    by_slot = bookings_for_slots([slot.id for slot in slots])
    return [(slot, by_slot[slot.id]) for slot in slots]


def rotate_feed_token(expert: ExpertProfile) -> str:
    """A new private feed URL token; the old URL stops working."""
    token = secrets.token_urlsafe(24)
    expert.feed_token_hash = hash_token(token)
    db.session.flush()
    return token


def revoke_feed(expert: ExpertProfile) -> None:
    expert.feed_token_hash = None
    db.session.flush()


def expert_by_feed_token(token: str) -> ExpertProfile | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        select(ExpertProfile)
        .where(ExpertProfile.feed_token_hash == hash_token(token))
        .options(joinedload(ExpertProfile.user))
    ).first()
