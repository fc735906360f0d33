"""The mentoring relationship: ending, the contact log, the trial review, sharing, reminders, retention."""

from datetime import timedelta

import pytest
import time_machine

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import chores, relationship, services, vetting
from mentoring.mentorships.models import EndedBy, MatchStatus, MentoringMatch, MentorProfile, MentorStatus
from tests.factories import TURKISH_FAMILY, active_match, contact_entry, make_mentor, make_user


@pytest.mark.parametrize(
    ("reason", "status"), [("goals_met", MatchStatus.COMPLETED), ("moved_away", MatchStatus.ENDED)]
)
def test_ending_gives_the_place_back_and_records_why(app, reason, status):
    mentor = make_mentor(app, capacity=1)
    match_id = active_match(app, mentor)
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).free_places == 0
        relationship.end_match(match_id, reason, EndedBy.PARENT)
        db.session.commit()
        match = db.session.get(MentoringMatch, match_id)
        assert (match.status, match.end_reason, match.ended_by) == (status, reason, "parent")
        assert db.session.get(MentorProfile, mentor).free_places == 1
        with pytest.raises(services.MentoringError, match="gone"):  # ending twice changes nothing
            relationship.end_match(match_id, reason, EndedBy.MENTOR)
        db.session.rollback()
        assert db.session.get(MentorProfile, mentor).active_count == 0
        assert services.open_match_of(accounts.find_user_by_username("lena")) is None


def test_accepting_sets_the_trial_review_and_the_planned_end_from_the_settings(app, today):
    match_id = active_match(app, make_mentor(app))
    with app.app_context():
        match = db.session.get(MentoringMatch, match_id)
        assert match.trial_review_on == today + timedelta(weeks=app.config["MENTORING_TRIAL_WEEKS"])
        assert match.planned_end_on == today + timedelta(days=app.config["MENTORING_PLANNED_DAYS"])


def test_the_first_logged_contact_is_the_first_contact_and_dates_are_checked(app, today):
    mentor = make_mentor(app)
    other = make_mentor(app, username="other")
    match_id = active_match(app, mentor)
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        with pytest.raises(services.MentoringError, match="contact_date"):
            relationship.log_contact(profile, match_id, contact_entry(on=today + timedelta(days=1)))
        with pytest.raises(services.MentoringError, match="gone"):  # not their family
            relationship.log_contact(db.session.get(MentorProfile, other), match_id, contact_entry())
        relationship.log_contact(profile, match_id, contact_entry())
        db.session.commit()
        match = db.session.get(MentoringMatch, match_id)
        assert match.first_contact_on == today == match.last_contact_on
        assert relationship.contact_counts([match_id]) == {match_id: 1}
        assert [c.note for c in relationship.contacts_of(match)] == ["Schlaf besprochen"]


def test_the_trial_review_is_asked_once_and_no_lets_the_family_be_matched_again(app):
    mentor = make_mentor(app, capacity=1)
    match_id = active_match(app, mentor)
    with app.app_context():
        parent = accounts.find_user_by_username("lena")
        with pytest.raises(services.MentoringError):  # not due yet
            relationship.answer_trial(parent, match_id, fits=False)
        db.session.rollback()
    with time_machine.travel(utcnow() + timedelta(weeks=4, days=1)), app.app_context():
        today = clock.today()
        assert [m.id for m in relationship.trial_reviews_due(today)] == [match_id]
        assert relationship.trial_reviews_due(today) == []  # asked once
        parent = accounts.find_user_by_username("lena")
        relationship.answer_trial(parent, match_id, fits=False)
        db.session.commit()
        match = db.session.get(MentoringMatch, match_id)
        assert (match.status, match.trial_answer, match.end_reason) == (
            MatchStatus.ENDED,
            "no",
            "not_fitting",
        )
        assert db.session.get(MentorProfile, mentor).free_places == 1
        assert services.open_match_of(parent) is None


def test_the_planned_end_completes_the_mentoring(app):
    mentor = make_mentor(app)
    match_id = active_match(app, mentor)
    with app.app_context():
        planned = db.session.get(MentoringMatch, match_id).planned_end_on
        assert relationship.complete_at_planned_end(planned - timedelta(days=1)) == []
        [done] = relationship.complete_at_planned_end(planned)
        db.session.commit()
        assert (done.status, done.ended_by) == (MatchStatus.COMPLETED, "platform")


