import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.accounts import services as accounts
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.mentorships import services
from mentoring.mentorships import vetting as mentor_vetting
from mentoring.mentorships.models import MatchStatus, MentorAway, MentoringMatch, MentorProfile, MentorStatus
from tests.factories import TURKISH_FAMILY, good_vetting, make_mentor, make_user


def coordinator(app):
    make_user(app, role="coordinator", username="office")
    return accounts.find_user_by_username("office")


@pytest.mark.parametrize(
    ("training_days_ago", "certificate_days_ago", "has_relevant_entry", "code"),
    [
        (None, 60, False, "training"),
        (30, None, False, "certificate"),
        (30, 5 * 366, False, "certificate"),
        (30, 60, True, "conviction"),
    ],
)
def test_activation_needs_training_a_current_certificate_and_no_relevant_entry(
    app, training_days_ago, certificate_days_ago, has_relevant_entry, code, today
):
    vetting = mentor_vetting.Vetting(
        None if training_days_ago is None else today - timedelta(days=training_days_ago),
        None if certificate_days_ago is None else today - timedelta(days=certificate_days_ago),
        has_relevant_entry,
    )
    mentor = make_mentor(app, status=MentorStatus.APPLICANT)
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        with pytest.raises(services.MentoringError) as error:
            mentor_vetting.activate(profile, coordinator(app), vetting, today)
        assert error.value.code == code
        db.session.rollback()
        assert db.session.get(MentorProfile, mentor).status == MentorStatus.APPLICANT


def test_a_vetted_applicant_becomes_active_and_the_facts_are_recorded(app, today):
    mentor = make_mentor(app, status=MentorStatus.APPLICANT)
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        mentor_vetting.activate(profile, coordinator(app), good_vetting(today), today)
        db.session.commit()
        profile = db.session.get(MentorProfile, mentor)
        assert profile.status == MentorStatus.ACTIVE
        assert profile.certificate_seen_on == today - timedelta(days=60)
        assert profile.certificate_has_relevant_entry is False


def test_a_certificate_turning_five_pauses_the_mentor(app, today):
    mentor = make_mentor(app, certificate_seen_on=today - timedelta(days=5 * 365 + 2))
    with app.app_context():
        assert mentor_vetting.pause_expired_certificates(today) == 1
        db.session.commit()
        assert db.session.get(MentorProfile, mentor).status == MentorStatus.PAUSED
        assert services.suggest_mentors(TURKISH_FAMILY, today) == []


def test_suggestions_leave_out_mentors_who_are_away_or_full(app, today):
    away = make_mentor(app, username="away")
    full = make_mentor(app, username="full", capacity=1, active_count=1)
    free = make_mentor(app, username="free")
    with app.app_context():
        db.session.add(MentorAway(mentor_id=away, first_day=today, last_day=today + timedelta(days=7)))
        db.session.commit()
        assert [f.mentor_id for f in services.suggest_mentors(TURKISH_FAMILY, today)] == [free]
    assert full


def test_a_request_is_accepted_and_takes_a_place(app, today):
    mentor = make_mentor(app)
    make_user(app, username="lena")
    with app.app_context():
        parent = accounts.find_user_by_username("lena")
        match = services.request_mentor(parent, mentor, TURKISH_FAMILY, services.Asking(), 5)
        assert match.score > 0
        with pytest.raises(services.MentoringError):
            services.request_mentor(
                parent, mentor, TURKISH_FAMILY, services.Asking(), 5
            )  # one open request at a time
        db.session.commit()
        services.accept(db.session.get(MentorProfile, mentor), match.id)
        db.session.commit()
        profile = db.session.get(MentorProfile, mentor)
        assert profile.active_count == 1 == services.active_families(profile)
        assert services.suggest_mentors(TURKISH_FAMILY, today) == []


def test_requests_to_a_mentor_who_does_not_speak_the_language_are_refused(app):
    mentor = make_mentor(app, languages=["de"])
    make_user(app, username="lena")
    with app.app_context():
        parent = accounts.find_user_by_username("lena")
        with pytest.raises(services.MentoringError) as error:
            services.request_mentor(parent, mentor, TURKISH_FAMILY, services.Asking(), 5)
        assert error.value.code == "unavailable"


def test_unanswered_requests_expire_and_the_family_can_ask_again(app):
    mentor = make_mentor(app)
    make_user(app, username="lena")
    with app.app_context():
        parent = accounts.find_user_by_username("lena")
        match = services.request_mentor(parent, mentor, TURKISH_FAMILY, services.Asking(), 5)
        db.session.commit()
        assert services.expire_requests(utcnow() + timedelta(days=4)) == []
        assert [m.id for m in services.expire_requests(utcnow() + timedelta(days=6))] == [match.id]
        db.session.commit()
        with pytest.raises(services.MentoringError) as error:
            services.accept(db.session.get(MentorProfile, mentor), match.id)
        assert error.value.code == "gone"
        db.session.rollback()
        assert (
            services.request_mentor(parent, mentor, TURKISH_FAMILY, services.Asking(), 5).status
            == MatchStatus.REQUESTED
        )


def test_a_mentor_cannot_accept_another_mentors_request(app):
    mentor = make_mentor(app)
    other = make_mentor(app, username="other")
    make_user(app, username="lena")
    with app.app_context():
        match = services.request_mentor(
            accounts.find_user_by_username("lena"), mentor, TURKISH_FAMILY, services.Asking(), 5
        )
        db.session.commit()
        with pytest.raises(services.MentoringError):
            services.accept(db.session.get(MentorProfile, other), match.id)


def test_two_requests_accepted_at_the_same_moment_never_exceed_capacity(app):
    mentor = make_mentor(app, capacity=1)
    match_ids = []
    for name in ("lena", "ali"):
        make_user(app, username=name)
        with app.app_context():
            parent = accounts.find_user_by_username(name)
            match_ids.append(services.request_mentor(parent, mentor, TURKISH_FAMILY, services.Asking(), 5).id)
            db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(match_id):
        with app.app_context():
            profile = db.session.get(MentorProfile, mentor)
            barrier.wait(timeout=10)
            try:
                services.accept(profile, match_id)
                db.session.commit()
                outcomes.append("accepted")
            except services.MentoringError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(match_id,)) for match_id in match_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "full"]
    with app.app_context():
        statuses = sorted(m.status for m in db.session.scalars(select(MentoringMatch)))
        assert statuses == [MatchStatus.ACTIVE, MatchStatus.REQUESTED]
        assert db.session.get(MentorProfile, mentor).active_count == 1


def test_the_batch_proposal_and_assignment_respect_capacity(app, today):
    mentor = make_mentor(app, capacity=1)
    waiting = []
    for name in ("lena", "ali"):
        make_user(app, username=name)
        with app.app_context():
            waiting.append(
                services.ask_programme_office(
                    accounts.find_user_by_username(name), TURKISH_FAMILY, services.Asking()
                ).id
            )
            db.session.commit()
    with app.app_context():
        proposal = services.propose_batch(services.waiting_requests(), services.available_offers(today))
        assert len(proposal) == 1 and next(iter(proposal.values())).mentor_id == mentor
        first, second = waiting
        services.assign(first, mentor)
        db.session.commit()
        with pytest.raises(services.MentoringError) as error:
            services.assign(second, mentor)
        assert error.value.code == "full"
        db.session.rollback()
        with pytest.raises(services.MentoringError) as error:
            services.assign(first, mentor)
        assert error.value.code == "gone"
        db.session.rollback()
        assert db.session.get(MentorProfile, mentor).active_count == 1
        assert db.session.get(MentoringMatch, second).status == MatchStatus.WAITING
