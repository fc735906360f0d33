"""outbox contact reference: find and list a person's messages (deletion, export)

`outbox_messages.contact_ref` is HMAC-SHA256 (key purpose "contact") of the normalised recipient,
written with each new message, so deleting a person's data can cancel and blank every message to
them. Older rows get none here (no key in a migration); they are found by their recipient.
`outbox_messages.user_id` and
`waitlist_entries.user_id` the account concerned where there is one: the data export (Art. 15) lists
by account only, never by a contact (which anyone can type in).

Search terms of the coordinators' account search are no longer kept in the audit log; the ones
kept so far are blanked.

Revision ID: 5b8e1f0c7a3d
Revises: c3a8f1d2e6b7
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e1f0c7a3d'
down_revision = 'c3a8f1d2e6b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_messages_contact_ref', ['contact_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_user_id_users'), 'users', ['user_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_waitlist_entries_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_waitlist_entries_user_id_users'), 'users', ['user_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE audit_entries SET detail = '' WHERE action = 'users_viewed'")


def downgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_waitlist_entries_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_user_id'))
        batch_op.drop_column('user_id')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_user_id'))
        batch_op.drop_column('user_id')
        batch_op.drop_index('ix_outbox_messages_contact_ref')
        batch_op.drop_column('contact_ref')
