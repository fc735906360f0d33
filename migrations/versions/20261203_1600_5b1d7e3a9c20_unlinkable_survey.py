"""unlinkable survey: random links, spent marks, an answer pool, released k-anonymous responses

Existing data is made unlinkable the same way: open invitations forget what they were sent for
and their context (used and expired ones are only counted), and existing responses are
generalised to quarters and k-anonymous contexts and rewritten in random order with new ids.

Revision ID: 5b1d7e3a9c20
Revises: c4f1a9e2b7d3
Create Date: 2026-12-03 16:00:00

"""
import random
import secrets
from collections import Counter
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa

import mentoring.db
from mentoring.surveys.kanon import ALL, DEFAULT_STEPS, place

revision = '5b1d7e3a9c20'
down_revision = 'c4f1a9e2b7d3'
branch_labels = None
depends_on = None

ANSWERS = ("satisfaction", "language_ok", "knows_help", "booking_easy", "recommend")


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def answer_columns():
    return [sa.Column(name, sa.Integer(), nullable=True) for name in ANSWERS]


def answer_checks(table):
    return [sa.CheckConstraint(f"{name} BETWEEN 1 AND 5", name=op.f(f"ck_{table}_{name}_range")) for name in ANSWERS]


def upgrade():
    connection = op.get_bind()
    now = datetime.now(UTC)
    old_invitations = connection.execute(sa.text(
        "SELECT token_hash, service, locale, district, age_group, email, phone, created_at, expires_at, is_used "
        "FROM survey_invitations")).mappings().all()
    old_responses = connection.execute(sa.text(
        "SELECT questionnaire, service, locale, district, age_group, month, " + ", ".join(ANSWERS) + ", comment "
        "FROM survey_responses")).mappings().all()
    op.drop_table('survey_responses')
    op.drop_table('survey_invitations')

    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('expires_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expired', sa.Boolean(), nullable=False),
    sa.Column('resent', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('source_hash', name=op.f('uq_survey_invitations_source_hash'))
    )
    op.create_table('survey_links',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_links_invitation_id_survey_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_survey_links'))
    )
    op.create_table('survey_spent_links',
    sa.Column('spent_hash', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.PrimaryKeyConstraint('spent_hash', name=op.f('pk_survey_spent_links'))
    )
    op.create_table('survey_invitation_counts',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('age_group', sa.String(length=16), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'service', 'locale', 'district', 'age_group', name=op.f('pk_survey_invitation_counts'))
    )
    op.create_table('survey_pool',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('questionnaire', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=16), nullable=True),
    *answer_columns(),
    sa.Column('comment', sa.Text(), nullable=False),
    *answer_checks('survey_pool'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_pool'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('questionnaire', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=16), nullable=True),
    *answer_columns(),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('record_key', sa.Integer(), nullable=False),
    sa.Column('comment_status', sa.String(length=10), nullable=False),
    sa.Column('comment_theme', sa.String(length=40), nullable=True),
    *answer_checks('survey_responses'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
    op.create_table('survey_periods',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('sealed_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_survey_periods'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_link', sa.String(length=80), nullable=True))

    invitations = sa.table('survey_invitations', *(sa.column(c) for c in (
        'period', 'service', 'locale', 'district', 'age_group', 'email', 'phone', 'expires_at', 'expired', 'resent')))
    links = sa.table('survey_links', sa.column('token_hash'), sa.column('invitation_id'))
    counts: Counter = Counter()
    for row in old_invitations:
        period = quarter(aware(row['created_at']).date())
        counts[(period, row['service'], row['locale'], row['district'] or '', row['age_group'] or '')] += 1
        if row['is_used'] or aware(row['expires_at']) <= now:
            continue  # only counted: nothing of it stays
        inserted = connection.execute(invitations.insert().values(
            period=period, service=None, locale=row['locale'], district=None, age_group=None,
            email=row['email'], phone=row['phone'], expires_at=aware(row['expires_at']), expired=False, resent=False,
        ).returning(sa.literal_column('id'))).scalar_one()
        connection.execute(links.insert().values(token_hash=row['token_hash'], invitation_id=inserted))
    if counts:
        op.bulk_insert(sa.table('survey_invitation_counts', *(sa.column(c) for c in (
            'period', 'service', 'locale', 'district', 'age_group', 'sent'))),
            [dict(zip(('period', 'service', 'locale', 'district', 'age_group'), key), sent=n) for key, n in counts.items()])

    by_period: dict = {}
    for row in old_responses:
        year, month = int(row['month'][:4]), int(row['month'][5:7])
        by_period.setdefault(quarter(date(year, month, 1)), []).append(row)
    released = []
    for period, rows in by_period.items():
        contexts = [(r['service'], r['locale'], r['district'], r['age_group']) for r in rows]
        stored = place(contexts, Counter(), 5, DEFAULT_STEPS)
        for row, context in zip(rows, stored):
            context = context or tuple(ALL for _ in range(4))  # fewer than 5 in the quarter: merged fully
            released.append(dict(
                id=secrets.token_hex(16), questionnaire=row['questionnaire'], period=period,
                service=context[0], locale=context[1], district=context[2], age_group=context[3],
                **{name: row[name] for name in ANSWERS}, comment=row['comment'],
                record_key=secrets.randbelow(2**31), comment_status='new', comment_theme=None,
            ))
    random.SystemRandom().shuffle(released)
    if released:
        op.bulk_insert(sa.table('survey_responses', *(sa.column(c) for c in released[0])), released)
    current = quarter(now.date())
    sealed = sorted({r['period'] for r in released if r['period'] < current})
    if sealed:
        op.bulk_insert(sa.table('survey_periods', sa.column('period'), sa.column('sealed_at', mentoring.db.UTCDateTime(timezone=True))),
                       [{'period': p, 'sealed_at': now} for p in sealed])
    # Reminders of used invitations would point at the answer's moment no more: they went with it.
    connection.execute(sa.text(
        "UPDATE outbox_messages SET status = 'cancelled', body_text = '', body_html = NULL "
        "WHERE status = 'pending' AND cancel_key LIKE 'survey:%'"))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('late_link')
    for table in ('survey_periods', 'survey_responses', 'survey_pool', 'survey_invitation_counts',
                  'survey_spent_links', 'survey_links', 'survey_invitations'):
        op.drop_table(table)
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('source_key', sa.String(length=40), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('created_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', mentoring.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_used', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('source_key', name=op.f('uq_survey_invitations_source_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('questionnaire', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=16), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=False),
    *answer_columns(),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
