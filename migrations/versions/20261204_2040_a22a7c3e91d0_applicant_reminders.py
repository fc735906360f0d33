"""mentor applicants in the coordinators' digest

Each applicant waiting for vetting is named in the coordinators' daily digest on the steps of
APPLICANT_REMINDER_DAYS; the profile remembers how many reminders went out.

Revision ID: a22a7c3e91d0
Revises: 5b8e1f0c7a3d
Create Date: 2026-12-04 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a22a7c3e91d0'
down_revision = '5b8e1f0c7a3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('applicant_reminders', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.drop_column('applicant_reminders')
