"""The coordinators' dashboard with one year of city-scale data, on PostgreSQL.

5,000 families, 20,000 bookings, 1,000 mentoring matches, 8,000 survey responses released for the
last (sealed) quarter, and its invitation counts. Times the two tables for every "show by" choice and the whole page, and counts the
SQL statements, which must not depend on the data size. Run: .venv/bin/python bench/dashboard.py
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.chdir(Path(__file__).resolve().parents[1])

import psycopg  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.common import database_url, fill, fresh_database  # noqa: E402
from mentoring import clock, create_app  # noqa: E402
from mentoring.accounts import services as accounts  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.security import Role  # noqa: E402
from mentoring.surveys import cellkey, periods, reports  # noqa: E402

NAME = "mentoring_bench_dashboard"
QUARTER = periods.previous(periods.period_of(clock.today()))  # sealed: the one the page shows
DISTRICTS = "ARRAY['alstaden-lirich','mitte-styrum','ost','osterfeld','sterkrade-mitte','sterkrade-nord']"
LOCALES = "ARRAY['de','tr','ar','uk','ru','pl','ro','bg','fa','ku','sq','en']"
AGES = "ARRAY['pregnancy','0-1','1-3','3-6','6-10','10+']"


def pick(array: str) -> str:
    return f"({array})[1 + floor(random() * array_length({array}, 1))::int]"


def spread_over_a_year() -> None:
    with psycopg.connect(database_url(NAME, driver=False)) as connection:
        connection.execute("SELECT setseed(0.42)")
        connection.execute(
            "UPDATE bookings SET created_at = now() - random() * interval '365 days',"
            " contact_key = '+49176' || lpad((id % 5000)::text, 8, '0'),"
            f" district = {pick(DISTRICTS)}, locale = {pick(LOCALES)}, age_group = {pick(AGES)},"
            " status = (ARRAY['attended','attended','attended','no_show','cancelled_by_parent','confirmed'])"
            "[1 + floor(random() * 6)::int]"
        )
        connection.execute(
            "INSERT INTO users (username, password_hash, role, display_name, locale, is_active_account,"
            " session_version, created_at, survey_consent)"
            f" SELECT 'family' || n, 'x', 'parent', '', {pick(LOCALES)}, true, 1, now(), true"
            " FROM generate_series(1, 1000) AS n"
        )
        connection.execute(
            "INSERT INTO mentoring_matches (parent_id, status, languages, district, age_group, topics, note,"
            " score, requested_at, expires_at, end_reason, referral_source, parent_shares, trial_asked,"
            " unmatched_reminders, no_contact_reminders)"
            " SELECT id, (ARRAY['active','completed','ended','waiting','expired'])[1 + floor(random() * 5)::int],"
            f" ',de,', {pick(DISTRICTS)}, {pick(AGES)}, '', '', 0, now() - random() * interval '365 days', now(),"
            " '', (ARRAY['kita','midwife','paediatrician','family_centre','school','self','other'])"
            "[1 + floor(random() * 7)::int], '', false, 0, 0 FROM users WHERE role = 'parent'"
        )
        connection.execute(
            "UPDATE mentoring_matches SET answered_at = requested_at + random() * interval '30 days'"
            " WHERE status IN ('active', 'completed', 'ended')"
        )
        connection.execute(
            "INSERT INTO survey_invitation_counts (period, service, locale, district, age_group, sent)"
            " SELECT %s, s, l, d, a, 10 + floor(random() * 40)::int"
            " FROM unnest(ARRAY['consultation','mentoring']) AS s,"
            f" unnest({LOCALES}) AS l, unnest({DISTRICTS}) AS d, unnest({AGES}) AS a",
            (QUARTER,),
        )
        connection.execute(
            "INSERT INTO survey_responses (id, questionnaire, period, service, locale, district, age_group,"
            " satisfaction, language_ok, knows_help, booking_easy, recommend, comment, record_key,"
            " comment_status)"
            " SELECT md5(random()::text), '2026-1', %s,"
            " (ARRAY['consultation','mentoring'])[1 + floor(random() * 2)::int],"
            f" {pick(LOCALES)}, {pick(DISTRICTS)}, {pick(AGES)},"
            " 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int,"
            " 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, '',"
            " floor(random() * 2147483648)::bigint, 'new'"
            " FROM generate_series(1, 8000)",
            (QUARTER,),
        )
        connection.execute("INSERT INTO survey_periods (period, sealed_at) VALUES (%s, now())", (QUARTER,))
        connection.execute("ANALYZE")
        connection.commit()


def main() -> None:
    fresh_database(NAME)
    fill(NAME, experts=100, slots=30_000, bookings=20_000)
    spread_over_a_year()
    app = create_app(
        "development", {"SQLALCHEMY_DATABASE_URI": database_url(NAME), "RATELIMIT_ENABLED": False}
    )
    today = clock.today()
    period = reports.Period.whole_months(today - timedelta(days=365), today)
    secret = cellkey.secret_for(app.config["SECRET_KEY"])
    statements: list[str] = []
    zone = ZoneInfo(app.config["TIMEZONE"])
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        for by in reports.DIMENSIONS:
            timings = []
            for _ in range(5):
                statements.clear()
                start = time.perf_counter()
                reports.suppress(reports.participation(period, by, zone, secret), 5)
                if by in reports.SURVEY_DIMENSIONS:
                    reports.suppress(reports.survey_results(QUARTER, by, secret), 5)
                timings.append(time.perf_counter() - start)
            print(
                f"by {by:<10} median {statistics.median(timings) * 1000:6.0f} ms, {len(statements)} statements"
            )
        accounts.create_user(accounts.NewAccount("benchoffice", "bench-office-2026", "de"), Role.COORDINATOR)
        db.session.commit()
    client = app.test_client()
    login_page = client.get("/login").text
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"username": "benchoffice", "password": "bench-office-2026", "csrf_token": token}
    )
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(
            f"/coordinator/dashboard?date_from={period.first}&date_to={period.last}&by=month"
        )
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    print(
        f"whole page (by month, one year): median {statistics.median(timings) * 1000:.0f} ms, "
        f"{len(response.data) // 1024} KB of HTML before compression"
    )


if __name__ == "__main__":
    main()
