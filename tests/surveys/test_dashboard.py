"""The coordinators' dashboard page and its CSV: suppressed cells, charts, filters that make no sense."""

import csv
import io
from datetime import timedelta

from tests.conftest import log_in
from tests.factories import make_user
from tests.surveys.conftest import recent_activity

NOVEMBER = "date_from=2026-11-01&date_to=2026-11-30"


def coordinator(app):
    make_user(app, role="coordinator", username="office")
    return log_in(app, "office")


def test_the_dashboard_shows_tables_and_charts_with_small_cells_hidden(app, city):
    page = coordinator(app).get(f"/coordinator/dashboard?{NOVEMBER}&by=district")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and 'role="img"' in page.text
    assert "Osterfeld" in page.text
    # Every count in this small city is below five, so the table shows "<5", never the number.
    assert "&lt;5" in page.text


def test_the_csv_export_has_a_header_and_leaves_hidden_cells_out(app, city):
    client = coordinator(app)
    response = client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=district&table=participation")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows[0]) == 13 and len(rows) == 4  # header, two districts, total
    ost = next(r for r in rows if r[0] == "Oberhausen-Ost")
    assert ost[1:5] == ["", "", "", ""]  # 3 families, 4 bookings, 1 attended, 1 no-show: all hidden
    survey = client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=service&table=survey")
    assert survey.status_code == 200 and "\ufeff" in survey.data.decode("utf-8")[:1]


def test_impossible_filters_are_answered_not_crashed(app):
    client = coordinator(app)
    for query in (
        "date_from=2026-13-01&date_to=2026-11-30&by=month",
        "date_from=2026-11-30&date_to=2026-11-01&by=month",
        "date_from=2020-01-01&date_to=2026-11-30&by=month",
        f"{NOVEMBER}&by=shoe-size",
        "date_from=x&date_to=&by=",
    ):
        page = client.get(f"/coordinator/dashboard?{query}")
        assert page.status_code == 422, query
        assert "error-summary" in page.text
        assert client.get(f"/coordinator/dashboard.csv?{query}").status_code == 400
    assert client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=month&table=secret").status_code == 400
    assert client.get("/coordinator/dashboard").status_code == 200  # no filters: the last twelve months


def test_only_coordinators_see_the_dashboard(app):
    make_user(app, role="expert", username="sabine")
    client = log_in(app, "sabine")
    assert client.get("/coordinator/dashboard").status_code == 403
    assert client.get(f"/coordinator/dashboard.csv?{NOVEMBER}&by=month").status_code == 403
    assert app.test_client().get("/coordinator/dashboard").status_code in {302, 303}


# Statements for one GET of the dashboard by district, whatever the number of districts with data.
DASHBOARD_STATEMENTS = {"sqlite": 11, "postgresql": 11}


def test_the_dashboard_runs_the_same_few_statements_for_twice_the_districts(
    app, backend, municipality_data, count_queries, today
):
    client = coordinator(app)
    url = f"/coordinator/dashboard?date_from={today - timedelta(days=30)}&date_to={today}&by=district"
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
