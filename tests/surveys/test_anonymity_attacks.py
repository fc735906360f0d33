"""The survey's promise attacked by someone holding the database, its snapshots, its dumps and the
secret key: none of them may learn what a given person answered, or narrow it below 5 people.

The city: eleven parents had a consultation and agreed to the survey, like the outside audit's
reproduction: ten spread over Ost and Osterfeld, German and Turkish, ages 0-1 and 1-3, and the
"victim", the only Turkish-speaking parent of a toddler in Ost. Everyone answers through the real
survey page, with links made the way the outbox makes them when it sends.
"""

import re
import shutil
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import make_url

from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.surveys import release, services
from mentoring.surveys.models import PooledAnswer, SurveyInvitation, SurveyResponse
from tests.conftest import submit
from tests.factories import book_in_db, make_expert, make_slot, survey_token

OTHERS = [
    ("ost", "de", "0-1"),
    ("ost", "de", "1-3"),
    ("ost", "de", "0-1"),
    ("ost", "tr", "0-1"),
    ("ost", "de", "1-3"),
    ("osterfeld", "de", "0-1"),
    ("osterfeld", "tr", "1-3"),
    ("osterfeld", "de", "1-3"),
    ("osterfeld", "tr", "0-1"),
    ("osterfeld", "de", "0-1"),
]
VICTIM = ("ost", "tr", "1-3")
VICTIM_ANSWERS = {
    "satisfaction": "1",
    "language_ok": "2",
    "knows_help": "1",
    "booking_easy": "3",
    "recommend": "1",
}
OTHER_ANSWERS = {
    "satisfaction": "5",
    "language_ok": "5",
    "knows_help": "4",
    "booking_easy": "5",
    "recommend": "5",
}


def city(app) -> list[tuple[int, str]]:
    """(booking id, survey token) of the ten others and, last, the victim."""
    expert = make_expert(app, username="sabine")
    people = []
    for n, (district, locale, age) in enumerate([*OTHERS, VICTIM]):
        slot = make_slot(app, expert, starts_in=timedelta(days=1 + n))
        booking_id, _manage = book_in_db(
            app,
            slot,
            name=f"Parent {n}",
            email=f"p{n}@example.org",
            phone=f"+49176000000{n:02d}",
            locale=locale,
            district=district,
            age_group=age,
            survey_consent=True,
        )
        with app.app_context():
            invitation = services.invite_after_consultation(db.session.get(Booking, booking_id))
            assert invitation is not None
            db.session.commit()
            people.append((booking_id, invitation.id))
    return [(booking_id, survey_token(app, invitation_id)) for booking_id, invitation_id in people]


def answer(app, token: str, answers: dict) -> None:
    parent = app.test_client()
    link = f"/survey/{token}"
    assert submit(parent, link, answers).status_code == 200


def snapshot(app) -> dict[str, set[tuple]]:
    """Every row of every table, as a backup holds it."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(db.engine)
        with db.engine.connect() as connection:
            return {
                name: {tuple(row) for row in connection.execute(table.select())}
                for name, table in metadata.tables.items()
            }


def release_all(app) -> None:
    """The daily job on the first day after the quarter: it releases the quarter and seals it."""
    from mentoring.clock import today
    from mentoring.surveys.periods import bounds, period_of

    with app.app_context():
        result = release.release_answers(bounds(period_of(today()))[1] + timedelta(days=1))
        assert result.sealed == 1
        db.session.commit()


def candidates(connection, service, locale, district, age_group) -> int:
    """The attacker's join: consenting bookers whose context matches a stored context ('*' = any)."""
    return connection.execute(
        text(
            "SELECT COUNT(DISTINCT b.contact_key) FROM bookings b WHERE b.survey_consent "
            "AND (:locale = '*' OR b.locale = :locale) "
            "AND (:district = '*' OR b.district IS NOT DISTINCT FROM :district) "
            "AND (:age = '*' OR b.age_group IS NOT DISTINCT FROM :age) "
            "AND (:service IN ('*', 'consultation'))"
        ),
        {"service": service, "locale": locale, "district": district, "age": age_group},
    ).scalar_one()


def test_a_snapshot_just_before_and_after_one_answer_narrows_it_to_no_fewer_than_five(app):
    people = city(app)
    for _booking, token in people[:-1]:
        answer(app, token, OTHER_ANSWERS)
    before = snapshot(app)
    answer(app, people[-1][1], VICTIM_ANSWERS)
    after = snapshot(app)
    changed = {name: (before[name] - after[name], after[name] - before[name]) for name in after}
    changed = {name: diff for name, diff in changed.items() if diff != (set(), set())}
    # Nothing that existed was touched: the victim's invitation, booking and messages are as they were.
    assert all(not gone for gone, _new in changed.values()), changed
    assert set(changed) == {"survey_pool", "survey_spent_links"}, set(changed)
    (pooled,) = changed["survey_pool"][1]
    with app.app_context():
        row = db.session.get(PooledAnswer, pooled[0])
        assert row is not None and row.satisfaction == 1  # the attacker sees the new answer...
        with db.engine.connect() as connection:  # ...and may pin it on no fewer than five people
            assert candidates(connection, row.service, row.locale, row.district, row.age_group) >= 5
        assert (row.district, row.locale, row.age_group) != VICTIM
    # With the secret key the attacker can recompute what the app derives, but no table holds a link.
    for rows in after.values():
        for values in rows:
            assert not any(isinstance(v, str) and "/survey/" in v for v in values)


