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


def test_the_survey_migration_makes_existing_answers_unlinkable(tmp_path):
    """Data written by the old schema: a used and an open invitation, and responses that named
    their month and district. After the upgrade the open link still works, nothing remembers what
    was answered for, and the responses are k-anonymous quarters in a new order with new ids."""
    from datetime import UTC, datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from mentoring import create_app
    from mentoring.surveys import services
    from mentoring.surveys.models import InvitationCount, SurveyInvitation, SurveyLink, SurveyResponse
    from tests.conftest import test_config

    app = create_app("testing", test_config(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="c4f1a9e2b7d3")
        with db.engine.begin() as connection:
            insert = text(
                "INSERT INTO survey_invitations (token_hash, source_key, service, locale, district, "
                "age_group, email, phone, created_at, expires_at, is_used) VALUES "
                "(:hash, :source, 'consultation', 'tr', 'ost', '1-3', :email, NULL, :created, :expires, :used)"
            )
            connection.execute(
                insert,
                {
                    "hash": services.hash_token("open-token"),
                    "source": "booking:1",
                    "email": "ayla@example.org",
                    "created": now,
                    "expires": now + timedelta(days=20),
                    "used": False,
                },
            )
            connection.execute(
                insert,
                {
                    "hash": services.hash_token("used-token"),
                    "source": "booking:2",
                    "email": None,
                    "created": now,
                    "expires": now + timedelta(days=20),
                    "used": True,
                },
            )
            for n in range(7):
                connection.execute(
                    text(
                        "INSERT INTO survey_responses (id, questionnaire, service, locale, district, age_group, "
                        "month, satisfaction, comment) VALUES (:id, '2026-1', 'consultation', :locale, :district, "
                        "'1-3', '2026-11', :score, '')"
                    ),
                    {
                        "id": f"{n:032d}",
                        "locale": "tr" if n == 6 else "de",
                        "district": "ost",
                        "score": 1 + n % 5,
                    },
                )
        upgrade()
        invitations = db.session.scalars(select(SurveyInvitation)).all()
        assert len(invitations) == 1  # the used one is only counted
        (invitation,) = invitations
        assert (invitation.source_hash, invitation.service, invitation.district) == (None, None, None)
        assert db.session.get(SurveyLink, services.hash_token("open-token")) is not None
        assert services.open_invitation("open-token").id == invitation.id
        assert sum(c.sent for c in db.session.scalars(select(InvitationCount))) == 2
        responses = db.session.scalars(select(SurveyResponse)).all()
        assert len(responses) == 7 and {r.period for r in responses} == {"2026-Q4"}
        assert not {r.id for r in responses} & {f"{n:032d}" for n in range(7)}
        contexts = {}
        for r in responses:
            contexts[(r.service, r.locale, r.district, r.age_group)] = (
                contexts.get((r.service, r.locale, r.district, r.age_group), 0) + 1
            )
        assert min(contexts.values()) >= 5, contexts  # the lone Turkish answer merged with the others
        assert sorted(r.satisfaction for r in responses) == sorted(1 + n % 5 for n in range(7))
        db.engine.dispose()
