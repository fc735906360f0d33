import threading
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.extensions import db
from mentoring.mentorships import groups, pathway, relationship, services
from mentoring.mentorships.errors import MentoringError
from mentoring.mentorships.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    EndedBy,
    MatchStatus,
    MemberStatus,
    MentoringMatch,
    MentorProfile,
    MentorStatus,
)
from mentoring.notifications.models import OutboxMessage
from mentoring.surveys.models import SurveyInvitation
from tests.factories import TURKISH_FAMILY, active_match, make_mentor, make_user, waiting_families


def plan(mentor_id, today, **overrides):
    fields = {
        "name": "Eltern-AG Styrum",
        "languages": ("tr", "de"),
        "district": "mitte-styrum",
        "starts_on": today + timedelta(days=3),
        "weeks": 20,
        "meets_at": time(16, 30),
        "place": "Familienzentrum Styrum",
        "capacity": 10,
        "mentor_id": mentor_id,
    }
    return groups.CohortPlan(**(fields | overrides))


def make_cohort(app, today, capacity=10, **overrides) -> int:
    mentor = overrides.pop("mentor_id", None) or make_mentor(app, username=f"lead{capacity}")
    with app.app_context():
        cohort = groups.create_cohort(plan(mentor, today, capacity=capacity, **overrides))
        db.session.commit()
        return cohort.id


def parent(name):
    return accounts.find_user_by_username(name)


def outbox_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def test_a_cohort_gets_one_meeting_a_week_at_the_local_time(app, today):
    cohort_id = make_cohort(app, today, weeks=20)
    with app.app_context():
        meetings = groups.meetings_of(db.session.get(Cohort, cohort_id))
        assert len(meetings) == 20
        days = [clock.local_date(m.starts_at) for m in meetings]
        assert days[0] == today + timedelta(days=3)
        assert days[-1] == today + timedelta(days=3, weeks=19)
        assert {clock.local(m.starts_at).time() for m in meetings} == {time(16, 30)}  # also across DST
        assert {m.place for m in meetings} == {"Familienzentrum Styrum"}


@pytest.mark.parametrize(
    ("status", "overrides"),
    [
        (MentorStatus.APPLICANT, {}),
        (MentorStatus.PAUSED, {}),
        (MentorStatus.ACTIVE, {"capacity": 11}),
        (MentorStatus.ACTIVE, {"capacity": 0}),
        (MentorStatus.ACTIVE, {"weeks": 0}),
        (MentorStatus.ACTIVE, {"starts_on_days": -1}),
    ],
)
def test_only_active_mentors_lead_groups_of_up_to_the_configured_size(app, today, status, overrides):
    mentor = make_mentor(app, status=status)
    if "starts_on_days" in overrides:
        overrides = {"starts_on": today + timedelta(days=overrides["starts_on_days"])}
    with app.app_context(), pytest.raises(MentoringError):
        groups.create_cohort(plan(mentor, today, **overrides))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_the_same_mentor_cannot_be_both_leads(app, today):
    mentor = make_mentor(app)
    with app.app_context(), pytest.raises(MentoringError, match="group_mentor"):
        groups.create_cohort(plan(mentor, today, co_mentor_id=mentor))


def test_a_family_sees_only_groups_in_their_language_and_district_with_free_places(app, today):
    fitting = make_cohort(app, today, capacity=2)
    make_cohort(app, today, capacity=3, languages=("ar",))
    make_cohort(app, today, capacity=4, district="alstaden")
    full = make_cohort(app, today, capacity=1)
    make_user(app, username="first")
    with app.app_context():
        groups.join_cohort(parent("first"), full)
        db.session.commit()
        found = groups.fitting_cohorts(TURKISH_FAMILY, today)
        assert [c.id for c in found] == [fitting]


