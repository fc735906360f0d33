"""Releasing pooled answers into the published table, and sealing quarters.

A quarter's pooled answers are released when it is over, or earlier once `SURVEY_BATCH_SIZE`
(never below 5) wait: all in one transaction, in random order, with new random ids. Every row of a
batch shares the transaction, and neither the order nor the ids say who answered first. Each
answer's context is generalised (`kanon.place`) so that every combination stored for the quarter
is shared by at least 5 responses. After a quarter ends, the next run releases what it can of it
and seals it: only sealed quarters are published, and a sealed quarter never changes again.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, select

from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.surveys.kanon import Context, place
from mentoring.surveys.models import (
    ANSWER_COLUMNS,
    InvitationCount,
    PooledAnswer,
    SurveyPeriod,
    SurveyResponse,
)
from mentoring.surveys.periods import is_over
from mentoring.surveys.services import generalisation_steps, group_size

SHUFFLE = random.SystemRandom()


@dataclass
class Released:
    released: int = 0
    sealed: int = 0
    dropped: int = 0  # answers of a quarter that could not join a group of 5 before it was sealed


def batch_size() -> int:
    return max(current_app.config["SURVEY_BATCH_SIZE"], 5)


def context(row: PooledAnswer | SurveyResponse) -> Context:
    return (row.service, row.locale, row.district, row.age_group)


def release_answers(today: date) -> Released:
    """Release and seal what is due (the caller commits, once: one transaction for all)."""
    result = Released()
    sealed = set(db.session.scalars(select(SurveyPeriod.period)))
    periods = sorted(set(db.session.scalars(select(PooledAnswer.period).distinct())))
    for period in periods:
        pooled = list(db.session.scalars(select(PooledAnswer).where(PooledAnswer.period == period)))
        if period in sealed:
            result.dropped += len(pooled)
            delete_pooled(pooled)
            continue
        over = is_over(period, today)
        if len(pooled) >= batch_size() or over:
            result.released += release_batch(period, pooled, final=over)
    for period in unsealed_over(today, sealed):
        db.session.add(SurveyPeriod(period=period, sealed_at=utcnow()))
        result.dropped += len(
            delete_pooled(list(db.session.scalars(select(PooledAnswer).where(PooledAnswer.period == period))))
        )
        result.sealed += 1
    db.session.flush()
    return result


def release_batch(period: str, pooled: list[PooledAnswer], final: bool) -> int:
    """Move the placeable answers of one quarter; the rest wait (or, when final, are dropped)."""
    existing = Counter(
        context(row)
        for row in db.session.scalars(select(SurveyResponse).where(SurveyResponse.period == period))
    )
    contexts = place([context(row) for row in pooled], existing, group_size(), generalisation_steps())
    batch = [(row, stored) for row, stored in zip(pooled, contexts, strict=True) if stored is not None]
    if not batch or (len(batch) < batch_size() and not final):
        return 0
    SHUFFLE.shuffle(batch)
    for row, (service, locale, district, age_group) in batch:
        db.session.add(
            SurveyResponse(
                questionnaire=row.questionnaire,
                period=period,
                service=service,
                locale=locale,
                district=district,
                age_group=age_group,
                comment=row.comment,
                **{name: getattr(row, name) for name in ANSWER_COLUMNS},
            )
        )
    db.session.flush()
    delete_pooled([row for row, _ in batch])
    return len(batch)


def delete_pooled(rows: list[PooledAnswer]) -> list[PooledAnswer]:
    if rows:
        db.session.execute(delete(PooledAnswer).where(PooledAnswer.id.in_([row.id for row in rows])))
        db.session.expire_all()
    return rows


def unsealed_over(today: date, sealed: set[str]) -> list[str]:
    """Quarters that are over, have answers or invitations, and are not sealed yet."""
    known = set(db.session.scalars(select(SurveyResponse.period).distinct()))
    known |= set(db.session.scalars(select(InvitationCount.period).distinct()))
    known |= set(db.session.scalars(select(PooledAnswer.period).distinct()))
    return sorted(p for p in known - sealed if is_over(p, today))
