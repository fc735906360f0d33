"""Attacks on what the dashboard publishes (issue 16): repeating a download, waiting for one more
answer, re-filtering the same quarter, subtracting overlapping tables and month ranges."""

import csv
import io
from datetime import timedelta
from itertools import combinations

import pytest

from mentoring.consultations.models import BookingStatus
from mentoring.extensions import db
from mentoring.surveys import reports
from mentoring.surveys.models import SurveyPeriod
from tests.conftest import log_in
from tests.factories import make_expert, make_slot, make_user
from tests.surveys.conftest import SEALED, at, booking, invited, response

DIMENSIONS = ("district", "language", "age_group", "service")
QUESTION_COLUMN = {"satisfaction": 4, "recommend": 8}  # CSV columns: key, invitations, responses, rate, ...


def coordinator(app):
    make_user(app, role="coordinator", username="office")
    return log_in(app, "office")


def download(client, query: str) -> list[list[str]]:
    answer = client.get(f"/coordinator/dashboard.csv?lang=en&{query}")
    assert answer.status_code == 200, query
    return list(csv.reader(io.StringIO(answer.data.decode("utf-8").lstrip("\ufeff"))))


def survey_tables(client, quarter: str = SEALED) -> dict[str, list[list[str]]]:
    return {
        by: download(
            client, f"date_from=2026-11-01&date_to=2026-11-30&quarter={quarter}&survey_by={by}&table=survey"
        )
        for by in DIMENSIONS
    }


def test_an_answer_released_into_the_running_quarter_changes_no_download(app, city):
    client = coordinator(app)
    before = survey_tables(client)
    page = client.get(f"/coordinator/dashboard?quarter={SEALED}").text
    with app.app_context():
        db.session.add(response("ost", 1, 9999, period="2026-Q4", recommend=1))
        db.session.add(invited("osterfeld", 1, period="2026-Q4"))
        db.session.commit()
    assert survey_tables(client) == before
    assert client.get(f"/coordinator/dashboard?quarter={SEALED}").text.count("<td>") == page.count("<td>")
    assert client.get("/coordinator/dashboard.csv?table=survey&quarter=2026-Q4").status_code == 400


def test_the_same_quarter_gives_the_same_figures_every_time_and_in_every_table(app, city):
    client = coordinator(app)
    first = survey_tables(client)
    for _ in range(3):
        assert survey_tables(client) == first
    totals = {by: table[-1] for by, table in first.items()}
    assert len({tuple(total) for total in totals.values()}) == 1  # the same set: the same noise
    assert totals["district"][0] == "Total"


@pytest.fixture
def one_parent_apart(app, municipality_data):
    """A sealed quarter where two tables differ by exactly one parent's 'recommend'.

    Ost has X (5 answers in German, all recommend 5) and Y (5 answers in Turkish, only one of which
    answers 'recommend': with a 1). Osterfeld has 5 answers in Arabic and 5 in Ukrainian. Without
    noise and suppression, 6 x mean(Ost) - 5 x mean(German) is that parent's answer: 1. Every
    stored context is shared by 5 responses, as the release makes sure.
    """
    with app.app_context():
        db.session.add(SurveyPeriod(period=SEALED, sealed_at=at(1, month=10)))
        rows = [response("ost", 4, 100 + n, recommend=5) for n in range(5)]
        rows += [response("ost", 3, 200 + n, locale="tr", recommend=1 if n == 0 else None) for n in range(5)]
        rows += [response("osterfeld", 5, 300 + n, locale="ar", recommend=4) for n in range(5)]
        rows += [response("osterfeld", 2, 400 + n, locale="uk", recommend=3) for n in range(5)]
        db.session.add_all(rows)
        db.session.add_all([invited("ost", 12), invited("osterfeld", 12, locale="ar")])
        db.session.commit()


def cells_of(tables: dict[str, list[list[str]]], column: int) -> dict[tuple[str, str], float | None]:
    return {
        (by, row[0]): float(row[column]) if row[column] else None
        for by, table in tables.items()
        for row in table[1:]
    }


