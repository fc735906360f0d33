from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mentoring.extensions import db


def test_migrations_build_the_schema_the_models_describe(app):
    """The schema was built by `flask db upgrade`; autogenerate must find nothing to add."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {
        "users",
        "invitations",
        "password_reset_tokens",
        "outbox_messages",
        "districts",
        "topics",
    } <= tables
    assert "alembic_version" in tables
