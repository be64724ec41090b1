"""Links between entities that sources name by reference, and the passage from missing to gone.

A VM names its host and a cloud workload names the on-premise server it came from by serial,
FQDN or host name; the target may arrive in a later run, so unresolved references are retried.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from estate.bulk import chunked
from estate.entities import History
from estate.models import Server, Workload
from estate.models.base import table_of
from estate.models.status import EntityStatus, ServerKind
from estate.reconcile import EntitySpec, name_key, serial_key

SERVERS: Table = table_of(Server)
WORKLOADS: Table = table_of(Workload)

# (table, entity kind, reference column, link column, field name in history, physical only)
_LINKS = (
    (SERVERS, "server", "host_ref", "host_id", "host", True),
    (
        WORKLOADS,
        "workload",
        "source_server_ref",
        "migrated_from_server_id",
        "migrated_from_server",
        False,
    ),
)


def resolve_links(
    session: Session,
    changed: Mapping[str, Collection[int]],
    history: History,
    created: Mapping[str, Collection[int]],
) -> None:
    """Point references at their targets; a link set on an entity this run made is part of
    its creation, not a change."""
    for table, kind, ref, link, name, physical in _LINKS:
        ids = changed.get(kind, ())
        pending = select(table.c.id, table.c[ref], table.c[link]).where(
            table.c[ref].is_not(None) | table.c[link].is_not(None)
        )
        rows: list[Any] = []
        for chunk in chunked(sorted(ids)):
            rows += session.execute(pending.where(table.c.id.in_(chunk))).all()
        rows += session.execute(
            pending.where(table.c[ref].is_not(None), table.c[link].is_(None))
        ).all()
        targets = _targets(session, {r[1] for r in rows if r[1]}, physical)
        updates = []
        for entity_id, reference, current in {r[0]: r for r in rows}.values():
            target = targets.get(reference) if reference else None
            # Only a server can point at itself (a host); a workload id is not a server id.
            if target != current and not (table is SERVERS and target == entity_id):
                updates.append({"_id": entity_id, "target": target})
                if entity_id not in created.get(kind, ()):
                    history.add(kind, entity_id, name, current, target)
        if updates:
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({link: bindparam("target")})
            )
            session.connection().execute(stmt, updates)


def _targets(session: Session, references: set[str], physical_only: bool) -> dict[str, int]:
    """Each reference's server: by serial first, then FQDN, then short host name."""
    by_serial = {serial_key(r): r for r in references}
    by_name = {name_key(r): r for r in references}
    by_fqdn = {r.lower(): r for r in references if "." in r}
    found: dict[str, tuple[int, int]] = {}
    columns = (SERVERS.c.id, SERVERS.c.serial_key, SERVERS.c.name_key, SERVERS.c.fqdn)
    for chunk in chunked(sorted(references)):
        serials = [k for r in chunk if (k := serial_key(r))]
        names = [k for r in chunk if (k := name_key(r))]
        query = select(*columns).where(
            or_(SERVERS.c.serial_key.in_(serials), SERVERS.c.name_key.in_(names))
        )
        if physical_only:
            query = query.where(SERVERS.c.kind == ServerKind.PHYSICAL)
        for server_id, skey, nkey, fqdn in session.execute(query.order_by(SERVERS.c.id)):
            for rank, reference in (
                (0, by_serial.get(skey)),
                (1, by_fqdn.get((fqdn or "").lower())),
                (2, by_name.get(nkey)),
            ):
                if reference is not None and (reference not in found or found[reference][0] > rank):
                    found[reference] = (rank, server_id)
    return {reference: server_id for reference, (_, server_id) in found.items()}


def sweep_gone(session: Session, spec: EntitySpec, history: History, grace: timedelta) -> None:
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
