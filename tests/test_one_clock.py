"""One notion of the calendar day: only mentoring/clock.py turns an instant into a date.

Ruff bans date.today(), naive datetime.now() and datetime.utcnow() (DTZ, TID251 in pyproject.toml),
but it cannot tell an instant from a date, so `utcnow().date()` -- UTC's day, wrong for the first
hour or two after midnight in Oberhausen -- would slip through. This test walks the product code.
"""

from pathlib import Path

from tests.factories import zero_argument_date_calls

PRODUCT = Path(__file__).resolve().parent.parent / "mentoring"

# Still there, being replaced by mentoring.clock in the consultations/mentorships refactoring. The list
# only shrinks: a new entry fails the first test, a fixed one must be struck out (the same test fails).
KNOWN_DATE_CALLS = {
    "mentoring/consultations/booking.py: "
    "series.skipped_dates = [*series.skipped_dates, day_start.date().isoformat()]",
    "mentoring/consultations/expert_views.py: "
    'return redirect(url_for(".agenda", day=booking.slot.starts_at.astimezone(zone()).date().isoformat()), 303)',
    "mentoring/consultations/expert_views.py: "
    'url_for(".agenda", day=booking.slot.starts_at.astimezone(zone()).date().isoformat()), 303',
    "mentoring/consultations/expert_views.py: "
    'return redirect(url_for(".agenda", day=slot.starts_at.astimezone(zone()).date().isoformat()), 303)',
    "mentoring/consultations/forms.py: dates.append(datetime.strptime(word, pattern).date())",
    "mentoring/consultations/helpers.py: return datetime.now(zone()).date()",
    "mentoring/consultations/views.py: "
    "days.setdefault(slot.starts_at.astimezone(zone()).date(), []).append(slot)",
    "mentoring/consultations/waitlist.py: for entry in waiting_entries(now.astimezone(zone).date()):",
    "mentoring/mentorships/chores.py: if profile.stopped_at.date() <= cutoff:",
    "mentoring/mentorships/chores.py: days = (today - match.requested_at.date()).days",
    "mentoring/mentorships/chores.py: "
    "since = match.last_contact_on or (match.answered_at.date() if match.answered_at else today)",
    "mentoring/mentorships/cli.py: today = now.date()",
    "mentoring/mentorships/relationship.py: "
    "if entry.on > utcnow().date() or (match.answered_at and entry.on < match.answered_at.date()):",
    "mentoring/mentorships/relationship.py: "
    "if match.trial_review_on is None or match.trial_review_on > utcnow().date():",
    "mentoring/mentorships/services.py: "
    'match.trial_review_on = now.date() + timedelta(weeks=current_app.config["MENTORING_TRIAL_WEEKS"])',
    "mentoring/mentorships/services.py: "
    'match.planned_end_on = now.date() + timedelta(days=current_app.config["MENTORING_PLANNED_DAYS"])',
    "mentoring/mentorships/services.py: "
    "result = fit(need, offer_of(profile, away_mentor_ids(utcnow().date()))) if profile else None",
    "mentoring/mentorships/services.py: "
    "offer = replace(offer_of(profile, away_mentor_ids(now.date())), free_places=1) if profile else None",
}


def test_no_product_code_outside_the_clock_takes_the_date_of_an_instant():
    found = {
        f"{path.relative_to(PRODUCT.parent).as_posix()}: {line}"
        for path in sorted(PRODUCT.rglob("*.py"))
        if path != PRODUCT / "clock.py"
        for line in zero_argument_date_calls(path)
    }
    assert found - KNOWN_DATE_CALLS == set(), "use mentoring.clock.local_date(instant) or clock.today(now)"
    assert KNOWN_DATE_CALLS - found == set(), "fixed at last: strike these out of KNOWN_DATE_CALLS"


def test_the_walk_finds_the_date_of_an_instant_however_it_is_written(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "day = utcnow().date()\n"
        "later = (utcnow()\n    + delta).date()\n"
        "fine = clock.local_date(utcnow())\n"
        "parsed = date.fromisoformat('2026-12-03')\n"
        "a_method_of_our_own = report.date(first)\n"
    )
    assert zero_argument_date_calls(source) == ["day = utcnow().date()", "+ delta).date()"]
