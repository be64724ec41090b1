"""Who changed what: user writes leave change rows with the actor and the request id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from estate.bulk import chunked
from estate.entities import jsonable
from estate.models import Change
from estate.models.base import table_of, utcnow
from estate.models.status import ChangeCause


@dataclass(frozen=True)
class Actor:
    """A user write's author (the token's name) and the request it came in, shared by a bulk
    edit so its rows can be found together."""

    name: str
    request_id: str


def record_changes(
    session: Session,
    actor: Actor,
    entity_kind: str,
    entity_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> int:
    """One change row per field whose value differs; returns how many."""
    now = utcnow()
    rows = [
        {
            "entity_kind": entity_kind,
            "entity_id": entity_id,
            "field": field,
            "old": jsonable(before.get(field)),
            "new": jsonable(value),
            "at": now,
            "cause": ChangeCause.USER,
            "actor": actor.name,
            "request_id": actor.request_id,
        }
        for field, value in after.items()
        if before.get(field) != value
    ]
    if rows:
        session.execute(table_of(Change).insert(), rows)
    return len(rows)


def erase_field_history(
    session: Session, entity_kind: str, entity_ids: Sequence[int], field: str
) -> None:
    """Blank the recorded values of one field (personal data that must be forgotten), keeping
    the fact that it changed and when."""
    table = table_of(Change)
    for chunk in chunked(entity_ids):
        session.execute(
            update(table)
            .where(
                table.c.entity_kind == entity_kind,
                table.c.entity_id.in_(chunk),
                table.c.field == field,
            )
            .values(old=None, new=None)
        )
