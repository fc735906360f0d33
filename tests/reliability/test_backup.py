"""Backups: a dump restored into an empty database brings the app back with all bookings.

PostgreSQL with `pg_dump -Fc` and `pg_restore` (the commands the README gives for production)."""

import shutil
import subprocess
import urllib.request

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.factories import book_in_db, make_expert, make_slot
from tests.reliability.conftest import gunicorn, shared_prefix

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
        with psycopg.connect(restored.render_as_string(hide_password=False)) as connection:
            rows = connection.execute("SELECT name, reference FROM bookings").fetchall()
        names = sorted(name for name, _reference in rows)
        assert names == [f"F{n}" for n in range(5)]
        references = {reference for _name, reference in rows}
        # The app, started on the restored copy, opens every parent's private link.
        copy_url = restored.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        with gunicorn(copy_url, tmp_path, shared_prefix(), workers=1) as base:
            shown = set()
            for token in tokens:
                with urllib.request.urlopen(f"{base}/booking/{token}", timeout=30) as page:
                    text = page.read().decode()
                shown |= {reference for reference in references if reference in text}
            assert shown == references  # each link shows its own booking
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{restored.database}" WITH (FORCE)')
