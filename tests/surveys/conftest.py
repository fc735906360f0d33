"""The small hand-made city of the report and dashboard tests, and its row builders."""

from datetime import UTC, datetime, timedelta

import pytest

from mentoring.accounts import services as accounts
from mentoring.consultations.models import Booking, BookingStatus
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentoringMatch
from mentoring.surveys import periods
from mentoring.surveys.kanon import ALL
from mentoring.surveys.models import InvitationCount, SurveyPeriod, SurveyResponse
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


SEALED = "2026-Q3"


def spread(n: int) -> int:
    """A fixed record key that looks uniform in [0, 2^31) (Knuth's multiplicative hash of n)."""
    return (n * 2654435761) % 2**31


def response(district, satisfaction, key, period=SEALED, service="consultation", locale="de", **answers):
    """A released response with a fixed record key, so the noise of every cell is known."""
    return SurveyResponse(
        questionnaire="2026-1",
        period=period,
        service=service,
        locale=locale,
        district=district,
        satisfaction=satisfaction,
        record_key=spread(key),
        **answers,
    )


def invited(district, sent, service="consultation", locale="de", period=SEALED) -> InvitationCount:
    return InvitationCount(
        period=period, service=service, locale=locale, district=district or "", age_group="", sent=sent
    )


@pytest.fixture
def city(app, municipality_data):
    """Two districts in November (and one booking in October, outside the period); survey answers
    of the sealed third quarter in Ost (6), Osterfeld (5) and merged (5), and 5 answers of the
    running fourth quarter in Ost, which must not show."""
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
                SurveyPeriod(period=SEALED, sealed_at=at(1, month=10)),
                invited("ost", 10),
                invited("osterfeld", 8, service="mentoring", locale="ar"),
                invited("sterkrade-mitte", 4, locale="tr"),
                invited(None, 3, locale="uk"),
                invited("ost", 9, period="2026-Q4"),
                *(
                    response("ost", s, 1000 + n, recommend=r)
                    for n, (s, r) in enumerate([(5, 5), (4, 4), (4, None), (5, None), (3, None), (5, None)])
                ),
                *(
                    response("osterfeld", s, 2000 + n, service="mentoring", locale="ar")
                    for n, s in enumerate([3, 3, 4, 2, 3])
                ),
                *(response(ALL, 4, 3000 + n, locale=ALL) for n in range(5)),
                *(response("ost", 1, 4000 + n, period="2026-Q4") for n in range(5)),
            ]
        )
        db.session.commit()


DISTRICTS = ["alstaden-lirich", "mitte-styrum", "ost", "osterfeld", "sterkrade-mitte", "sterkrade-nord"]


def recent_activity(app, numbers: range) -> None:  # type: ignore[no-untyped-def]
    """For each n: a family in district n (of six) with an attended booking yesterday, a mentoring
    asked for yesterday, and a survey answer released for the last (sealed) quarter; so the
    dashboard has a row per district."""
    from mentoring.clock import today, utcnow

    yesterday = utcnow() - timedelta(days=1)
    last_quarter = periods.previous(periods.period_of(today()))
    expert = make_expert(app, username=f"dashboard-expert{numbers.start}")
    slot = make_slot(app, expert, starts_in=timedelta(days=-2))
    for n in numbers:
        make_user(app, username=f"dashboard{n}")
    with app.app_context():
        if db.session.get(SurveyPeriod, last_quarter) is None:
            db.session.add(SurveyPeriod(period=last_quarter, sealed_at=utcnow()))
        for n in numbers:
            district = DISTRICTS[n % len(DISTRICTS)]
            parent = accounts.find_user_by_username(f"dashboard{n}").id
            db.session.add_all(
                [
                    booking(slot, 1000 + n, f"dash{n}", district, BookingStatus.ATTENDED, yesterday),
                    match(parent, MatchStatus.ACTIVE, district, yesterday, yesterday),
                    response(district, 4, 5000 + n, period=last_quarter),
                ]
            )
        db.session.commit()
