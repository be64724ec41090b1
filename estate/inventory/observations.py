"""Observations: each source's view of one thing, encoded and digested, written and looked up
in bulk during a run (estate.inventory.ingest), and read back for the readers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, get_args, get_origin

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.bulk import LOOKUP_CHUNK, among, chunked, dialect_insert, json_text
from estate.inventory.reconcile import SPECS
from estate.inventory.records import Record
from estate.models import Observation
from estate.models.base import table_of
from estate.models.observation import ObservationPublic

OBSERVATIONS = table_of(Observation)
# Record fields kept on the observation row itself, not in its attributes.
NOT_ATTRIBUTES = {"external_id", "scope", "match_only", "readings_unread"}
# The observation columns lookups use, whose statistics PostgreSQL plans them by.
LOOKUP_COLUMNS = ("source", "external_id", "scope", "entity_kind", "entity_id")
# Dict-valued fields (extra, tags, facts) are hashed apart, keys sorted: a source that lists
# the same tags in another order has not changed them.
_SORTED_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _is_dict(annotation: Any) -> bool:
    return any(a is dict or get_origin(a) is dict for a in (annotation, *get_args(annotation)))


@cache
def _dict_fields(record_type: type[Record]) -> tuple[set[str], tuple[str, ...]]:
    """The record type's fields left out of its JSON for the digest, and its dict fields."""
    nested = tuple(n for n, f in record_type.model_fields.items() if _is_dict(f.annotation))
    return _not_attributes(record_type) | set(nested), nested


@cache
def reading_fields(record_type: type[Record]) -> frozenset[str]:
    """The record's fields its entity keeps as readings (estate.models.base.Reading)."""
    spec = SPECS.get(record_type.entity)
    return frozenset(r.field for r in spec.readings.values()) if spec else frozenset()


@cache
def _not_attributes(record_type: type[Record]) -> set[str]:
    return NOT_ATTRIBUTES | reading_fields(record_type)


@dataclass(frozen=True)
class Encoded:
    """A record as its observation keeps it: attributes (JSON text) and their digest, which
    decides most re-scans, and the readings apart (None when it has none)."""

    attributes: str
    digest: str
    readings: dict[str, Any] | None


def encode(record: Record) -> Encoded:
    """The record's attributes as JSON text (pydantic's, a third of the cost of json.dumps of
    its dump) and their digest; readings are left out of both, so a new power draw or sync
    time is no change. Dicts of two keys or more are hashed apart, keys sorted: the same tags
    listed in another order are no change."""
    kind = type(record)
    text = record.model_dump_json(exclude=_not_attributes(kind))
    excluded, nested = _dict_fields(kind)
    dicts = {name: value for name in nested if len(value := getattr(record, name) or ()) > 1}
    if not dicts:
        parts = [record.scope, text]
    else:
        parts = [record.scope, record.model_dump_json(exclude=excluded)]
        parts += [f"{name}={_SORTED_JSON.encode(value)}" for name, value in dicts.items()]
    digest = hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()
    fields = reading_fields(kind)
    readings = record.model_dump(mode="json", include=set(fields)) if fields else None
    return Encoded(text, digest, readings if readings and any(readings.values()) else None)


def keep_unread(encoded: Encoded, record: Record, known: dict[str, Any] | None) -> Encoded:
    """The record's readings, with those it could not read taken from its last observation."""
    kept = {name: known[name] for name in record.readings_unread if known and name in known}
    if not kept:
        return encoded
    readings = {**(encoded.readings or {}), **kept}
    return replace(encoded, readings=readings if any(readings.values()) else None)


@dataclass
class Existing:
    id: int
    digest: str
    entity_id: int | None
    missing: bool
    readings: dict[str, Any] | None


