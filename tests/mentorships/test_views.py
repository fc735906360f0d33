import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships.models import MatchStatus, MentoringMatch, MentorProfile, MentorStatus
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import active_mentors, make_user, mentoring_cast, waiting_families

PROFILE = {
    "languages": ["tr", "de"],
    "districts": ["mitte-styrum"],
    "age_groups": ["1-3"],
    "topics": ["sleep"],
    "contact_modes": ["phone"],
    "capacity": "1",
    "introduction": "Zwei Kinder, viel Erfahrung.",
}
NEED = "/mentoring?languages=tr&district=mitte-styrum&age_group=1-3&topics=sleep&contact_mode=phone"


def vet(app, **changes):
    office = log_in(app, "office")
    with app.app_context():
        profile_id = db.session.scalars(select(MentorProfile)).one().id
    today = clock.today()
    data = {
        "training_on": (today - timedelta(days=10)).isoformat(),
        "certificate_seen_on": (today - timedelta(days=100)).isoformat(),
        "relevant_entry": "no",
        "decision": "activate",
        "reason": "",
    } | changes
    return submit(office, f"/coordinator/mentors/{profile_id}", data)


def test_an_applicant_is_vetted_and_a_family_asks_and_is_accepted(app):
    mentoring_cast(app)
    mentor = log_in(app, "ayse")
    assert submit(mentor, "/mentor/profile", PROFILE).status_code == 303
    parent = log_in(app, "lena")
    assert "ayse" not in parent.get(NEED).text  # not vetted yet: no suggestion

    assert vet(app).status_code == 303
    page = parent.get(NEED + "&lang=en")
    assert "ayse" in page.text
    assert "Speaks Türkçe" in page.text and "Meets families in Oberhausen-Mitte/Styrum" in page.text
    assert "Toddler (1 to 3 years)" in page.text

    with app.app_context():
        profile_id = db.session.scalars(select(MentorProfile)).one().id
    sent = submit(
        parent,
        f"/mentoring/request/{profile_id}?" + NEED.split("?")[1],
        {"note": "Merhaba!", "shares": ["phone"], "referral": "kita"},
        page="/home",
    )
    assert sent.status_code == 303
    assert "ayse" in parent.get("/mentoring").text
    with app.app_context():
        approved, mail = db.session.scalars(  # first told she is active, then of the family
            select(OutboxMessage)
            .where(OutboxMessage.recipient == "ayse@example.org")
            .order_by(OutboxMessage.id)
        ).all()
        assert approved.locale == "tr"
        assert mail.locale == "tr"

    requests = mentor.get("/mentor/requests")
    assert "lena" in requests.text and "Merhaba!" in requests.text
    assert "0176 1234567" not in requests.text  # contact details only after acceptance
    with app.app_context():
        match_id = db.session.scalars(select(MentoringMatch)).one().id
    assert submit(mentor, f"/mentor/requests/{match_id}/accept", page="/mentor/requests").status_code == 303
    assert "0176 1234567" in mentor.get("/mentor/requests").text  # contact shared after acceptance
    with app.app_context():
        assert db.session.get(MentoringMatch, match_id).status == MatchStatus.ACTIVE
        assert db.session.get(MentorProfile, profile_id).active_count == 1
        assert db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "lena@example.org")
        ).one()


def test_vetting_without_a_training_date_is_refused_and_changes_nothing(app):
    mentoring_cast(app)
    log_in(app, "ayse").get("/mentor/profile")
    response = vet(app, training_on="")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalars(select(MentorProfile)).one().status == MentorStatus.APPLICANT


def test_rejecting_needs_a_reason(app):
    mentoring_cast(app)
    log_in(app, "ayse").get("/mentor/profile")
    assert vet(app, decision="reject").status_code == 422
    assert vet(app, decision="reject", reason="Training not attended").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(MentorProfile)).one().status == MentorStatus.REJECTED


