"""profiles made with the account

Experts and mentor parents get their profiles when the account is created (no page creates them on
a first visit any more); accounts made before that get theirs here.

Revision ID: c4f1a9e2b7d3
Revises: 8fe119d4ee0a
Create Date: 2026-12-03 08:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = 'c4f1a9e2b7d3'
down_revision = '8fe119d4ee0a'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    connection.execute(
        sa.text(
            "INSERT INTO expert_profiles (user_id, profession, languages) "
            "SELECT u.id, '', ',' || u.locale || ',' FROM users u "
            "WHERE u.role IN ('expert', 'mentor') "
            "AND NOT EXISTS (SELECT 1 FROM expert_profiles p WHERE p.user_id = u.id)"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO mentor_profiles (user_id, status, languages, districts, age_groups, topics, "
            "contact_modes, capacity, active_count, introduction, availability, shares, status_reason, "
            "created_at) "
            "SELECT u.id, 'applicant', ',' || u.locale || ',', '', '', '', '', 2, 0, '', '', '', '', :now "
            "FROM users u WHERE u.role = 'mentor' "
            "AND NOT EXISTS (SELECT 1 FROM mentor_profiles p WHERE p.user_id = u.id)"
        ),
        {"now": now},
    )


def downgrade():
    pass  # the profiles stay: they hold what experts and mentors entered
