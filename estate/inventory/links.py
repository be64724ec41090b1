"""Links between entities that sources name by reference, and the passage from missing to gone.

A VM names its host and a cloud workload names the on-premise server it came from by serial,
FQDN or host name (the references declared beside each model, estate.models.base.Reference);
the target may arrive in a later run, so unresolved references are retried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from estate.db.bulk import CHUNK, chunked
from estate.history.changelog import ChangeLog
from estate.inventory.reconcile import SPECS, EntitySpec, name_key, serial_key
from estate.models import Server
from estate.models.base import Reference, table_of
from estate.status import EntityStatus, ServerKind

SERVERS: Table = table_of(Server)


def resolve_links(
    session: Session,
    changed: Mapping[str, Collection[int]],
    history: ChangeLog,
    created: Mapping[str, Collection[int]],
) -> None:
    """Point every deferred reference (a model's `references` that keep what was `given`) at
    the server it names; a link set on an entity this run made is part of its creation, not a
    change."""
    for spec in SPECS.values():
        for ref in spec.references.values():
            if ref.given is not None:
                _resolve(session, spec, ref, changed.get(spec.kind, ()), history, created)


def _resolve(
    session: Session,
    spec: EntitySpec,
    ref: Reference,
    changed: Collection[int],
    history: ChangeLog,
    created: Mapping[str, Collection[int]],
) -> None:
    table = spec.table
    given, link = table.c[ref.given or ""], table.c[ref.link]
    pending = select(table.c.id, given, link).where(given.is_not(None) | link.is_not(None))
    rows: list[Any] = []
    for chunk in chunked(sorted(changed)):
        rows += session.execute(pending.where(table.c.id.in_(chunk))).all()
    rows += session.execute(pending.where(given.is_not(None), link.is_(None))).all()
    targets = _targets(session, {r[1] for r in rows if r[1]}, ref.physical_only)
    updates = []
    for entity_id, reference, current in {r[0]: r for r in rows}.values():
        target = targets.get(reference) if reference else None
        # Only a server can point at itself (a host); a workload id is not a server id.
        if target != current and not (table is SERVERS and target == entity_id):
            updates.append({"_id": entity_id, "target": target})
            if entity_id not in created.get(spec.kind, ()):
                history.add(spec.kind, entity_id, ref.field, current, target)
    if updates:
        stmt = (
            update(table).where(table.c.id == bindparam("_id")).values({link: bindparam("target")})
        )
        session.connection().execute(stmt, updates)


def _targets(session: Session, references: set[str], physical_only: bool) -> dict[str, int]:
    """Each reference's server: by serial first, then FQDN, then short host name; of servers
    matched as well, the lowest id. Each reference is resolved on its own, so two that name
    one server two ways (its host name, its FQDN) both find it, whatever order a set keeps."""
    by_serial: dict[str, list[str]] = defaultdict(list)
    by_fqdn: dict[str, list[str]] = defaultdict(list)
    by_name: dict[str, list[str]] = defaultdict(list)
    for reference in sorted(references):
        if skey := serial_key(reference):
            by_serial[skey].append(reference)
        if "." in reference:
            by_fqdn[reference.lower()].append(reference)
        if nkey := name_key(reference):
            by_name[nkey].append(reference)
    best: dict[str, tuple[int, int]] = {}
    columns = (SERVERS.c.id, SERVERS.c.serial_key, SERVERS.c.name_key, SERVERS.c.fqdn)
    for serials, names in _key_chunks(sorted(by_serial), sorted(by_name)):
        query = select(*columns).where(
            or_(SERVERS.c.serial_key.in_(serials), SERVERS.c.name_key.in_(names))
        )
        if physical_only:
            query = query.where(SERVERS.c.kind == ServerKind.PHYSICAL)
        for server_id, skey, nkey, fqdn in session.execute(query):
            matched = (
                (0, by_serial.get(skey) if skey else None),
                (1, by_fqdn.get(fqdn.lower()) if fqdn else None),
                (2, by_name.get(nkey) if nkey else None),
            )
            for rank, named in matched:
                for reference in named or ():
                    best[reference] = min(best.get(reference, (rank, server_id)), (rank, server_id))
    return {reference: server_id for reference, (_, server_id) in best.items()}


def _key_chunks(serials: list[str], names: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """The serial and name keys, a chunk of each at a time (IN lists under the drivers' limits)."""
    for start in range(0, max(len(serials), len(names)), CHUNK):
        yield serials[start : start + CHUNK], names[start : start + CHUNK]


def sweep_gone(session: Session, spec: EntitySpec, history: ChangeLog, grace: timedelta) -> None:
    """Entities missing for longer than the grace period are gone (and stay in the table)."""
    table = spec.table
    cutoff = history.at - grace
    query = select(table.c.id).where(
        table.c.status == EntityStatus.MISSING, table.c.missing_since <= cutoff
    )
    ids = [row_id for (row_id,) in session.execute(query)]
    for chunk in chunked(ids):
        session.execute(
            update(table)
            .where(table.c.id.in_(chunk))
            .values(status=EntityStatus.GONE, updated_at=history.at)
        )
        for entity_id in chunk:
            history.add(spec.kind, entity_id, "status", EntityStatus.MISSING, EntityStatus.GONE)