def existing(session: Session, source: str, external_ids: list[str]) -> dict[str, Existing]:
    """What the source's observations of these external ids are now."""
    table = OBSERVATIONS
    found: dict[str, Existing] = {}
    columns = (
        table.c.external_id,
        table.c.id,
        table.c.digest,
        table.c.entity_id,
        table.c.missing_since.is_not(None),
        table.c.readings,
    )
    for chunk in chunked(external_ids, LOOKUP_CHUNK):
        query = select(*columns).where(
            table.c.source == source, among(session, table.c.external_id, chunk)
        )
        for eid, oid, digest, entity_id, missing, readings in session.execute(query).all():
            found[eid] = Existing(oid, digest, entity_id, bool(missing), readings)
    return found


def touch(session: Session, observation_ids: list[int], now: datetime, run_id: int | None) -> None:
    """Unchanged: only the last-seen stamp moves, in one statement per chunk."""
    table = OBSERVATIONS
    for chunk in chunked(observation_ids, LOOKUP_CHUNK):
        session.execute(
            update(table)
            .where(among(session, table.c.id, chunk))
            .values(last_seen=now, last_run_id=run_id, missing_since=None)
        )


def upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write changed observations: their attributes (JSON text), digest, entity and sight."""
    if not rows:
        return
    # The attributes are JSON text: bound under another name, as text, cast where needed.
    rows = [{**row, "attributes_json": row.pop("attributes")} for row in rows]
    stmt: Any = dialect_insert(session, OBSERVATIONS).values(
        attributes=json_text(session, "attributes_json")
    )
    kept = (
        "scope",
        "entity_kind",
        "entity_id",
        "attributes",
        "digest",
        "readings",
        "last_seen",
        "missing_since",
        "last_run_id",
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "external_id"], set_={c: stmt.excluded[c] for c in kept}
    )
    session.connection().execute(stmt, rows)


def write_readings(
    session: Session,
    readings: list[tuple[int, dict[str, Any] | None]],
    now: datetime,
    run_id: int | None,
) -> None:
    """Observations whose source said nothing new but its readings: those, and the sight."""
    if not readings:
        return
    table = OBSERVATIONS
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(readings=bindparam("readings"), last_seen=now, last_run_id=run_id)
        .values(missing_since=None)
    )
    rows = [{"_id": oid, "readings": values} for oid, values in readings]
    session.connection().execute(stmt, rows)


def _in_scope(source: str, scope: str, run_id: int | None) -> tuple[Any, Any]:
    """A scope's present observations, and those of them this run has not seen."""
    table = OBSERVATIONS
    present = and_(
        table.c.source == source, table.c.scope == scope, table.c.missing_since.is_(None)
    )
    unseen = (table.c.last_run_id.is_(None)) | (table.c.last_run_id != run_id)
    return present, unseen


def scope_losses(session: Session, source: str, scope: str, run_id: int | None) -> tuple[int, int]:
    """How many observations the scope holds, and how many this run would mark missing."""
    present, unseen = _in_scope(source, scope, run_id)
    count = select(func.count()).select_from(OBSERVATIONS)
    held = session.execute(count.where(present)).scalar_one()
    lost = session.execute(count.where(present, unseen)).scalar_one()
    return int(held), int(lost)


def mark_missing(
    session: Session, source: str, scope: str, run_id: int | None, now: datetime
) -> list[tuple[str, int | None]]:
    """The scope's observations this run did not see go missing now; returns their entities."""
    present, unseen = _in_scope(source, scope, run_id)
    table = OBSERVATIONS
    stmt = (
        update(table)
        .where(present, unseen)
        .values(missing_since=now)
        .returning(table.c.entity_kind, table.c.entity_id)
    )
    return [(kind, entity_id) for kind, entity_id in session.execute(stmt)]


def observations_of(session: Session, kind: str, entity_id: int) -> list[ObservationPublic]:
    query = select(Observation).where(
        col(Observation.entity_kind) == kind, col(Observation.entity_id) == entity_id
    )
    ordered = query.order_by(col(Observation.source), col(Observation.external_id))
    return [ObservationPublic.model_validate(o) for o in session.execute(ordered).scalars()]
