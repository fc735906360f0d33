"""The indicator on a small hand-made data set whose answers were worked out by hand, the noise of
the cell-key method, and suppression."""

from datetime import date
from zoneinfo import ZoneInfo

from mentoring.consultations.models import BookingStatus, Slot
from mentoring.extensions import db
from mentoring.surveys import cellkey, reports
from tests.surveys.conftest import SEALED, at, booking

BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = reports.Period(date(2026, 11, 1), date(2026, 11, 30))
SECRET = cellkey.secret_for("testing-secret")


def exact(table: reports.Table) -> dict[str, dict]:
    rows = {row.key: {c: row.exact[c] for c in table.columns} for row in table.rows}
    rows["total"] = {c: table.total.exact[c] for c in table.columns}
    return rows


def test_participation_by_district_matches_the_hand_count(app, city):
    with app.app_context():
        table = reports.participation(NOVEMBER, "district", BERLIN, SECRET)
    assert exact(table) == {
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
        },
    }


def test_participation_by_month_and_by_language(app, city):
    whole_autumn = reports.Period(date(2026, 10, 1), date(2026, 11, 30))
    with app.app_context():
        by_month = exact(reports.participation(whole_autumn, "month", BERLIN, SECRET))
        by_language = exact(reports.participation(NOVEMBER, "language", BERLIN, SECRET))
    assert by_month["2026-10"]["bookings"] == 1 and by_month["2026-11"]["bookings"] == 5
    assert by_month["total"]["families"] == 6
    # Bookings count in the language of the booking; requests in the family's language.
    assert by_language["tr"]["requests"] == 1 and by_language["ar"]["requests"] == 2
    assert by_language["de"]["bookings"] == 5


def test_the_period_is_widened_to_whole_months():
    period = reports.Period.whole_months(date(2026, 11, 17), date(2027, 2, 3))
    assert (period.first, period.last) == (date(2026, 11, 1), date(2027, 2, 28))
    assert reports.Period.whole_months(date(2099, 12, 5), date(2099, 12, 31)).last == date(2099, 12, 31)


def test_survey_results_of_the_sealed_quarter_only(app, city):
    """Ost: 6 answers (mean 26/6), Osterfeld 5 (mean 3), merged 5 (mean 4); the 5 answers of the
    running quarter are not counted; invitations 10 + 8 + 4 + 3 of the quarter."""
    with app.app_context():
        table = reports.survey_results(SEALED, "district", SECRET)
        assert reports.sealed_quarters() == [SEALED]
    rows = exact(table)
    assert set(rows) == {"ost", "osterfeld", reports.MERGED, "sterkrade-mitte", reports.UNKNOWN, "total"}
    assert (rows["ost"]["responses"], rows["ost"]["satisfaction"], rows["ost"]["invitations"]) == (
        6,
        4.33,
        10,
    )
    assert rows["ost"]["response_rate"] == 60 and rows[reports.MERGED]["invitations"] == 0
    assert (rows["total"]["responses"], rows["total"]["invitations"], rows["total"]["response_rate"]) == (
        16,
        25,
        64,
    )
    assert rows["total"]["satisfaction"] == round(61 / 16, 2) and rows["total"]["recommend"] == 4.5
    ost = next(r for r in table.rows if r.key == "ost")
    assert ost.exact["recommend_n"] == 2
    reports.suppress(table, 5)
    assert "recommend" in ost.hidden and "recommend" in table.total.hidden  # two answers only


def test_the_same_records_always_get_the_same_noise_and_the_noise_is_small(app, city):
    with app.app_context():
        first = reports.survey_results(SEALED, "district", SECRET)
        again = reports.survey_results(SEALED, "service", SECRET)
        participation = reports.participation(NOVEMBER, "district", BERLIN, SECRET)
    # The total is the same set of responses in both tables, so it has the same published figures.
    assert first.total.values == again.total.values
    for table in (first, again, participation):
        for row in [*table.rows, table.total]:
            for column in reports.COUNTS:
                if column in row.values:
                    assert abs(row.values[column] - row.exact[column]) <= cellkey.MAX_COUNT_NOISE
            for column in reports.MEANS:
                if row.values.get(column) is not None:
                    assert abs(row.values[column] - row.exact[column]) <= cellkey.MAX_MEAN_NOISE + 0.01


def test_the_number_of_queries_does_not_grow_with_the_data(app, city, count_queries):
    def both_reports() -> int:
        with count_queries() as queries:
            reports.participation(NOVEMBER, "district", BERLIN, SECRET)
            reports.survey_results(SEALED, "district", SECRET)
        return queries.count

    with app.app_context():
        before = both_reports()
        slot = db.session.scalars(db.select(Slot)).first()
        db.session.add_all(
            booking(slot.id, 100 + n, f"z{n}", f"d{n % 7}", BookingStatus.ATTENDED, at(9)) for n in range(60)
        )
        db.session.commit()
        assert both_reports() == before == 4  # bookings and requests; responses and invitations


def row(key: str, **values) -> reports.Row:
    return reports.Row(key, dict(values), dict(values))


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


def test_a_count_is_hidden_when_its_noise_takes_it_under_the_threshold():
    table = reports.Table(
        ("bookings",), [row("a", bookings=6), row("b", bookings=30)], row("total", bookings=36)
    )
    table.rows[0].values["bookings"] = 4  # 6 with a noise of -2
    reports.suppress(table, threshold=5)
    assert "bookings" in table.rows[0].hidden


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


def test_one_more_mean_is_hidden_where_only_one_is_and_the_total_is_shown():
    table = reports.Table(
        ("satisfaction",),
        [
            row("a", satisfaction=4.0, satisfaction_n=3),
            row("b", satisfaction=3.0, satisfaction_n=12),
            row("c", satisfaction=2.5, satisfaction_n=8),
            row("d", satisfaction=None, satisfaction_n=0),
        ],
        row("total", satisfaction=2.9, satisfaction_n=23),
    )
    reports.suppress(table, threshold=5)
    assert [r.key for r in table.rows if "satisfaction" in r.hidden] == ["a", "c", "d"]
    assert "satisfaction" not in table.total.hidden


def test_derived_figures_hide_with_the_counts_they_come_from():
    table = reports.Table(
        ("invitations", "responses", "response_rate", "median_days"),
        [
            row("a", invitations=4, responses=2, response_rate=50, median_days=3.0, _matched=2),
            row("b", invitations=40, responses=30, response_rate=75, median_days=9.0, _matched=12),
        ],
        row("total", invitations=44, responses=32, response_rate=73, median_days=8.0, _matched=14),
    )
    reports.suppress(table, threshold=5)
    assert {"response_rate", "median_days"} <= table.rows[0].hidden
    assert "response_rate" not in table.total.hidden