def test_subtracting_overlapping_tables_recovers_no_single_answer(app, one_parent_apart):
    """The attacker knows how many answered each question in every cell (the worst case) and
    subtracts every pair of shown means whose sets differ by one answer; on the bare figures this
    gives the answer exactly, on the published ones it gives none."""
    secret = 1
    answered = {  # (table, row) -> who answered 'recommend', by the fixture's numbering
        ("district", "Oberhausen-Ost"): set(range(5)) | {"y"},
        ("district", "Osterfeld"): set(range(10, 20)),
        ("language", "Deutsch"): set(range(5)),
        ("language", "Türkçe"): {"y"},
        ("language", "العربية"): set(range(10, 15)),
        ("language", "Українська"): set(range(15, 20)),
    }
    everyone = set().union(*answered.values())
    for by in DIMENSIONS:
        answered[(by, "Total")] = everyone
    answered[("service", "Consultation hours")] = everyone
    answered[("age_group", "Not given")] = everyone
    bare = {("district", "Oberhausen-Ost"): 26 / 6, ("language", "Deutsch"): 5.0}
    # The attack on the bare figures works: that is what the publication has to prevent.
    assert 6 * bare[("district", "Oberhausen-Ost")] - 5 * bare[("language", "Deutsch")] == pytest.approx(
        secret
    )

    client = coordinator(app)
    means = cells_of(survey_tables(client), QUESTION_COLUMN["recommend"])
    assert set(means) <= set(answered), set(means) - set(answered)
    recovered = []
    for one, other in combinations(means, 2):
        small, big = sorted((one, other), key=lambda cell: len(answered[cell]))
        if means[small] is None or means[big] is None or not answered[small] < answered[big]:
            continue
        if len(answered[big] - answered[small]) == 1:
            guess = len(answered[big]) * means[big] - len(answered[small]) * means[small]
            recovered.append((small, big, guess))
    assert not [r for r in recovered if abs(r[2] - secret) <= 1], recovered


def test_means_that_another_table_could_give_away_are_hidden_there_too(app, one_parent_apart):
    with app.app_context():
        by_language = reports.suppress(reports.survey_results(SEALED, "language", b"k"), 5)
        by_district = reports.suppress(reports.survey_results(SEALED, "district", b"k"), 5)
    german = next(r for r in by_language.rows if r.key == "de")
    ost = next(r for r in by_district.rows if r.key == "ost")
    assert "recommend" in german.hidden and "recommend" not in ost.hidden  # the smaller of the two
    assert "satisfaction" not in german.hidden  # ten answers apart from Ost's: nothing to give away
    assert "recommend" not in by_language.total.hidden


@pytest.fixture
def bookings_by_day(app, municipality_data):
    """One booking a day from 1 October to 30 November, all in Ost."""
    expert = make_expert(app, username="sabine")
    slot = make_slot(app, expert, starts_in=timedelta(days=2))
    with app.app_context():
        db.session.add_all(
            booking(slot, n, f"p{n}", "ost", BookingStatus.ATTENDED, at(1, month=10) + timedelta(days=n))
            for n in range(61)
        )
        db.session.commit()


def participation(client, date_from: str, date_to: str) -> list[list[str]]:
    return download(client, f"date_from={date_from}&date_to={date_to}&by=district&table=participation")


def test_month_ranges_cannot_be_subtracted_to_a_day(app, bookings_by_day):
    client = coordinator(app)
    whole = participation(client, "2026-10-01", "2026-11-30")
    # Dates inside the months give the whole months: no day can be added or left out.
    assert participation(client, "2026-10-17", "2026-11-02") == whole
    assert participation(client, "2026-10-31", "2026-11-01") == whole
    october = participation(client, "2026-10-01", "2026-10-31")
    assert participation(client, "2026-10-02", "2026-10-30") == october
    # Two overlapping ranges differ by a whole month at least (30 bookings here), never by a day.
    difference = int(whole[-1][2]) - int(october[-1][2])
    assert abs(difference - 30) <= 4 and difference not in range(0, 3)


def test_the_figures_are_close_to_the_truth_on_a_bigger_city(app, municipality_data):
    """200 responses over 6 districts with known answers: every published total and mean is
    within the stated tolerance of the truth: counts +-2, means +-0.2, response rate +-2 points
    (of 400 invitations)."""
    districts = ["alstaden-lirich", "mitte-styrum", "ost", "osterfeld", "sterkrade-mitte", "sterkrade-nord"]
    with app.app_context():
        db.session.add(SurveyPeriod(period=SEALED, sealed_at=at(1, month=10)))
        rows = []
        for n in range(200):
            district = districts[n % 6]
            rows.append(response(district, 1 + n % 5, 7000 + n, recommend=1 + (n * 7) % 5))
        db.session.add_all(rows)
        db.session.add_all(invited(d, 400 // 6 + (1 if i < 400 % 6 else 0)) for i, d in enumerate(districts))
        db.session.commit()
        truth = {d: [r for r in rows if r.district == d] for d in districts}
    client = coordinator(app)
    table = survey_tables(client)["district"]
    _header, *body = table
    total = body[-1]
    assert abs(int(total[1]) - 400) <= 2 and abs(int(total[2]) - 200) <= 2
    assert abs(int(total[3]) - 50) <= 2
    assert (
        abs(float(total[4]) - 3.0) <= 0.2
        and abs(float(total[8]) - sum(1 + (n * 7) % 5 for n in range(200)) / 200) <= 0.2
    )
    for row, district in zip(body[:-1], districts, strict=True):
        answers = truth[district]
        assert abs(int(row[2]) - len(answers)) <= 2
        assert abs(float(row[4]) - sum(r.satisfaction for r in answers) / len(answers)) <= 0.2
