"""user sessions: a server-side row per login, so sessions can be ended

The session cookie carries a random id; this table keeps its SHA-256, the user, when the session
started and when it was last used (for the idle and absolute limits). No address, no User-Agent:
only a short browser label for the "Your sessions" page. Existing cookies have no row and so end
at the upgrade: everyone logs in once more.

Revision ID: b3f1c8d2a7e4
Revises: e7a2c9d41b58
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import mentoring.db


revision = 'b3f1c8d2a7e4'
down_revision = 'e7a2c9d41b58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=40), nullable=False),
        sa.Column('created_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')),
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
