"""The coordinators' dashboard page and its CSV: suppressed cells, charts, filters that make no
sense, and attacks on what it publishes (repeating, re-filtering, subtracting)."""

import csv
import io
from datetime import timedelta

import pytest

from tests.conftest import log_in
from tests.factories import make_user
from tests.surveys.conftest import SEALED, recent_activity

NOVEMBER = "lang=en&date_from=2026-11-01&date_to=2026-11-30"
SURVEY_DIMENSIONS = ("district", "language", "age_group", "service")


def coordinator(app):
    make_user(app, role="coordinator", username="office")
    return log_in(app, "office")


def download(client, query: str) -> list[list[str]]:
    response = client.get(f"/coordinator/dashboard.csv?{query}")
    assert response.status_code == 200, query
    return list(csv.reader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff"))))


def survey_csv(client, by: str, quarter: str = SEALED) -> list[list[str]]:
    return download(client, f"{NOVEMBER}&quarter={quarter}&survey_by={by}&table=survey")


def test_the_dashboard_shows_tables_and_charts_with_small_cells_hidden(app, city):
    page = coordinator(app).get(f"/coordinator/dashboard?{NOVEMBER}&by=district&quarter={SEALED}")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and 'role="img"' in page.text
    assert "Osterfeld" in page.text and "Merged with others (privacy)" in page.text
    # Every participation count in this small city is below five, so it shows "<5", never the number.
    assert "&lt;5" in page.text
    assert "How we protect the parents" in page.text and "(n=" not in page.text
    for name in ("date_from", "date_to", "by", "quarter", "survey_by"):
        assert f'for="{name}"' in page.text


def test_without_a_sealed_quarter_the_page_says_when_results_come(app):
    client = coordinator(app)
    page = client.get("/coordinator/dashboard?lang=en")
    assert page.status_code == 200
    assert "Survey results are published after the end of each quarter." in page.text
    assert page.text.count("<svg") == 2
    assert client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&table=survey").status_code == 404


def test_the_csv_export_has_a_header_and_leaves_hidden_cells_out(app, city):
    client = coordinator(app)
    response = client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=district&table=participation")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8").startswith("\ufeff")  # spreadsheets read it as UTF-8
    assert "participation-2026-11-2026-11.csv" in response.headers["Content-Disposition"]
    rows = download(client, f"{NOVEMBER}&by=district&table=participation")
    assert len(rows[0]) == 10 and len(rows) == 4  # header, two districts, total
    ost = next(r for r in rows if r[0] == "Oberhausen-Ost")
    assert ost[1:5] == ["", "", "", ""]  # 3 families, 4 bookings, 1 attended, 1 no-show: all hidden
    survey = survey_csv(client, "district")
    assert survey[0][:4] == ["District", "Survey invitations", "Survey responses", "Response rate (%)"]
    assert [r[0] for r in survey][-1] == "Total" and "Merged with others (privacy)" in [r[0] for r in survey]
    assert (
        client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&table=survey")
        .headers["Content-Disposition"]
        .endswith(f'survey-{SEALED}.csv"')
    )


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-13-01&date_to=2026-11-30&by=month",
        "date_from=2026-11-30&date_to=2026-11-01&by=month",
        "date_from=2020-01-01&date_to=2026-11-30&by=month",
        f"{NOVEMBER}&by=shoe-size",
        "date_from=x&date_to=&by=",
        f"{NOVEMBER}&quarter=9999-Q9",
        f"{NOVEMBER}&quarter=2026-Q4",  # the running quarter is never published
        f"{NOVEMBER}&survey_by=month",
        "date_from=9999-12-01&date_to=9999-12-31",
        "date_from=0001-01-01&date_to=0001-01-31",
    ],
)
def test_impossible_filters_are_answered_not_crashed(app, city, query):
    client = coordinator(app)
    page = client.get(f"/coordinator/dashboard?{query}")
    assert page.status_code == 422, query
    assert "error-summary" in page.text
    assert client.get(f"/coordinator/dashboard.csv?{query}").status_code == 400


def test_odd_query_strings_never_crash(app, city):
    client = coordinator(app)
    assert client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=month&table=secret").status_code == 400
    assert client.get("/coordinator/dashboard").status_code == 200  # no filters: the last twelve months
    for query in (
        "by=nonsense",
        "quarter=",
        "quarter[]=x",
        "date_from=2026-11-31",
        "survey_by=*",
        "table=survey",
    ):
        assert client.get(f"/coordinator/dashboard?{query}").status_code in {200, 422}, query
        assert client.get(f"/coordinator/dashboard.csv?{query}").status_code in {200, 400, 404}, query


def test_only_coordinators_see_the_dashboard(app):
    make_user(app, role="expert", username="sabine")
    client = log_in(app, "sabine")
    assert client.get("/coordinator/dashboard").status_code == 403
    assert client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=month").status_code == 403
    assert app.test_client().get("/coordinator/dashboard").status_code in {302, 303}


# Statements for one GET of the dashboard by district, whatever the number of districts with data:
# the session's user, the sealed quarters, bookings, requests (families and waits are worked out
# from these two), the quarter's responses and invitation counts, the districts' names per table.
# (11 before issue 16: one GROUP BY per figure.) Three more since issue 22: the share of trained
# mentor parents, the concerns' first answers and the active mentors ("from mentee to mentor").
DASHBOARD_STATEMENTS = {"sqlite": 11, "postgresql": 11}


def test_the_dashboard_runs_the_same_few_statements_for_twice_the_districts(
    app, backend, municipality_data, count_queries, today
):
    client = coordinator(app)
    url = (
        f"/coordinator/dashboard?date_from={today - timedelta(days=30)}&date_to={today}"
        "&by=district&survey_by=district"
    )
    recent_activity(app, range(3))  # three families in three districts
    client.get(url)
    with count_queries() as few:
        page = client.get(url)
    assert page.status_code == 200 and "Oberhausen-Ost" in page.text
    recent_activity(app, range(3, 9))  # nine families in all six districts
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200 and "Sterkrade-Nord" in page.text
    assert few.count == many.count == DASHBOARD_STATEMENTS[backend], many


def test_former_mentees_among_the_active_mentors_are_shown_only_from_the_threshold(app):
    from mentoring.mentorships.models import MentorStatus
    from mentoring.surveys import cellkey, reports
    from tests.factories import make_mentor

    def former_mentees(app) -> int | None:
        with app.app_context():
            table = reports.suppress(reports.mentor_pathway(cellkey.secret_for(b"test")), 5)
            return reports.shown(table.total, "former_mentees")

    for n in range(3):
        make_mentor(app, username=f"former{n}", was_mentee=True)
    make_mentor(app, username="applicant", was_mentee=True, status=MentorStatus.APPLICANT)
    client = coordinator(app)
    page = client.get("/coordinator/dashboard?lang=en")
    assert "From mentee to mentor parent" in page.text and "Of them, once mentees themselves" in page.text
    assert former_mentees(app) is None  # three: hidden, as "<5"
    for n in range(3, 9):
        make_mentor(app, username=f"former{n}", was_mentee=True)
    shown = former_mentees(app)
    assert shown is not None and abs(shown - 9) <= cellkey.MAX_COUNT_NOISE  # the applicant does not count
