"""Writing entities from their observations: create, merge, status, history. All in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.bulk import LOOKUP_CHUNK, among, chunked, insert_ignore, insert_with_ids
from estate.history.changelog import ChangeLog
from estate.inventory.readings import Point, keep_points
from estate.inventory.reconcile import EntitySpec, Seen, merge
from estate.models import Application, Observation, ServerApplication, Site
from estate.models.base import SITE, table_of
from estate.status import EntityStatus


@dataclass
class Names:
    """Sites and applications by name, created on first sight, cached for the run."""

    sites: dict[str, int] = field(default_factory=dict)
    site_names: dict[int, str] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)

    def load_sites(self, session: Session) -> None:
        for site_id, name in session.execute(select(col(Site.id), col(Site.name))).all():
            assert site_id is not None
            self.sites[name] = site_id
            self.site_names[site_id] = name

    def ensure_sites(self, session: Session, names: Iterable[str | None]) -> None:
        wanted = {n for n in names if n and n not in self.sites}
        if wanted:
            insert_ignore(session, table_of(Site), [{"name": n} for n in sorted(wanted)], ["name"])
            self.load_sites(session)

    def ensure_applications(self, session: Session, names: Iterable[str]) -> None:
        wanted = {n for n in names if n not in self.applications}
        if not wanted:
            return
        rows = [{"name": n} for n in sorted(wanted)]
        insert_ignore(session, table_of(Application), rows, ["name"])
        for chunk in chunked(sorted(wanted)):
            found = session.execute(
                select(col(Application.id), col(Application.name)).where(
                    col(Application.name).in_(chunk)
                )
            ).all()
            self.applications.update({name: int(app_id) for app_id, name in found if app_id})


def column_values(
    spec: EntitySpec,
    merged: Mapping[str, Any],
    names: Names,
    keys: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The entity's stored columns for merged record fields, identity keys included (given
    as `keys` where the caller has them already)."""
    values = {column: merged.get(name) for name, column in spec.stored}
    if SITE.link in values:
        site = values[SITE.link]
        values[SITE.link] = names.sites.get(site) if site else None
    values.update(spec.key_values(merged) if keys is None else keys)
    return values


def create_entities(
    session: Session,
    spec: EntitySpec,
    groups: Sequence[dict[str, Any]],
    names: Names,
    now: datetime,
    keys: Sequence[Mapping[str, str | None] | None] | None = None,
) -> list[int]:
    """Insert one entity per merged group; returns their ids in the same order. `keys`, where
    given, are each group's identity keys (None: work them out)."""
    if not groups:
        return []
    names.ensure_sites(session, (g.get("site") for g in groups))
    known = keys if keys is not None else [None] * len(groups)
    rows = [column_values(spec, m, names, k) for m, k in zip(groups, known, strict=True)]
    if spec.has_lifecycle:
        for row in rows:
            row.update(status=EntityStatus.ACTIVE, created_at=now, updated_at=now)
    ids = insert_with_ids(session, spec.table, rows)
    if "applications" in spec.fields:
        sync_applications(
            session,
            dict(zip(ids, (g.get("applications") for g in groups), strict=True)),
            names,
            None,
        )
    return ids


def load_seen(
    session: Session, spec: EntitySpec, ids: Collection[int]
) -> dict[int, list[tuple[Seen, datetime | None]]]:
    """Every observation of the given entities, parsed back into typed values."""
    table = table_of(Observation)
    columns = [
        table.c.entity_id,
        table.c.source,
        table.c.source_kind,
        table.c.external_id,
        table.c.scope,
        table.c.attributes,
        table.c.readings,
        table.c.missing_since,
    ]
    found: dict[int, list[tuple[Seen, datetime | None]]] = defaultdict(list)
    for chunk in chunked(sorted(ids), LOOKUP_CHUNK):
        query = select(*columns).where(
            table.c.entity_kind == spec.kind, among(session, table.c.entity_id, chunk)
        )
        for (
            entity_id,
            source,
            kind,
            external_id,
            scope,
            attributes,
            readings,
            missing_since,
        ) in session.execute(query):
            record = spec.record.model_validate(
                {**attributes, **(readings or {}), "external_id": external_id, "scope": scope}
            )
            values = {name: getattr(record, name) for name in spec.fields}
            seen = Seen(source, kind, missing_since is not None, values)
            found[entity_id].append((seen, missing_since))
    return found


def lifecycle(
    observed: Sequence[tuple[Seen, datetime | None]], now: datetime, grace: timedelta
) -> tuple[EntityStatus, datetime | None]:
    """Active while any source sees it; missing since the last one stopped; gone after grace."""
    if not observed or any(not seen.missing for seen, _ in observed):
        return EntityStatus.ACTIVE, None
    since = max(ms for _, ms in observed if ms is not None)
    return (EntityStatus.GONE if since <= now - grace else EntityStatus.MISSING), since


