"""sealed outbox links, password-reset requests, manage links that can be cleared

Outbox rows get `template` (what a blanked row still says), `sealed` (the body's links, AES-GCM under
a key derived from SECRET_KEY, so not in the database) and `request` (a row the worker turns into
messages, e.g. a password-reset request). A booking's manage token hash may now be NULL: anonymising
a booking clears it, so its link opens nothing.

Rows written before this revision still hold their links in clear; they are blanked when sent or
cancelled, and the retention purge deletes them after OUTBOX_RETENTION_DAYS.

Revision ID: c3a8f1d2e6b7
Revises: b3f1c8d2a7e4
Create Date: 2026-12-04 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a8f1d2e6b7'
down_revision = 'b3f1c8d2a7e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('sealed', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('request', sa.String(length=40), nullable=True))
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('manage_token_hash', existing_type=sa.String(length=64), nullable=True)
    # Sent and cancelled rows keep only their metadata from now on.
    op.execute(
        "UPDATE outbox_messages SET recipient = '', subject = '', body_text = '', body_html = NULL "
        "WHERE status <> 'pending'"
    )


def downgrade():
    op.execute(
        "UPDATE bookings SET manage_token_hash = 'cleared-' || CAST(id AS VARCHAR(20)) "
        "WHERE manage_token_hash IS NULL"
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('manage_token_hash', existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('request')
        batch_op.drop_column('sealed')
        batch_op.drop_column('template')
