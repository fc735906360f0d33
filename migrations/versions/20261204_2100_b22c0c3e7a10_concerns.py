"""concerns: "I am worried / I need advice" threads between a mentor parent and the office

Revision ID: b22c0c3e7a10
Revises: d82aa53969f3
Create Date: 2026-12-04 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b22c0c3e7a10'
down_revision = 'd82aa53969f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'concerns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['match_id'], ['mentoring_matches.id'], name=op.f('fk_concerns_match_id_mentoring_matches'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mentor_id'], ['mentor_profiles.id'], name=op.f('fk_concerns_mentor_id_mentor_profiles'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns')),
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concerns_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_match_id'), ['match_id'], unique=False)
        batch_op.create_index('ix_concerns_status_opened', ['status', 'opened_at'], unique=False)
    op.create_table(
        'concern_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('concern_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('is_from_office', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_concern_messages_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_messages_concern_id_concerns'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_messages')),
    )
    with op.batch_alter_table('concern_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_messages_concern_id'), ['concern_id'], unique=False)


def downgrade():
    op.drop_table('concern_messages')
    op.drop_table('concerns')
