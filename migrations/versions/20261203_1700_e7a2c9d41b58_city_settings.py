"""city settings: referral sources and the office's contact

Coordinators edit the office's contact and the referral sources at /coordinator/settings. No rows
are written here: the built-in referral sources need no row, and the office's contact comes from
the municipality's data file (`flask load-reference`) or, until then, `IMPRINT_ADDRESS`.

Revision ID: e7a2c9d41b58
Revises: 424022a49c33
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a2c9d41b58'
down_revision = '424022a49c33'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'referral_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('names', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_sources')),
        sa.UniqueConstraint('key', name=op.f('uq_referral_sources_key')),
    )
    op.create_table(
        'office_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_name', sa.String(length=120), nullable=False),
        sa.Column('street', sa.String(length=120), nullable=False),
        sa.Column('postcode_city', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('hours', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_office_contact')),
    )


def downgrade():
    op.drop_table('office_contact')
    op.drop_table('referral_sources')
