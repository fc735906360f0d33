"""The coordinator: vets an applicant, runs the batch match, drops a pair, confirms, opens the
dashboard and downloads the CSV."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mentoring.accounts import services as accounts
from mentoring.extensions import db
from mentoring.mentorships import services as mentoring
from mentoring.mentorships.matching import Need
from mentoring.mentorships.models import MatchStatus, MentoringMatch
from tests.browser.conftest import assert_accessible, log_in, screenshots
from tests.factories import make_mentor, make_user

pytestmark = pytest.mark.browser


def test_coordinator_vets_batch_matches_and_exports(page, app, backend, municipality_data, today):
    make_user(app, role="coordinator", username="office")
    make_mentor(app, username="ayse", capacity=1, status="applicant")
    make_mentor(
        app,
        username="olga",
        capacity=2,
        languages=["uk", "ru"],
        districts=["ost"],
        certificate_seen_on=today - timedelta(days=30),
    )
    for name, language in (("lena", "tr"), ("oksana", "uk"), ("iryna", "uk")):
        make_user(app, username=name)
        with app.app_context():
            mentoring.ask_programme_office(
                accounts.find_user_by_username(name),
                Need(languages=frozenset({language}), district="ost"),
                mentoring.Asking(),
            )
            db.session.commit()

    log_in(page, "office")
    page.goto("/coordinator/mentors")
    page.get_by_role("link", name="ayse").click()
    page.locator("#training_on").fill((today - timedelta(days=3)).isoformat())
    page.locator("#certificate_seen_on").fill((today - timedelta(days=20)).isoformat())
    page.locator("input[name=relevant_entry][value=no]").check()  # nothing is chosen beforehand
    page.locator("input[name=decision][value=activate]").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    screenshots(page, "coordinator-mentors")

    page.goto("/coordinator/matching")
    assert_accessible(page)
    screenshots(page, "coordinator-matching")
    pairs = page.locator("input[name=pair]")
    assert pairs.count() == 3  # lena → ayse, oksana and iryna → olga
    page.get_by_role("checkbox", name="iryna").uncheck()
    page.get_by_role("button", name="Diese Paare bestätigen").click()
    with app.app_context():
        statuses = {m.parent.username: m.status for m in db.session.scalars(select(MentoringMatch))}
    assert statuses == {
        "lena": MatchStatus.ACTIVE,
        "oksana": MatchStatus.ACTIVE,
        "iryna": MatchStatus.WAITING,
    }

    page.goto("/coordinator/dashboard")
    # No quarter is sealed yet: two participation charts, and the survey says when it comes.
    assert page.locator("figure.chart svg").count() == 2
    assert page.locator("#method-heading").count() == 1
    assert_accessible(page)
    screenshots(page, "coordinator-dashboard-default")
    with page.expect_download() as download:
        page.locator("a[href*='dashboard.csv']").first.click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("Monat,")
