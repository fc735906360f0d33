"""The indicator on a small hand-made data set whose answers were worked out by hand, and suppression."""

from datetime import date
from zoneinfo import ZoneInfo

from mentoring.consultations.models import BookingStatus, Slot
from mentoring.extensions import db
from mentoring.surveys import reports
from tests.surveys.conftest import at, booking

BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = reports.Period(date(2026, 11, 1), date(2026, 11, 30))


def values(table: reports.Table) -> dict[str, dict]:
    rows = {row.key: {c: row.values[c] for c in table.columns} for row in table.rows}
    rows["total"] = {c: table.total.values[c] for c in table.columns}
    return rows


def test_participation_by_district_matches_the_hand_count(app, city):
    with app.app_context():
        table = reports.participation(NOVEMBER, "district", BERLIN)
    assert values(table) == {
        # families: a, b and p1 (booked with an account and asked for a mentor: one family)
        "ost": {
            "families": 3,
            "bookings": 4,
            "attended": 1,
            "no_show": 1,
            "cancelled": 1,
            "requests": 1,
            "active": 1,
            "completed": 0,
            "median_days": 3.0,
            "invitations": 2,
            "responses": 2,
            "response_rate": 50,
        },
        # families: d and p2 (two requests, one family)
        "osterfeld": {
            "families": 2,
            "bookings": 1,
            "attended": 1,
            "no_show": 0,
            "cancelled": 0,
            "requests": 2,
            "active": 0,
            "completed": 1,
            "median_days": 10.0,
            "invitations": 1,
            "responses": 1,
            "response_rate": 100,
        },
        "total": {
            "families": 5,
            "bookings": 5,
            "attended": 2,
            "no_show": 1,
            "cancelled": 1,
            "requests": 3,
            "active": 1,
            "completed": 1,
            "median_days": 6.5,
            "invitations": 3,
            "responses": 3,
            "response_rate": 67,
        },
    }


def test_participation_by_month_and_by_language(app, city):
    whole_autumn = reports.Period(date(2026, 10, 1), date(2026, 11, 30))
    with app.app_context():
        by_month = values(reports.participation(whole_autumn, "month", BERLIN))
        by_language = values(reports.participation(NOVEMBER, "language", BERLIN))
    assert by_month["2026-10"]["bookings"] == 1 and by_month["2026-10"]["responses"] == 1
    assert by_month["2026-11"]["bookings"] == 5 and by_month["total"]["families"] == 6
    # Bookings count in the language of the booking; requests in the family's language.
    assert by_language["tr"]["requests"] == 1 and by_language["ar"]["requests"] == 2
    assert by_language["de"]["bookings"] == 5


def test_survey_means_come_with_their_counts(app, city):
    with app.app_context():
        table = reports.survey_results(NOVEMBER, "district")
    ost = next(r for r in table.rows if r.key == "ost")
    assert (ost.values["responses"], ost.values["satisfaction"], ost.values["satisfaction_n"]) == (2, 4.5, 2)
    assert ost.values["recommend"] is None and ost.values["recommend_n"] == 0
    assert (table.total.values["satisfaction"], table.total.values["satisfaction_n"]) == (4.0, 3)
    assert (table.total.values["recommend"], table.total.values["recommend_n"]) == (5.0, 1)


def test_the_number_of_queries_does_not_grow_with_the_data(app, city, count_queries):
    def both_reports() -> int:
        with count_queries() as queries:
            reports.participation(NOVEMBER, "district", BERLIN)
            reports.survey_results(NOVEMBER, "district")
        return queries.count

    with app.app_context():
        before = both_reports()
        slot = db.session.scalars(db.select(Slot)).first()
        db.session.add_all(
            booking(slot.id, 100 + n, f"z{n}", f"d{n % 7}", BookingStatus.ATTENDED, at(9)) for n in range(60)
        )
        db.session.commit()
        assert both_reports() == before <= 9  # seven for participation, two for the survey


def row(key: str, **values) -> reports.Row:
    return reports.Row(key, dict(values))


def test_small_cells_are_hidden_and_one_more_where_a_total_would_give_one_away():
    table = reports.Table(
        ("families", "bookings"),
        [
            row("a", families=12, bookings=3),
            row("b", families=7, bookings=9),
            row("c", families=20, bookings=15),
        ],
        row("total", families=39, bookings=27),
    )
    reports.suppress(table, threshold=3)  # never below 5
    assert [r.hidden for r in table.rows] == [{"bookings"}, {"bookings"}, set()]  # b hides a: 27 - 15 = 12
    assert table.total.hidden == set()
    assert reports.shown(table.rows[2], "bookings") == 15 and reports.shown(table.rows[0], "bookings") is None


def test_no_second_cell_is_hidden_when_two_are_small_already_and_small_totals_are_hidden():
    table = reports.Table(
        ("bookings",),
        [row("a", bookings=1), row("b", bookings=4), row("c", bookings=30)],
        row("total", bookings=35),
    )
    reports.suppress(table, threshold=5)
    assert [r.hidden for r in table.rows] == [{"bookings"}, {"bookings"}, set()]
    tiny = reports.Table(
        ("bookings",), [row("a", bookings=2), row("b", bookings=1)], row("total", bookings=3)
    )
    reports.suppress(tiny, threshold=5)
    assert tiny.total.hidden == {"bookings"} and all(r.hidden == {"bookings"} for r in tiny.rows)


def test_derived_figures_hide_with_the_counts_they_come_from():
    table = reports.Table(
        ("invitations", "responses", "response_rate", "median_days"),
        [
            row("a", invitations=4, responses=2, response_rate=50, median_days=3.0, _answered=2, _matched=2),
            row(
                "b",
                invitations=40,
                responses=30,
                response_rate=75,
                median_days=9.0,
                _answered=30,
                _matched=12,
            ),
        ],
        row(
            "total",
            invitations=44,
            responses=32,
            response_rate=73,
            median_days=8.0,
            _answered=32,
            _matched=14,
        ),
    )
    reports.suppress(table, threshold=5)
    assert {"response_rate", "median_days"} <= table.rows[0].hidden
    assert "response_rate" not in table.total.hidden