def test_each_side_sees_only_what_the_other_chose_to_share_and_only_once_active(app):
    mentor = make_mentor(app)
    match_id = active_match(app, mentor, shares=("phone",))
    with app.app_context():
        match = db.session.get(MentoringMatch, match_id)
        assert relationship.visible_contact(match, match.parent_shares, match.parent) == {
            "phone": "0176 1234567"
        }
        relationship.end_match(match_id, "other", EndedBy.COORDINATOR)
        assert relationship.visible_contact(match, match.parent_shares, match.parent) == {}


def test_coordinators_hear_of_unmatched_families_at_7_14_and_45_days_once_each(app, today):
    make_user(app, username="lena")
    with app.app_context():
        services.ask_programme_office(
            accounts.find_user_by_username("lena"), TURKISH_FAMILY, services.Asking()
        )
        db.session.commit()
        told = []
        for day in range(0, 50):
            digest = chores.collect_digest(today + timedelta(days=day))
            if digest.unmatched:
                told.append((day, digest.unmatched[0][1]))
        assert told == [(7, 7), (14, 14), (45, 45)]


def test_coordinators_hear_of_silent_mentorings_at_14_and_28_days_and_again_after_a_new_silence(app, today):
    mentor = make_mentor(app)
    match_id = active_match(app, mentor)
    with app.app_context():
        silent = [
            day for day in range(0, 30) if chores.collect_digest(today + timedelta(days=day)).no_contact
        ]
        assert silent == [14, 28]
        relationship.log_contact(db.session.get(MentorProfile, mentor), match_id, contact_entry())
        assert chores.collect_digest(today + timedelta(days=13)).no_contact == []
        assert [m.id for m, _days in chores.collect_digest(today + timedelta(days=14)).no_contact] == [
            match_id
        ]


def test_coordinators_are_reminded_once_before_a_certificate_turns_five(app, today):
    seen = today - timedelta(days=5 * 365 - 30)  # expires in about a month
    make_mentor(app, certificate_seen_on=seen)
    make_mentor(app, username="fresh", certificate_seen_on=today - timedelta(days=10))
    with app.app_context():
        [(profile, expires_on)] = chores.collect_digest(today).certificates
        assert profile.user.username == "ayse" and expires_on == vetting.certificate_expires_on(seen)
        assert chores.collect_digest(today).certificates == []


def test_vetting_facts_are_deleted_three_months_after_a_mentor_stops(app, today):
    mentor = make_mentor(
        app, certificate_seen_on=today - timedelta(days=100), training_on=today - timedelta(days=120)
    )
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        profile.certificate_has_relevant_entry = False
        vetting.change_status(profile, MentorStatus.RETIRED, today)
        db.session.commit()
        assert chores.forget_vetting_facts(today + timedelta(days=90)) == 0
        assert chores.forget_vetting_facts(today + timedelta(days=91)) == 1
        db.session.commit()
        profile = db.session.get(MentorProfile, mentor)
        assert (profile.certificate_seen_on, profile.certificate_has_relevant_entry, profile.training_on) == (
            None,
            None,
            None,
        )


def test_status_changes_follow_the_rules(app, today):
    mentor = make_mentor(app, certificate_seen_on=today - timedelta(days=10))
    active_match(app, mentor)
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        with pytest.raises(services.MentoringError, match="has_families"):
            vetting.change_status(profile, MentorStatus.RETIRED, today)
        vetting.change_status(profile, MentorStatus.PAUSED, today)
        assert services.suggest_mentors(TURKISH_FAMILY, today) == []
        vetting.change_status(profile, MentorStatus.ACTIVE, today)
        profile.certificate_seen_on = today - timedelta(days=5 * 366)
        vetting.change_status(profile, MentorStatus.PAUSED, today)
        with pytest.raises(services.MentoringError, match="certificate"):
            vetting.change_status(profile, MentorStatus.ACTIVE, today)
        with pytest.raises(services.MentoringError, match="status"):
            vetting.change_status(profile, MentorStatus.APPLICANT, today)


def test_a_coordinator_enters_a_family_without_e_mail_and_the_referral_is_kept(app):
    make_user(app, role="coordinator", username="office")
    with app.app_context():
        office = accounts.find_user_by_username("office")
        family = services.Family(name="Familie Yilmaz", locale="tr", phone="+4917655555555")
        match = services.enter_for_family(office, family, TURKISH_FAMILY, "", "midwife")
        db.session.commit()
        assert (match.status, match.referral_source, match.entered_by_id) == (
            MatchStatus.WAITING,
            "midwife",
            office.id,
        )
        assert match.parent.phone == "+4917655555555" and match.parent.email is None
        assert match.parent_shares == ["phone"]
        # The account has a random password nobody knows; a coordinator can hand over a reset link.
        assert accounts.authenticate(match.parent.username, "") is None
