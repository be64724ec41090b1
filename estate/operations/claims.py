"""Schedule claims: which scheduler runs each slot of a scheduled job, across replicas.

Before a scheduled job runs a slot, its scheduler inserts a claim for (job, slot) with ON
CONFLICT DO NOTHING, and only the one whose insert went in runs it. (The per-source lock alone
would let a second replica run the same slot again just after the first finished.) Each
function takes an Engine and owns its transaction, so a claim is visible to the others at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlmodel import Session, col

from estate.db import session_scope
from estate.db.bulk import dialect_insert
from estate.models import ScheduleClaim
from estate.models.base import table_of, utcnow

CLAIMS = table_of(ScheduleClaim)


def claim_slot(engine: Engine, job: str, slot: datetime, worker: str) -> bool:
    """Insert the claim for (job, slot); True if this call inserted it."""
    with session_scope(engine) as session:
        statement: Any = dialect_insert(session, CLAIMS).values(
            job=job, slot_at=slot, claimed_at=utcnow(), claimed_by=worker
        )
        statement = statement.on_conflict_do_nothing(index_elements=["job", "slot_at"])
        inserted = session.execute(statement.returning(CLAIMS.c.id)).scalar()
    return inserted is not None


def is_claimed(engine: Engine, job: str, slot: datetime) -> bool:
    with Session(engine) as session:
        found = session.execute(
            select(col(ScheduleClaim.id)).where(
                col(ScheduleClaim.job) == job, col(ScheduleClaim.slot_at) == slot
            )
        ).first()
    return found is not None


def prune_claims(engine: Engine, older_than: timedelta) -> int:
    """Forget claims of slots longer ago than `older_than`: past the grace time no scheduler
    looks them up again. Returns how many went."""
    with session_scope(engine) as session:
        result: Any = session.execute(
            delete(ScheduleClaim).where(col(ScheduleClaim.slot_at) < utcnow() - older_than)
        )
    return int(result.rowcount)
