"""Readings: values that move on every scan without the thing changing (a server's power draw,
a device's last sync). The entity keeps the latest as a column, with no change row; those
declared `series` (estate.models.base.Reading) also keep a compact daily history here: per
entity, reading and day, the latest value, the lowest, the highest and how often it moved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy.orm import Session

from estate.db.bulk import dialect_insert
from estate.models import ReadingDay
from estate.models.base import table_of

READINGS = table_of(ReadingDay)


class Point(NamedTuple):
    entity_id: int
    name: str
    value: float


def keep_points(session: Session, kind: str, points: Sequence[Point], day: date) -> None:
    """Fold the new values into each entity's day, one statement for the batch."""
    if not points:
        return
    rows = [
        {
            "entity_kind": kind,
            "entity_id": p.entity_id,
            "name": p.name,
            "day": day,
            "value": p.value,
            "low": p.value,
            "high": p.value,
            "samples": 1,
        }
        for p in points
    ]
    stmt: Any = dialect_insert(session, READINGS)
    postgres = session.get_bind().dialect.name == "postgresql"
    lowest, highest = (func.least, func.greatest) if postgres else (func.min, func.max)
    stmt = stmt.on_conflict_do_update(
        index_elements=["entity_kind", "entity_id", "name", "day"],
        set_={
            "value": stmt.excluded.value,
            "low": lowest(READINGS.c.low, stmt.excluded.low),
            "high": highest(READINGS.c.high, stmt.excluded.high),
            "samples": READINGS.c.samples + 1,
        },
    )
    session.connection().execute(stmt, rows)
