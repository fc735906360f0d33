"""Interpreter requests: the parent asks when booking; the programme office arranges them."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, InterpreterRequest, Slot
from mentoring.extensions import db


def request_interpreter(booking: Booking, language: str, mode: str) -> InterpreterRequest:
    """The parent asked for an interpreter; it goes to the programme office's queue."""
    request = InterpreterRequest(booking_id=booking.id, language=language, mode=mode)
    db.session.add(request)
    db.session.flush()
    return request


def open_requests() -> list[InterpreterRequest]:
    """Requests for appointments still to come that nobody has arranged yet, soonest first."""
    return list(
        db.session.scalars(
            select(InterpreterRequest)
            .join(InterpreterRequest.booking)
            .join(Booking.slot)
            .where(InterpreterRequest.is_arranged.is_(False), Slot.starts_at > utcnow())
            .options(joinedload(InterpreterRequest.booking).joinedload(Booking.slot).joinedload(Slot.expert))
            .order_by(Slot.starts_at)
        )
    )


def requests_by_language(days: int = 365) -> list[tuple[str, int]]:
    """Which languages families asked for lately: the languages the experts are missing."""
    rows = db.session.execute(
        select(InterpreterRequest.language, func.count())
        .where(InterpreterRequest.created_at >= utcnow() - timedelta(days=days))
        .group_by(InterpreterRequest.language)
        .order_by(func.count().desc())
    ).all()
    return [(language, count) for language, count in rows]


def mark_arranged(request_id: int) -> bool:
    """The office arranged the interpreter; False for an unknown request."""
    request = db.session.get(InterpreterRequest, request_id)
    if request is None:
        return False
    request.is_arranged = True
    db.session.flush()
    return True
