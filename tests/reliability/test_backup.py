"""Backups: a dump restored into an empty database brings the app back with all bookings.

PostgreSQL with `pg_dump -Fc` and `pg_restore` (the commands the README gives for production)."""

import shutil
import subprocess

import psycopg
import pytest
from sqlalchemy.engine import make_url

from mentoring import create_app
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from tests.factories import book_in_db, make_expert, make_slot

pytestmark = pytest.mark.postgres_only


def run(*args: str) -> None:
    subprocess.run([shutil.which(args[0]) or args[0], *args[1:]], check=True, timeout=120)  # noqa: S603


def test_a_dump_restored_into_an_empty_database_brings_every_booking_back(app, database_url, tmp_path):
    slot = make_slot(app, make_expert(app, username="sabine"))
    tokens = [
        book_in_db(
            app,
            slot if n == 0 else make_slot(app, make_expert(app, username=f"e{n}")),
            name=f"F{n}",
            phone=f"+49176000000{n:02d}",
        )[1]
        for n in range(5)
    ]
    source = make_url(database_url).set(drivername="postgresql")
    dump = tmp_path / "backup.dump"
    run("pg_dump", "--format=custom", f"--file={dump}", source.render_as_string(hide_password=False))
    restored = source.set(database=f"{source.database}_restored")
    admin = source.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{restored.database}"')
        connection.execute(f'CREATE DATABASE "{restored.database}"')
    try:
        run(
            "pg_restore",
            "--no-owner",
            f"--dbname={restored.render_as_string(hide_password=False)}",
            str(dump),
        )
        copy = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": restored.set(drivername="postgresql+psycopg").render_as_string(
                    hide_password=False
                ),
                "RATELIMIT_ENABLED": False,
            },
        )
        with copy.app_context():
            assert sorted(b.name for b in db.session.scalars(db.select(Booking))) == [
                f"F{n}" for n in range(5)
            ]
            db.engine.dispose()
        client = copy.test_client()
        for token in tokens:  # every parent's private link works on the restored copy
            assert client.get(f"/booking/{token}").status_code == 200
        with copy.app_context():
            db.engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{restored.database}" WITH (FORCE)')
