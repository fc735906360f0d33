"""Parents' groups through the pages: the office plans, a family joins, the mentor notes who came;
and the invited family's prefilled mentor application."""

import re
from datetime import timedelta

from sqlalchemy import select

from mentoring.accounts import services as accounts
from mentoring.audit import AuditEntry
from mentoring.extensions import db
from mentoring.mentorships import relationship
from mentoring.mentorships.models import (
    Attendance,
    Cohort,
    CohortMember,
    EndedBy,
    MentoringMatch,
    MentorProfile,
)
from tests.conftest import log_in, submit
from tests.factories import active_match, make_mentor, make_user, mentoring_cast


def plan_group(app, office, today, **overrides):
    data = {
        "name": "Eltern-AG Styrum",
        "languages": ["tr"],
        "district": "mitte-styrum",
        "starts_on": today.isoformat(),
        "meets_at": "00:01",
        "weeks": "20",
        "place": "Familienzentrum Styrum",
        "capacity": "2",
    } | overrides
    return submit(office, "/coordinator/groups/new", data)


def test_the_office_plans_a_group_a_family_joins_and_the_mentor_notes_who_came(app, today):
    mentoring_cast(app)
    lead = make_mentor(app, username="zeynep")
    office = log_in(app, "office")
    refused = plan_group(app, office, today, mentor_id=str(lead), capacity="11")
    assert refused.status_code == 422 and 'href="#capacity"' in refused.text  # 11 > GROUP_MAX_FAMILIES
    planned = plan_group(app, office, today, mentor_id=str(lead))
    assert planned.status_code == 303
    with app.app_context():
        cohort_id = db.session.scalars(select(Cohort.id)).one()
    page = office.get(f"/coordinator/groups/{cohort_id}")
    assert "Eltern-AG Styrum" in page.text and "<bdi>lena</bdi>" not in page.text

    lena = log_in(app, "lena")
    query = "languages=tr&district=mitte-styrum"
    offer = lena.get(f"/mentoring?{query}")
    assert "Eltern-AG Styrum" in offer.text and f"/mentoring/groups/{cohort_id}/join" in offer.text
    joined = submit(lena, f"/mentoring/groups/{cohort_id}/join?{query}", {}, page=f"/mentoring?{query}")
    assert joined.status_code == 303
    own_page = lena.get("/mentoring").text
    assert "Familienzentrum Styrum" in own_page and 'name="languages"' not in own_page  # her group
    assert lena.post(f"/mentoring/groups/{cohort_id}/join?{query}").status_code == 400  # no CSRF token

    mentor = log_in(app, "zeynep")
    groups_page = mentor.get("/mentor/groups")
    [meeting_path] = sorted(set(re.findall(r"/mentor/groups/meetings/\d+", groups_page.text)))
    with app.app_context():
        member = db.session.scalars(select(CohortMember)).one()
    saved = submit(mentor, meeting_path, {"present": [str(member.id)]})
    assert saved.status_code == 303
    assert 'class="flash flash-success"' in mentor.get("/mentor/groups").text
    with app.app_context():
        assert db.session.scalars(select(Attendance.member_id)).all() == [member.id]
    assert log_in(app, "ayse").get(meeting_path).status_code == 404  # another mentor's group

    page = office.get(f"/coordinator/groups/{cohort_id}")
    assert "<bdi>lena</bdi>" in page.text  # the family, now a member
    with app.app_context():
        looks = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject == f"cohort:{cohort_id}")
        )
        assert list(looks).count("group_viewed") == 2


def test_the_office_places_a_waiting_family_in_a_group(app, today):
    mentoring_cast(app)
    lead = make_mentor(app, username="zeynep")
    office = log_in(app, "office")
    plan_group(app, office, today, mentor_id=str(lead), starts_on=(today + timedelta(days=2)).isoformat())
    family = {"name": "Familie Demir", "phone": "0176 7777777", "locale": "tr", "referral": "kita"}
    submit(office, "/coordinator/families/new", family | {"languages": ["tr"]})
    with app.app_context():
        cohort_id = db.session.scalars(select(Cohort.id)).one()
    page = office.get(f"/coordinator/groups/{cohort_id}")
    assert "Familie Demir" in page.text
    with app.app_context():
        match_id = db.session.scalars(select(MentoringMatch.id)).one()
    placed = submit(office, f"/coordinator/groups/{cohort_id}/place", {"match_id": str(match_id)})
    assert placed.status_code == 303
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).member_count == 1
        assert "group_family_placed" in db.session.scalars(select(AuditEntry.action)).all()
    assert "Familie Demir" not in office.get("/coordinator/matching").text  # no longer waiting


def test_the_invited_family_finds_the_application_filled_in(app):
    mentoring_cast(app)
    mentor = make_mentor(app, username="zeynep", capacity=2)
    match_id = active_match(app, mentor, parent="mira")
    assert log_in(app, "mira").get("/mentoring/become-mentor").status_code == 404  # not invited yet
    with app.app_context():
        accounts.find_user_by_username("mira").display_name = "Mira Demir"
        relationship.end_match(match_id, "goals_met", EndedBy.PLATFORM)
        db.session.commit()
    mira = log_in(app, "mira")
    form = mira.get("/mentoring/become-mentor")
    assert form.status_code == 200
    assert 'value="Mira Demir"' in form.text
    assert re.search(r'<input[^>]*checked[^>]*value="tr"|<input[^>]*value="tr"[^>]*checked', form.text)
    assert re.search(
        r'<option[^>]*selected[^>]*value="mitte-styrum"|value="mitte-styrum"[^>]*selected', form.text
    )
    weak_password = {"display_name": "Mira", "languages": ["tr"], "username": "mira-m", "password": "short"}
    weak = submit(mira, "/mentoring/become-mentor", weak_password)
    assert weak.status_code == 422 and 'href="#password"' in weak.text
    data = {
        "display_name": "Mira Demir",
        "languages": ["tr", "de"],
        "district": "mitte-styrum",
        "username": "mira-mentor",
        "password": "Kirschbaum-Laterne-7",
    }
    assert submit(mira, "/mentoring/become-mentor", data).status_code == 303
    with app.app_context():
        user = accounts.find_user_by_username("mira-mentor")
        profile = db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == user.id)).one()
        assert profile.was_mentee and profile.languages == ["de", "tr"]
    assert log_in(app, "mira-mentor", "Kirschbaum-Laterne-7").get("/mentor/profile").status_code == 200


def test_a_family_that_was_never_invited_cannot_open_the_application(app):
    make_user(app, username="lena")
    assert log_in(app, "lena").get("/mentoring/become-mentor").status_code == 404