def test_a_declined_family_can_ask_again_and_an_unanswered_request_expires(app, runner):
    mentoring_cast(app)
    mentor = log_in(app, "ayse")
    submit(mentor, "/mentor/profile", PROFILE)
    vet(app)
    parent = log_in(app, "lena")
    with app.app_context():
        profile_id = db.session.scalars(select(MentorProfile)).one().id
    query = NEED.split("?")[1]
    submit(parent, f"/mentoring/request/{profile_id}?{query}", {}, page="/home")
    with app.app_context():
        match_id = db.session.scalars(select(MentoringMatch)).one().id
    assert (
        submit(
            mentor, f"/mentor/requests/{match_id}/decline", {"reason": "no_time"}, page="/mentor/requests"
        ).status_code
        == 303
    )
    assert "ayse" in parent.get(NEED).text  # can pick again
    submit(parent, f"/mentoring/request/{profile_id}?{query}", {}, page="/home")
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        result = runner.invoke(args=["mentoring", "daily"])
    assert "1 requests expired" in result.output
    with app.app_context():
        statuses = sorted(m.status for m in db.session.scalars(select(MentoringMatch)))
        assert statuses == [MatchStatus.DECLINED, MatchStatus.EXPIRED]


def test_asking_without_a_language_gets_a_clear_error(app):
    mentoring_cast(app)
    response = log_in(app, "lena").get("/mentoring?district=ost")
    assert response.status_code == 422
    assert 'href="#languages"' in response.text


def test_the_office_finds_a_mentor_for_a_waiting_family_and_can_drop_pairs(app):
    mentoring_cast(app)
    mentor = log_in(app, "ayse")
    submit(mentor, "/mentor/profile", PROFILE | {"capacity": "2"})
    vet(app)
    make_user(app, username="ali")
    query = NEED.split("?")[1]
    for name in ("lena", "ali"):
        parent = log_in(app, name)
        assert submit(parent, f"/mentoring/ask-office?{query}", {}, page="/home").status_code == 303
    assert "ayse" not in log_in(app, "lena").get("/mentoring").text  # waiting, no mentor yet
    office = log_in(app, "office")
    page = office.get("/coordinator/matching")
    pairs = re.findall(r'name="pair" value="(\d+:\d+)"', page.text)
    assert len(pairs) == 2
    response = submit(office, "/coordinator/matching", {"pair": pairs[:1]})  # the second pair is dropped
    assert response.status_code == 303
    with app.app_context():
        statuses = sorted(m.status for m in db.session.scalars(select(MentoringMatch)))
        assert statuses == [MatchStatus.ACTIVE, MatchStatus.WAITING]
        assert db.session.scalars(select(MentorProfile)).one().active_count == 1
    # Tampered or repeated pairs are refused, never a 500.
    assert submit(office, "/coordinator/matching", {"pair": [pairs[0], "x:y", "999:1"]}).status_code == 303


# Statements for one GET /coordinator/matching with three waiting families and three mentors.
# One of them reads the referral sources (city settings) for the families' labels.
MATCHING_STATEMENTS = {"sqlite": 10, "postgresql": 10}


def test_the_matching_page_runs_a_pinned_number_of_statements(app, backend, count_queries):
    mentoring_cast(app)
    office = log_in(app, "office")
    waiting_families(app, range(3))
    active_mentors(app, range(3))
    office.get("/coordinator/matching")
    with count_queries() as queries:
        page = office.get("/coordinator/matching")
    assert page.status_code == 200 and page.text.count('name="pair"') == 3
    assert queries.count == MATCHING_STATEMENTS[backend], queries


def test_the_matching_page_runs_the_same_statements_for_twice_the_families_and_mentors(
    app, backend, count_queries
):
    mentoring_cast(app)
    office = log_in(app, "office")
    waiting_families(app, range(3))
    active_mentors(app, range(3))
    office.get("/coordinator/matching")
    with count_queries() as few:
        page = office.get("/coordinator/matching")
    assert page.status_code == 200 and page.text.count('name="pair"') == 3
    waiting_families(app, range(3, 6))
    active_mentors(app, range(3, 6))
    with count_queries() as many:
        page = office.get("/coordinator/matching")
    assert page.status_code == 200 and page.text.count('name="pair"') == 6
    assert all(f"Familie Nummer {n}" in page.text for n in range(6))
    assert few.count == many.count == MATCHING_STATEMENTS[backend], many