def test_joining_the_released_responses_on_every_shared_column_finds_five_people_or_more(app):
    people = city(app)
    for _booking, token in people[:-1]:
        answer(app, token, OTHER_ANSWERS)
    answer(app, people[-1][1], VICTIM_ANSWERS)
    release_all(app)
    with app.app_context(), db.engine.connect() as connection:
        responses = db.session.scalars(select(SurveyResponse)).all()
        assert len(responses) == 11
        contexts = Counter((r.service, r.locale, r.district, r.age_group) for r in responses)
        assert min(contexts.values()) >= 5, contexts  # k-anonymous, k = 5
        for response in responses:
            assert (
                candidates(
                    connection, response.service, response.locale, response.district, response.age_group
                )
                >= 5
            )
        # The audit's join through the invitation: there is no column to join on any more.
        invitation_columns = {c.name for c in SurveyInvitation.__table__.columns}
        response_columns = {c.name for c in SurveyResponse.__table__.columns}
        shared = (invitation_columns & response_columns) - {"id"}
        for column in sorted(shared):
            joined = connection.execute(
                text(
                    f"SELECT COUNT(*) FROM survey_responses r JOIN survey_invitations i ON r.{column} = i.{column} "
                    "WHERE r.satisfaction = 1 AND r.district = 'ost' AND r.locale = 'tr' AND r.age_group = '1-3'"
                )
            ).scalar_one()
            assert joined == 0, column
        assert (
            connection.execute(
                text(
                    "SELECT COUNT(*) FROM survey_responses r JOIN survey_invitations i ON r.id = CAST(i.id AS VARCHAR)"
                )
            ).scalar_one()
            == 0
        )


def test_the_victims_answer_cannot_be_told_from_the_others_it_was_released_with(app):
    """The audit's victim answered (1, 2, 1, 3, 1); every stored row that could be hers is one of
    at least five, and no stored context singles out her district, language and age together."""
    people = city(app)
    for _booking, token in people[:-1]:
        answer(app, token, OTHER_ANSWERS)
    answer(app, people[-1][1], VICTIM_ANSWERS)
    release_all(app)
    with app.app_context():
        rows = db.session.scalars(select(SurveyResponse)).all()
        hers = [r for r in rows if r.satisfaction == 1]
        assert len(hers) == 1
        could_be_hers = [
            r
            for r in rows
            if all(
                value in ("*", victim)
                for value, victim in zip((r.district, r.locale, r.age_group), VICTIM, strict=True)
            )
        ]
        assert len(could_be_hers) >= 5
        assert (hers[0].district, hers[0].locale, hers[0].age_group) != VICTIM


@pytest.mark.postgres_only
def test_xmin_xmax_and_physical_order_pair_no_answer_with_its_invitation(app, tmp_path):
    people = city(app)
    order = [3, 9, 0, 7, 10, 1, 5, 8, 2, 6, 4]  # answering order, the victim (10) among them
    for n in order:
        answers = VICTIM_ANSWERS if n == 10 else {"satisfaction": str(1 + n % 5)}
        answer(app, people[n][1], answers)
    with app.app_context(), db.engine.connect() as connection:
        # The join works: an invitation and its two messages are written together and pair up...
        paired = (
            "SELECT COUNT(*) FROM survey_invitations i JOIN outbox_messages m ON m.xmin::text = i.xmin::text"
        )
        assert connection.execute(text(paired)).scalar_one() == 22
        # ...but neither pairs with anything that knows a person.
        for table in (
            "survey_invitations",
            "survey_links",
            "bookings",
            "outbox_messages",
            "survey_invitation_counts",
        ):
            for answer_table in ("survey_pool", "survey_spent_links"):
                joined = connection.execute(
                    text(
                        f"SELECT COUNT(*) FROM {answer_table} a JOIN {table} t "
                        "ON t.xmin::text = a.xmin::text OR t.xmax::text = a.xmin::text"
                    )
                ).scalar_one()
                assert joined == 0, (answer_table, table)
    release_all(app)
    with app.app_context(), db.engine.connect() as connection:
        for table in ("survey_invitations", "survey_links", "bookings", "outbox_messages"):
            joined = connection.execute(
                text(
                    f"SELECT COUNT(*) FROM survey_responses r JOIN {table} t "
                    "ON t.xmin::text = r.xmin::text OR t.xmax::text = r.xmin::text"
                )
            ).scalar_one()
            assert joined == 0, table
        # All eleven were released in one transaction: they share one xmin, so it says nothing.
        assert (
            connection.execute(text("SELECT COUNT(DISTINCT xmin::text) FROM survey_responses")).scalar_one()
            == 1
        )
        by_ctid = (
            connection.execute(text("SELECT satisfaction FROM survey_responses ORDER BY ctid"))
            .scalars()
            .all()
        )
    answered = [1 if n == 10 else 1 + n % 5 for n in order]
    assert sorted(by_ctid) == sorted(answered)
    assert by_ctid != answered  # 11 rows shuffled: the chance of keeping the order is 1 in 39,916,800
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump is not None, "pg_dump is part of the PostgreSQL client the README installs"
    dump = subprocess.run(  # noqa: S603 (our own fixed arguments)
        [pg_dump, "--data-only", "--table=survey_responses", url.render_as_string(hide_password=False)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    copied = re.search(r"COPY public\.survey_responses \((.*?)\) FROM stdin;\n(.*?)\n\\\.", dump, re.S)
    assert copied is not None
    columns = [c.strip() for c in copied.group(1).split(",")]
    dumped = [int(line.split("\t")[columns.index("satisfaction")]) for line in copied.group(2).splitlines()]
    assert dumped == by_ctid and dumped != answered  # the dump keeps the shuffled order, not the answers'
