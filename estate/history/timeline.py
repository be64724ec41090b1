"""One thing's history as a timeline, newest first and paged: each recorded change of its
fields, and each source's first sight of it and (where it is missing now) when it went
missing. Who holds a device is personal data: without the grant its values are left blank,
as in the list of changes (estate.history.changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Integer, String, literal, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from estate.db.paging import Page, PageQuery, paged
from estate.history.changes import PERSONAL_FIELDS
from estate.models import Change, Observation
from estate.models.base import JSONType, table_of
from estate.status import ChangeCause

CHANGES = table_of(Change)
OBSERVATIONS = table_of(Observation)


class TimelineEntry(BaseModel):
    """A change of a field (`changed`, with its cause), or a source seeing the thing first
    (`appeared`) or no longer (`disappeared`)."""

    at: datetime
    event: Literal["changed", "appeared", "disappeared"]
    field: str | None = None
    old: Any = None
    new: Any = None
    source: str | None = None
    cause: ChangeCause | None = None
    actor: str | None = None
    scan_run_id: int | None = None


def _sightings(kind: str, entity_id: int, event: str, at: Any) -> Any:
    return select(
        at.label("at"),
        literal(event, String).label("event"),
        literal(None, String).label("field"),
        type_coerce(null(), JSONType).label("old"),
        type_coerce(null(), JSONType).label("new"),
        OBSERVATIONS.c.source,
        literal(None, String).label("cause"),
        literal(None, String).label("actor"),
        literal(None, Integer).label("scan_run_id"),
        OBSERVATIONS.c.id.label("ref"),
    ).where(
        OBSERVATIONS.c.entity_kind == kind,
        OBSERVATIONS.c.entity_id == entity_id,
        at.is_not(None),
    )


def timeline(
    session: Session, kind: str, entity_id: int, page: PageQuery, *, personal: bool
) -> Page:
    changes = select(
        CHANGES.c.at,
        literal("changed", String).label("event"),
        CHANGES.c.field,
        CHANGES.c.old,
        CHANGES.c.new,
        literal(None, String).label("source"),
        type_coerce(CHANGES.c.cause, String).label("cause"),
        CHANGES.c.actor,
        CHANGES.c.scan_run_id,
        CHANGES.c.id.label("ref"),
    ).where(CHANGES.c.entity_kind == kind, CHANGES.c.entity_id == entity_id)
    every = union_all(
        changes,
        _sightings(kind, entity_id, "appeared", OBSERVATIONS.c.first_seen),
        _sightings(kind, entity_id, "disappeared", OBSERVATIONS.c.missing_since),
    ).subquery("timeline")
    ordered = select(every).order_by(every.c.at.desc(), every.c.event, every.c.ref.desc())
    found = paged(session, ordered, page, rows=True)
    return found.with_items([_entry(row._mapping, personal) for row in found.items])


def _entry(row: Any, personal: bool) -> TimelineEntry:
    entry = TimelineEntry.model_validate({k: v for k, v in row.items() if k != "ref"})
    if entry.field in PERSONAL_FIELDS and not personal:
        return entry.model_copy(update={"old": None, "new": None})
    return entry