def refresh_entities(
    session: Session,
    spec: EntitySpec,
    ids: Collection[int],
    precedence: Mapping[str, Sequence[str]],
    names: Names,
    history: ChangeLog,
    grace: timedelta,
) -> int:
    """Re-merge the given entities from all their observations; write what changed."""
    if not ids:
        return 0
    observed = load_seen(session, spec, ids)
    merged = {eid: merge(spec, (s for s, _ in obs), precedence) for eid, obs in observed.items()}
    names.ensure_sites(session, (m.get("site") for m in merged.values()))
    table = spec.table
    updates: list[dict[str, Any]] = []
    points: list[Point] = []
    for chunk in chunked(sorted(merged), LOOKUP_CHUNK):
        query = select(table).where(among(session, table.c.id, chunk))
        for row in session.execute(query).mappings():
            new = column_values(spec, merged[row["id"]], names)
            if spec.has_lifecycle:
                new["status"], new["missing_since"] = lifecycle(
                    observed[row["id"]], history.at, grace
                )
            diff = {col: value for col, value in new.items() if row[col] != value}
            if not diff:
                continue
            _record_diff(spec, row["id"], row, diff, names, history)
            points += _series_points(spec, row["id"], diff)
            if spec.has_lifecycle:
                # A reading alone does not make the thing updated.
                facts = any(column not in spec.readings for column in diff)
                new["updated_at"] = history.at if facts else row["updated_at"]
            updates.append({**new, "_id": row["id"]})
    keep_points(session, spec.kind, points, history.at.date())
    if updates:
        columns = [c for c in updates[0] if c != "_id"]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns})
        )
        session.connection().execute(stmt, updates)
    if "applications" in spec.fields:
        sync_applications(
            session, {eid: m.get("applications") for eid, m in merged.items()}, names, history
        )
    return len(updates)


_KEY_COLUMNS = {
    "instance_uuid_key",
    "serial_key",
    "bios_uuid_key",
    "name_key",
    "asset_tag_key",
}


def _record_diff(
    spec: EntitySpec,
    entity_id: int,
    row: Any,
    diff: Mapping[str, Any],
    names: Names,
    history: ChangeLog,
) -> None:
    for column, value in diff.items():
        if column in _KEY_COLUMNS:
            continue  # derived from fields whose own change is recorded
        if column in spec.readings:
            continue  # a reading moving is not a change of the thing
        if column == SITE.link:
            history.add(
                spec.kind,
                entity_id,
                SITE.field,
                names.site_names.get(row[column]),
                names.site_names.get(value),
            )
        else:
            history.add(spec.kind, entity_id, column, row[column], value)


def _series_points(spec: EntitySpec, entity_id: int, diff: Mapping[str, Any]) -> list[Point]:
    """The new values of the readings kept as a daily history."""
    return [
        Point(entity_id, column, float(value))
        for column, value in diff.items()
        if value is not None and (reading := spec.readings.get(column)) and reading.series
    ]


def sync_applications(
    session: Session,
    wanted: Mapping[int, Sequence[str] | None],
    names: Names,
    history: ChangeLog | None,
) -> None:
    """Make each server's scanned application links what its sources now say. A link a user
    made stays (and a source naming it too adds nothing); the change row records the server's
    whole set of applications before and after, as a user's write does, so a server's
    applications as at a day are that set (estate.inventory.as_at)."""
    table = table_of(ServerApplication)
    scanned: dict[int, set[str]] = defaultdict(set)
    linked: dict[int, set[str]] = defaultdict(set)
    if history is not None:
        for chunk in chunked(sorted(wanted)):
            query = (
                select(
                    table.c.server_id, table.c.origin, col(Application.id), col(Application.name)
                )
                .join(Application, col(Application.id) == table.c.application_id)
                .where(table.c.server_id.in_(chunk))
            )
            for server_id, origin, app_id, name in session.execute(query):
                linked[server_id].add(name)
                if origin == "scan":
                    scanned[server_id].add(name)
                names.applications[name] = app_id
    names.ensure_applications(session, {a for apps in wanted.values() for a in apps or ()})
    removals, additions = [], []
    for server_id, apps in wanted.items():
        new, old, whole = set(apps or ()), scanned[server_id], linked[server_id]
        removals += [
            {"s": server_id, "a": names.applications[n]}
            for n in old - new
            if n in names.applications
        ]
        additions += [
            {"server_id": server_id, "application_id": names.applications[n], "origin": "scan"}
            for n in new - whole
        ]
        after = (whole - old) | new
        if history is not None and after != whole:
            history.add("server", server_id, "applications", sorted(whole), sorted(after))
    if removals:
        session.connection().execute(
            table.delete().where(
                table.c.server_id == bindparam("s"),
                table.c.application_id == bindparam("a"),
                table.c.origin == "scan",
            ),
            removals,
        )
    if additions:
        insert_ignore(session, table, additions, ["server_id", "application_id"])