def test_joining_takes_a_place_and_a_family_has_one_group_or_one_mentor(app, today):
    cohort_id = make_cohort(app, today)
    make_user(app, username="lena", email="lena@example.org", locale="tr")
    with app.app_context():
        member = groups.join_cohort(parent("lena"), cohort_id)
        db.session.commit()
        assert db.session.get(Cohort, cohort_id).member_count == 1
        assert groups.membership_of(parent("lena")).id == member.id
        [message] = outbox_to("lena@example.org")
        assert message.locale == "tr"
        with pytest.raises(MentoringError, match="already"):
            groups.join_cohort(parent("lena"), cohort_id)
        with pytest.raises(MentoringError, match="already"):
            services.ask_programme_office(parent("lena"), TURKISH_FAMILY, services.Asking())


def test_n_plus_one_parallel_joins_fill_n_places(app, today):
    places = 3
    cohort_id = make_cohort(app, today, capacity=places)
    names = [f"family{n}" for n in range(places + 1)]
    for name in names:
        make_user(app, username=name)
    barrier = threading.Barrier(len(names))
    outcomes = []

    def join(name):
        with app.app_context():
            family = parent(name)
            barrier.wait(timeout=10)
            try:
                groups.join_cohort(family, cohort_id)
                db.session.commit()
                outcomes.append("joined")
            except MentoringError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=join, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["group_full"] + ["joined"] * places
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).member_count == places
        assert db.session.scalar(select(func.count()).select_from(CohortMember)) == places


def test_a_coordinator_places_a_waiting_family_and_their_request_closes(app, today):
    cohort_id = make_cohort(app, today)
    waiting_families(app, range(1, 2))
    with app.app_context():
        match = db.session.scalars(select(MentoringMatch)).one()
        member = groups.assign_to_cohort(match.id, cohort_id)
        db.session.commit()
        assert (match.status, match.end_reason) == (MatchStatus.ENDED, "group")
        assert member.parent_id == match.parent_id
        with pytest.raises(MentoringError, match="gone"):
            groups.assign_to_cohort(match.id, cohort_id)


def test_the_mentor_records_attendance_only_for_their_own_groups_and_members(app, today):
    lead = make_mentor(app, username="lead")
    other = make_mentor(app, username="other")
    cohort_id = make_cohort(app, today, mentor_id=lead, starts_on=today)
    make_user(app, username="lena")
    make_user(app, username="ali")
    with app.app_context():
        lena = groups.join_cohort(parent("lena"), cohort_id).id
        ali = groups.join_cohort(parent("ali"), cohort_id).id
        db.session.commit()
        first, second = groups.meetings_of(db.session.get(Cohort, cohort_id))[:2]
        lead_profile = db.session.get(MentorProfile, lead)
        assert groups.record_attendance(lead_profile, first.id, {lena, ali}) == 2
        assert groups.record_attendance(lead_profile, first.id, {lena}) == 1  # corrected, not added
        db.session.commit()
        assert groups.present_member_ids(first) == {lena}
        with pytest.raises(MentoringError, match="gone"):
            groups.record_attendance(db.session.get(MentorProfile, other), first.id, {lena})
        with pytest.raises(MentoringError, match="attendance_date"):
            groups.record_attendance(lead_profile, second.id, {lena})
        with pytest.raises(MentoringError, match="members"):
            groups.record_attendance(lead_profile, first.id, {lena, 9999})


