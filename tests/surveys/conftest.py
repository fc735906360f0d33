"""The small hand-made city of the report and dashboard tests, and its row builders."""

from datetime import UTC, datetime, timedelta

import pytest

from mentoring.accounts import services as accounts
from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentoringMatch
from mentoring.surveys.models import SurveyInvitation, SurveyResponse
from tests.factories import make_expert, make_slot, make_user


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


def booking(slot_id, n, contact, district, status, created, user_id=None) -> Booking:
    return Booking(
        slot_id=slot_id,
        reference=f"R{n}",
        manage_token_hash=f"h{n}",
        status=status,
        name="x",
        email=f"{contact}@example.org",
        contact_key=f"{contact}@example.org",
        locale="de",
        district=district,
        user_id=user_id,
        privacy_version="t",
        created_at=created,
    )


def match(parent, status, district, requested, answered=None) -> MentoringMatch:
    return MentoringMatch(
        parent_id=parent,
        status=status,
        district=district,
        requested_at=requested,
        answered_at=answered,
        expires_at=requested,
        referral_source="kita",
    )


@pytest.fixture
def city(app, municipality_data):
    """Two districts in November (and one booking in October, outside the period)."""
    expert = make_expert(app, username="sabine")
    slots = [make_slot(app, expert, starts_in=timedelta(days=2 + n)) for n in range(2)]
    make_user(app, username="p1", locale="tr")
    make_user(app, username="p2", locale="ar")
    with app.app_context():
        p1 = accounts.find_user_by_username("p1").id
        p2 = accounts.find_user_by_username("p2").id
        db.session.add_all(
            [
                booking(slots[0], 1, "a", "ost", BookingStatus.ATTENDED, at(3)),
                booking(slots[0], 2, "a", "ost", BookingStatus.NO_SHOW, at(4)),
                booking(slots[0], 3, "b", "ost", BookingStatus.CANCELLED_BY_PARENT, at(5)),
                booking(slots[1], 4, "c", "ost", BookingStatus.CONFIRMED, at(6), user_id=p1),
                booking(slots[1], 5, "d", "osterfeld", BookingStatus.ATTENDED, at(7)),
                booking(slots[1], 6, "e", "ost", BookingStatus.ATTENDED, at(20, month=10)),
                match(p1, MatchStatus.ACTIVE, "ost", at(2), at(5)),
                match(p2, MatchStatus.COMPLETED, "osterfeld", at(1), at(11)),
                match(p2, MatchStatus.EXPIRED, "osterfeld", at(20)),
                SurveyInvitation(
                    token_hash="t1",
                    source_key="booking:1",
                    service="consultation",
                    locale="de",
                    district="ost",
                    created_at=at(3),
                    expires_at=at(28),
                    is_used=True,
                ),
                SurveyInvitation(
                    token_hash="t2",
                    source_key="booking:2",
                    service="consultation",
                    locale="de",
                    district="ost",
                    created_at=at(4),
                    expires_at=at(28),
                ),
                SurveyInvitation(
                    token_hash="t3",
                    source_key="match:2:end",
                    service="mentoring",
                    locale="ar",
                    district="osterfeld",
                    created_at=at(11),
                    expires_at=at(28),
                    is_used=True,
                ),
                SurveyResponse(
                    questionnaire="2026-1",
                    service="consultation",
                    locale="de",
                    district="ost",
                    month="2026-11",
                    satisfaction=5,
                ),
                SurveyResponse(
                    questionnaire="2026-1",
                    service="consultation",
                    locale="de",
                    district="ost",
                    month="2026-11",
                    satisfaction=4,
                ),
                SurveyResponse(
                    questionnaire="2026-1",
                    service="mentoring",
                    locale="ar",
                    district="osterfeld",
                    month="2026-11",
                    satisfaction=3,
                    recommend=5,
                ),
                SurveyResponse(
                    questionnaire="2026-1",
                    service="mentoring",
                    locale="ar",
                    district="osterfeld",
                    month="2026-10",
                    satisfaction=1,
                ),
            ]
        )
        db.session.commit()


DISTRICTS = ["alstaden-lirich", "mitte-styrum", "ost", "osterfeld", "sterkrade-mitte", "sterkrade-nord"]


def recent_activity(app, numbers: range) -> None:  # type: ignore[no-untyped-def]
    """For each n: a family in district n (of six) with an attended booking yesterday, a mentoring
    asked for yesterday, and a survey answer this month; so the dashboard has a row per district."""
    from mentoring.clock import utcnow

    yesterday = utcnow() - timedelta(days=1)
    expert = make_expert(app, username=f"dashboard-expert{numbers.start}")
    slot = make_slot(app, expert, starts_in=timedelta(days=-2))
    for n in numbers:
        make_user(app, username=f"dashboard{n}")
    with app.app_context():
        for n in numbers:
            district = DISTRICTS[n % len(DISTRICTS)]
            parent = accounts.find_user_by_username(f"dashboard{n}").id
            db.session.add_all(
                [
                    booking(slot, 1000 + n, f"dash{n}", district, BookingStatus.ATTENDED, yesterday),
                    match(parent, MatchStatus.ACTIVE, district, yesterday, yesterday),
                    SurveyResponse(
                        questionnaire="2026-1",
                        service="consultation",
                        locale="de",
                        district=district,
                        month=yesterday.strftime("%Y-%m"),
                        satisfaction=4,
                    ),
                ]
            )
        db.session.commit()
