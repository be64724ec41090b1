"""Finding the entities that records or orphaned observations belong to, by identity keys,
in bulk: the I/O around estate.inventory.reconcile's pure matching."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from estate.db.bulk import LOOKUP_CHUNK, among, chunked
from estate.inventory.observations import OBSERVATIONS
from estate.inventory.reconcile import SPECS, EntitySpec, find_match

Index = dict[str, dict[str, int]]
EntityKeys = dict[int, dict[str, str | None]]


def candidates(
    session: Session, spec: EntitySpec, keys: Iterable[Mapping[str, str | None]]
) -> tuple[Index, EntityKeys]:
    """The entities sharing any of these keys: an index by key column and value (the lowest id
    wins a value two entities share), and each entity's own keys."""
    table = spec.table
    wanted: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        for column, value in key.items():
            if value is not None:
                wanted[column].add(value)
    columns = [column for column, _ in spec.keys]
    index: Index = defaultdict(dict)
    entity_keys: EntityKeys = {}
    for column, values in wanted.items():
        for chunk in chunked(sorted(values), LOOKUP_CHUNK):
            query = select(table.c.id, *(table.c[c] for c in columns)).where(
                among(session, table.c[column], chunk)
            )
            for row in session.execute(query.order_by(table.c.id)):
                entity_keys[row[0]] = dict(zip(columns, row[1:], strict=True))
                for c, value in entity_keys[row[0]].items():
                    if value is not None:
                        index[c].setdefault(value, row[0])
    return index, entity_keys


def link_orphans(session: Session, created: Mapping[str, Collection[int]]) -> dict[str, set[int]]:
    """Match-only observations (of any source) whose entity has since appeared: linked now.
    Returns the entities each kind gained an observation for."""
    table = OBSERVATIONS
    linked: dict[str, set[int]] = defaultdict(set)
    for spec in SPECS.values():
        if not created.get(spec.kind):
            continue
        query = select(table.c.id, table.c.external_id, table.c.scope, table.c.attributes).where(
            table.c.entity_kind == spec.kind, table.c.entity_id.is_(None)
        )
        orphans = session.execute(query).all()
        if not orphans:
            continue
        keys = {}
        for oid, eid, scope, attributes in orphans:
            record = spec.record.model_validate({**attributes, "external_id": eid, "scope": scope})
            keys[oid] = spec.key_values({f: getattr(record, f) for f in spec.fields})
        index, entity_keys = candidates(session, spec, keys.values())
        found = [
            {"_id": oid, "entity_id": m}
            for oid, k in keys.items()
            if (m := find_match(spec, k, index, entity_keys)) is not None
        ]
        if found:
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(entity_id=bindparam("entity_id"))
            )
            session.connection().execute(stmt, found)
            linked[spec.kind].update(row["entity_id"] for row in found)
    return linked
