"""language levels: how well a family speaks each language of its request

Revision ID: 5e1a7c3b9d20
Revises: 20668e3c595c
Create Date: 2026-12-04 20:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3b9d20'
down_revision = '20668e3c595c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentoring_matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_levels', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade():
    with op.batch_alter_table('mentoring_matches', schema=None) as batch_op:
        batch_op.drop_column('language_levels')
