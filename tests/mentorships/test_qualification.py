"""Mentor parents keep learning: the qualification record, group sessions, the office's reminder.

The accounts speak German (the factories' default), so the pages are checked in German."""

import urllib.parse
import urllib.request
from collections import Counter
from datetime import time, timedelta

import time_machine
from sqlalchemy import func, select

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.audit import AuditEntry
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import qualification
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import (
    GroupSeat,
    GroupSession,
    LearningEntry,
    LearningKind,
    MentorProfile,
    MentorStatus,
)
from mentoring.notifications.models import OutboxMessage
from mentoring.surveys import reports
from tests.conftest import log_in, log_in_over_http, opener_csrf_token, race, submit
from tests.factories import make_expert, make_group_session, make_mentor, make_user

MENTORS = 12
SEATS = 4


def test_racing_mentors_never_overbook_a_group_session(app, live_server, monkeypatch):
    """Twelve active mentors press "book" at once for four places (one of them twice): four win."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")  # twelve logins from one address
    session_id = make_group_session(app, capacity=SEATS)
    openers = []
    for number in range(MENTORS):
        make_mentor(app, username=f"mentor{number}")
        opener = log_in_over_http(live_server, f"mentor{number}")
        openers.append((opener, opener_csrf_token(opener, f"{live_server}/mentor/learning")))
    requests = [
        (
            opener,
            urllib.request.Request(
                f"{live_server}/mentor/group-sessions/{session_id}/book",
                data=urllib.parse.urlencode({"csrf_token": token}).encode(),
            ),
        )
        for opener, token in [*openers, openers[0]]  # mentor0 double-clicks
    ]
    statuses = race(requests)
    assert len(statuses) == MENTORS + 1 and set(statuses) == {303}
    with app.app_context():
        seats = db.session.scalars(select(GroupSeat).where(GroupSeat.session_id == session_id)).all()
        assert len(seats) == SEATS == db.session.get(GroupSession, session_id).booked_count
        assert max(Counter(seat.mentor_id for seat in seats).values()) == 1


def test_only_active_mentors_see_and_book_group_sessions(app):
    session_id = make_group_session(app, topic="Kita-Eingewöhnung")
    make_mentor(app, username="ayse")
    make_mentor(app, username="newbie", status=MentorStatus.APPLICANT)
    make_mentor(app, username="resting", status=MentorStatus.PAUSED)
    make_user(app, username="lena")
    make_expert(app, username="sabine")
    book = f"/mentor/group-sessions/{session_id}/book"
    for applicant in ("newbie", "resting"):
        client = log_in(app, applicant)
        assert "Kita-Eingewöhnung" not in client.get("/mentor/learning").text
        assert submit(client, book, page="/mentor/learning").status_code == 404
    for other in ("lena", "sabine"):
        client = log_in(app, other)
        assert client.get("/mentor/learning").status_code == 403
        assert submit(client, book, page="/home").status_code == 403
    ayse = log_in(app, "ayse")
    before = ayse.get("/mentor/learning").text
    assert "Kita-Eingewöhnung" in before and "Rathaus, Raum 3" not in before  # the place once booked
    assert submit(ayse, book, page="/mentor/learning").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GroupSeat)) == 1
        assert db.session.get(GroupSession, session_id).booked_count == 1
    after = ayse.get("/mentor/learning").text
    assert "Meinen Platz absagen" in after and "Rathaus, Raum 3" in after


def test_a_mentor_cancels_and_the_place_is_free_for_another(app):
    session_id = make_group_session(app, capacity=1)
    make_mentor(app, username="ayse")
    make_mentor(app, username="zeynep")
    ayse, zeynep = log_in(app, "ayse"), log_in(app, "zeynep")
    book, cancel = f"/mentor/group-sessions/{session_id}/book", f"/mentor/group-sessions/{session_id}/cancel"
    submit(ayse, book, page="/mentor/learning")
    submit(zeynep, book, page="/mentor/learning")
    assert "Dieser Termin ist ausgebucht." in zeynep.get("/mentor/learning").text
    submit(ayse, cancel, page="/mentor/learning")
    assert "Ihr Platz ist abgesagt." in ayse.get("/mentor/learning").text
    submit(zeynep, book, page="/mentor/learning")
    assert "Ihr Platz ist gebucht." in zeynep.get("/mentor/learning").text
    with app.app_context():
        seat = db.session.scalars(select(GroupSeat)).one()
        assert seat.mentor.user.username == "zeynep"
        assert db.session.get(GroupSession, session_id).booked_count == 1


def test_attendance_the_office_records_feeds_the_qualification_record(app):
    """Publish through the form, book, mark attendance after the start; taking it back removes it."""
    make_mentor(app, username="ayse")
    make_user(app, role="coordinator", username="office")
    office = log_in(app, "office")
    day = clock.today() + timedelta(days=3)
    response = submit(
        office,
        "/coordinator/group-sessions",
        {
            "kind": "supervision",
            "topic": "Grenzen setzen",
            "day": day.isoformat(),
            "start_time": "18:00",
            "minutes": "90",
            "place": "Familienzentrum",
            "capacity": "8",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        session_id = db.session.scalars(select(GroupSession.id)).one()
    ayse = log_in(app, "ayse")
    submit(ayse, f"/mentor/group-sessions/{session_id}/book", page="/mentor/learning")
    with app.app_context():
        mentor_id = db.session.scalars(select(GroupSeat.mentor_id)).one()
    page = f"/coordinator/group-sessions/{session_id}"
    assert "Die Teilnahme kann eingetragen werden, sobald der Termin begonnen hat." in office.get(page).text
    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        office, ayse = log_in(app, "office"), log_in(app, "ayse")  # days later: new logins
        assert submit(office, page, {"attended": str(mentor_id)}).status_code == 303
        record = ayse.get("/mentor/learning").text
        assert "Grenzen setzen" in record.split("Ihr Qualifizierungsnachweis")[-1]
        assert "Supervision" in record
        assert submit(office, page, {}).status_code == 303  # taken back: nobody came
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LearningEntry)) == 0
        assert db.session.scalars(select(GroupSeat.attended)).one() is False


def test_the_office_records_a_training_on_the_mentors_page_but_not_in_the_future(app, today):
    profile_id = make_mentor(app, username="ayse")
    make_user(app, role="coordinator", username="office")
    office = log_in(app, "office")
    page, add = f"/coordinator/mentors/{profile_id}", f"/coordinator/mentors/{profile_id}/learning"
    future = {"kind": "training", "on": (today + timedelta(days=1)).isoformat(), "topic": "Erste Hilfe"}
    submit(office, add, future, page=page)
    assert "Bitte geben Sie ein Datum ein, das nicht in der Zukunft liegt." in office.get(page).text
    submit(office, add, future | {"on": today.isoformat()}, page=page)
    assert "Erste Hilfe" in office.get(page).text
    assert "Erste Hilfe" in log_in(app, "ayse").get("/mentor/learning").text


def test_the_office_hears_once_per_gap_of_a_mentor_without_exchange(app, runner, today):
    profile_id = make_mentor(app, username="ayse", certificate_seen_on=today)  # not paused meanwhile
    make_user(app, role="coordinator", username="office", email="office@example.org")
    with app.app_context():
        db.session.get(MentorProfile, profile_id).vetted_at = utcnow()
        db.session.commit()

    def reminders() -> int:
        with app.app_context():
            return sum(
                "ayse" in message.body_text
                for message in db.session.scalars(
                    select(OutboxMessage).where(OutboxMessage.recipient == "office@example.org")
                )
            )

    # Noon in Oberhausen: days later (across a clock change) it is still the same local day's count.
    start = clock.at(today, time(12))
    for days, expected in ((90, 0), (91, 1), (92, 1)):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            runner.invoke(args=["mentoring", "daily"])
        assert reminders() == expected, days
    with time_machine.travel(start + timedelta(days=100), tick=False), app.app_context():
        office = accounts.find_user_by_username("office")
        profile = db.session.get(MentorProfile, profile_id)
        qualification.add_entry(profile, office, LearningKind.EXCHANGE, clock.today(), "", clock.today())
        db.session.commit()
    for days, expected in ((190, 1), (191, 2), (200, 2)):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            runner.invoke(args=["mentoring", "daily"])
        assert reminders() == expected, days


def test_only_active_mentors_with_a_training_this_year_count_as_trained(app, today):
    make_user(app, role="coordinator", username="office")
    trained = [make_mentor(app, username=f"trained{n}") for n in range(3)]
    long_ago = make_mentor(app, username="longago")
    paused = make_mentor(app, username="resting", status=MentorStatus.PAUSED)
    make_mentor(app, username="untrained")
    with app.app_context():
        office = accounts.find_user_by_username("office")
        for profile_id, days_ago, kind in [
            *((p, 30, LearningKind.TRAINING) for p in trained),
            (trained[0], 10, LearningKind.TRAINING),  # two trainings: one mentor
            (long_ago, 366, LearningKind.TRAINING),
            (long_ago, 5, LearningKind.EXCHANGE),  # an exchange is not a training
            (paused, 5, LearningKind.TRAINING),
        ]:
            profile = db.session.get(MentorProfile, profile_id)
            qualification.add_entry(profile, office, kind, today - timedelta(days=days_ago), "", today)
        db.session.commit()
        assert qualification.trained_counts(today) == (3, 5)


def test_the_trained_share_is_hidden_when_either_group_is_small():
    assert reports.trained_share(5, 10, 5) == 50
    assert reports.trained_share(4, 10, 5) is None  # four trained would be shown
    assert reports.trained_share(9, 12, 5) is None  # and so would three untrained, by subtraction
    assert reports.trained_share(0, 0, 5) is None


def test_the_dashboard_shows_the_share_of_trained_mentors(app, today):
    make_user(app, role="coordinator", username="office")
    profiles = [make_mentor(app, username=f"mentor{n}") for n in range(11)]
    with app.app_context():
        office = accounts.find_user_by_username("office")
        for profile_id in profiles[:6]:
            profile = db.session.get(MentorProfile, profile_id)
            qualification.add_entry(profile, office, LearningKind.TRAINING, today, "Grundkurs", today)
        db.session.commit()
    client = log_in(app, "office")
    share = client.get("/coordinator/dashboard").text.split('id="trained-share"')[1].split("</p>")[0]
    assert "55" in share and "nicht angezeigt" not in share
    with app.app_context():
        db.session.get(MentorProfile, profiles[0]).status = MentorStatus.PAUSED
        db.session.get(MentorProfile, profiles[6]).status = MentorStatus.PAUSED  # five trained, four not
        db.session.commit()
    share = client.get("/coordinator/dashboard").text.split('id="trained-share"')[1].split("</p>")[0]
    assert "nicht angezeigt" in share


def test_booking_a_started_or_unknown_session_is_refused(app):
    profile_id = make_mentor(app, username="ayse")
    session_id = make_group_session(app, starts_in=timedelta(hours=1))
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False), app.app_context():
        profile = db.session.get(MentorProfile, profile_id)
        for wrong in (session_id, session_id + 1):
            try:
                qualification.book(profile, wrong, utcnow())
            except MentoringError as error:
                assert error.code == "session_gone"
            else:
                raise AssertionError("booked a session that has started or does not exist")


def test_a_booking_without_the_forms_token_takes_no_place(app):
    """A page elsewhere that makes a logged-in mentor's browser post the booking (CSRF)."""
    session_id = make_group_session(app)
    make_mentor(app, username="ayse")
    ayse = log_in(app, "ayse")
    ayse.post(f"/mentor/group-sessions/{session_id}/book", data={})
    ayse.post(f"/mentor/group-sessions/{session_id}/book", data={"csrf_token": "forged"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GroupSeat)) == 0
        assert db.session.get(GroupSession, session_id).booked_count == 0


def test_the_office_opening_who_booked_is_in_the_audit_log(app):
    session_id = make_group_session(app)
    make_mentor(app, username="ayse")
    submit(log_in(app, "ayse"), f"/mentor/group-sessions/{session_id}/book", page="/mentor/learning")
    office = log_in(app, "office")
    assert "ayse" in office.get(f"/coordinator/group-sessions/{session_id}").text
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        assert [(e.actor, e.action, e.subject) for e in entries] == [
            ("office", "group_session_viewed", f"group_session:{session_id}")
        ]


def test_the_attendance_list_takes_the_same_statements_however_many_booked(app, count_queries):
    session_id = make_group_session(app, capacity=10)
    office = log_in(app, "office")
    counts = []
    for numbers in (range(2), range(2, 6)):
        for number in numbers:
            profile_id = make_mentor(app, username=f"mentor{number}")
            with app.app_context():
                qualification.book(db.session.get(MentorProfile, profile_id), session_id, utcnow())
                db.session.commit()
        with count_queries() as queries:
            assert office.get(f"/coordinator/group-sessions/{session_id}").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