def test_after_the_last_meeting_the_group_ends_with_a_survey_and_one_mentor_invitation(app, today):
    cohort_id = make_cohort(app, today, weeks=2)
    make_user(app, username="lena", email="lena@example.org", locale="ar")
    make_user(app, username="ali", phone="0176 7654321")
    with app.app_context():
        family = parent("lena")
        family.survey_consent = True
        groups.join_cohort(family, cohort_id)
        groups.join_cohort(parent("ali"), cohort_id)  # no survey consent
        db.session.commit()
        cohort = db.session.get(Cohort, cohort_id)
        last_day = groups.last_meeting_day(cohort)
        assert groups.end_finished_cohorts(last_day) == []
        assert [c.id for c in groups.end_finished_cohorts(last_day + timedelta(days=1))] == [cohort_id]
        db.session.commit()
        assert cohort.status == CohortStatus.ENDED
        assert {m.status for m in groups.members_of(cohort)} == {MemberStatus.COMPLETED}
        [invitation] = db.session.scalars(select(SurveyInvitation)).all()  # only the family who agreed
        assert (invitation.locale, invitation.district, invitation.email) == (
            "ar",
            "mitte-styrum",
            "lena@example.org",
        )
        # Lena: her place, the survey and its reminder, the invitation to become a mentor parent.
        lena_messages = outbox_to("lena@example.org")
        assert len(lena_messages) == 4
        assert {m.locale for m in lena_messages} == {"ar"}
        assert sum("/mentoring/become-mentor" in m.body_text for m in lena_messages) == 1
        # Ali has only a phone: the place and the invitation, by SMS.
        ali_messages = outbox_to("0176 7654321")
        assert len(ali_messages) == 2
        assert "/mentoring/become-mentor" in ali_messages[-1].body_text
        # The job runs again tomorrow: nothing is sent twice.
        before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert groups.end_finished_cohorts(last_day + timedelta(days=2)) == []
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_a_family_is_invited_to_become_a_mentor_once_even_after_a_mentoring_and_a_group(app, today):
    mentor = make_mentor(app, capacity=2)
    match_id = active_match(app, mentor, parent="lena")
    with app.app_context():
        before = len(outbox_to("lena@example.org"))
        relationship.end_match(match_id, "goals_met", EndedBy.MENTOR)
        db.session.commit()
        after_end = outbox_to("lena@example.org")
        assert len(after_end) == before + 2  # "has ended" and the invitation
        assert pathway.is_invited(parent("lena"))
        assert pathway.invite_to_mentor(parent("lena")) is False
        db.session.commit()
        assert len(outbox_to("lena@example.org")) == before + 2


def test_a_mentoring_ended_early_does_not_invite(app):
    mentor = make_mentor(app)
    match_id = active_match(app, mentor, parent="lena")
    with app.app_context():
        relationship.end_match(match_id, "moved_away", EndedBy.PARENT)
        db.session.commit()
        assert not pathway.is_invited(parent("lena"))


def test_the_application_is_prefilled_and_the_new_mentor_counts_as_a_former_mentee(app, today):
    mentor = make_mentor(app, capacity=2)
    match_id = active_match(app, mentor, parent="lena")
    with app.app_context():
        family = parent("lena")
        family.display_name = "Lena K."
        relationship.end_match(match_id, "goals_met", EndedBy.PLATFORM)
        db.session.commit()
        prefill = pathway.prefill_for(family)
        assert prefill == pathway.Prefill("Lena K.", ("tr", "de"), "mitte-styrum")
        applicant = pathway.apply_as_mentor(
            family,
            pathway.Application(
                "lena-mentor", "Kirschbaum-Laterne-7", "Lena K.", ("tr", "de"), "mitte-styrum"
            ),
        )
        db.session.commit()
        profile = db.session.scalars(select(MentorProfile).where(MentorProfile.user_id == applicant.id)).one()
        assert (profile.status, profile.was_mentee, profile.districts) == (
            MentorStatus.APPLICANT,
            True,
            ["mitte-styrum"],
        )
        assert applicant.email == "lena@example.org"


def test_a_family_never_invited_cannot_apply_through_the_pathway(app):
    make_user(app, username="lena")
    with app.app_context(), pytest.raises(LookupError):
        pathway.apply_as_mentor(
            parent("lena"), pathway.Application("lena-mentor", "Kirschbaum-Laterne-7", "", ("de",), None)
        )


def test_one_family_joining_two_groups_at_the_same_moment_gets_one_place(app, today):
    first, second = make_cohort(app, today, capacity=3), make_cohort(app, today, capacity=4)
    make_user(app, username="lena")
    barrier = threading.Barrier(2)
    outcomes = []

    def join(cohort_id):
        with app.app_context():
            family = parent("lena")
            barrier.wait(timeout=10)
            try:
                groups.join_cohort(family, cohort_id)
                db.session.commit()
                outcomes.append("joined")
            except MentoringError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=join, args=(cohort_id,)) for cohort_id in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already", "joined"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1
        counts = [db.session.get(Cohort, cohort_id).member_count for cohort_id in (first, second)]
        assert sorted(counts) == [0, 1]  # the refused join gave its place back
