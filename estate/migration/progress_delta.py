"""Keeping the progress aggregates by the delta of the servers a user's write touched.

A write (a plan change, a decommission review) moves a few servers, and recounting the whole
estate for it (estate.migration.progress.rebuild) takes most of a second at 50,000 servers.
`Touched.capture` reads the touched servers' counted columns and application links before the
write; `Touched.apply`, once their statuses are re-derived, reads them again and changes only
the kept rows of the groups they count in:

- servers per group and status are a sum over servers: each moves by the touched servers' new
  contribution minus their old;
- applications per group (and those all migrated there) are a sum over applications, each
  judged on all its servers in the group: every application linked to a touched server (before
  or after) is judged twice, on its untouched servers (read once, the same before and after)
  with the touched servers' old rows, then with their new ones, and moves by the difference;
- today's snapshot, where the refresh that left the counts so was today's (every refresh
  snapshots the counts it leaves), moves as the counts do; else it is taken afresh.

So the kept rows are exactly what a rebuild would write. The delta is of the aggregates as they
stood at the capture: if another transaction changed them since (their version moved), the
write recounts in full instead.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from estate.db.bulk import chunked
from estate.migration.progress import (
    AGGREGATE,
    APPS,
    COUNTS,
    LINKS,
    SERVERS,
    SNAPSHOT_DIMENSIONS,
    SNAPSHOTS,
    STATE,
    AppCounts,
    Counts,
    combo,
    judge,
    rebuild,
    snapshot,
    tally,
)

# A touched server as it counts: (id, status, wave, strategy, site).
Counted = tuple[Any, ...]
# Past this many servers a write recounts in full: as quick by then, and its IN lists of
# servers stay within both drivers' limits.
MOST = 5000


@dataclass(frozen=True)
class Snapshot:
    """The touched servers' counted columns and their application links, at one moment."""

    servers: list[Counted]
    links: list[tuple[int, int]]

    @classmethod
    def read(cls, session: Session, server_ids: Collection[int]) -> Snapshot:
        """One query: each server's row once per link (once with none where it has none)."""
        servers: dict[int, Counted] = {}
        links: list[tuple[int, int]] = []
        joined = SERVERS.outerjoin(LINKS, LINKS.c.server_id == SERVERS.c.id)
        for chunk in chunked(sorted(server_ids)):
            query = (
                select(SERVERS.c.id, *combo(SERVERS), LINKS.c.application_id)
                .select_from(joined)
                .where(SERVERS.c.id.in_(chunk))
            )
            for *counted, app_id in session.execute(query):
                servers[counted[0]] = tuple(counted)
                if app_id is not None:
                    links.append((counted[0], app_id))
        return cls(sorted(servers.values()), sorted(links))

    def rows(self) -> tuple[list[Counted], list[Counted]]:
        """As `progress.tally` reads them: each server once, then once per link."""
        by_id = {row[0]: row[1:] for row in self.servers}
        combos = [(*counted, 1) for counted in by_id.values()]
        linked = [(app, *by_id[s], 1) for s, app in self.links if s in by_id]
        return combos, linked

    def applications(self) -> set[int]:
        return {app for _, app in self.links}


@dataclass(frozen=True)
class Touched:
    """The servers a write is about to touch, as they counted before it."""

    server_ids: frozenset[int]
    version: str | None
    before: Snapshot
    # The day of the refresh that left the aggregates so: its snapshot is of these counts.
    refreshed_on: date | None

    @classmethod
    def capture(cls, session: Session, server_ids: Iterable[int]) -> Touched:
        """Call before the write changes the servers' links (their counted columns change only
        when their statuses are re-derived). The version is read first, so any change to the
        servers committed after it moves the version too."""
        ids = frozenset(server_ids)
        if len(ids) > MOST:
            return cls(ids, None, Snapshot([], []), None)
        query = select(STATE.c.version, STATE.c.refreshed_at).where(STATE.c.name == AGGREGATE)
        found = session.execute(query).first()
        version, day = (found[0], found[1].date()) if found else (None, None)
        return cls(ids, version, Snapshot.read(session, ids), day)

    def apply(self, session: Session, now: datetime) -> list[tuple[str, str]] | None:
        """Move the kept aggregates by what the write changed (a rebuild if they moved since
        the capture), taking the aggregates' lock first as a rebuild does, and today's snapshot
        with them. Returns each touched server's status before and after (None after a
        rebuild)."""
        if self.version is None or not _bump_from(session, self.version, now):
            rebuild(session, now)
            snapshot(session, now.date())
            return None
        after = Snapshot.read(session, self.server_ids)
        old_combos, old_linked = self.before.rows()
        new_combos, new_linked = after.rows()
        counts = tally(new_combos, new_linked)[0]
        counts.subtract(tally(old_combos, old_linked)[0])
        shared = self._untouched_links(session, self.before.applications() | after.applications())
        old_apps = judge(tally((), [*shared, *old_linked])[1])
        new_apps = judge(tally((), [*shared, *new_linked])[1])
        _move_counts(session, COUNTS, counts)
        _move_applications(session, old_apps, new_apps)
        if self.refreshed_on == now.date():  # today's snapshot is of the counts just moved
            kept = Counter({g: n for g, n in counts.items() if g[0] in SNAPSHOT_DIMENSIONS})
            _move_counts(session, SNAPSHOTS, kept, now.date())
        else:
            snapshot(session, now.date())
        statuses = {row[0]: row[1] for row in self.before.servers}
        return [(statuses[row[0]], row[1]) for row in after.servers if row[0] in statuses]

    def _untouched_links(self, session: Session, app_ids: set[int]) -> list[Sequence[Any]]:
        """The applications' links to servers the write did not touch, grouped as
        `progress.tally` reads them."""
        counted = combo(SERVERS)
        rows: list[Sequence[Any]] = []
        for chunk in chunked(sorted(app_ids)):
            query = (
                select(LINKS.c.application_id, *counted, func.count())
                .select_from(LINKS.join(SERVERS, SERVERS.c.id == LINKS.c.server_id))
                .where(LINKS.c.application_id.in_(chunk))
                .group_by(LINKS.c.application_id, *counted)
            )
            if self.server_ids:
                query = query.where(LINKS.c.server_id.not_in(sorted(self.server_ids)))
            rows += list(session.execute(query))
        return rows


def _bump_from(session: Session, version: str, now: datetime) -> bool:
    """A new version for the kept aggregates if they are still at `version`. The UPDATE locks
    the row until commit, as a rebuild's does (PostgreSQL; SQLite has one writer), and waits
    for a transaction that holds it, then sees the version that one left."""
    stmt = (
        update(STATE)
        .where(STATE.c.name == AGGREGATE, STATE.c.version == version)
        .values(version=uuid.uuid4().hex, refreshed_at=now)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def _in_groups(table: Any, groups: Collection[tuple[str, str | None]]) -> Any:
    """Rows of these groups, or a few more (filtered by the caller): one IN per column keeps
    the statement flat however many groups a bulk write touches."""
    keys = sorted({k for _, k in groups if k is not None})
    dimensions = sorted({d for d, _ in groups})
    by_key = [table.c.key.is_(None)] if any(k is None for _, k in groups) else []
    if keys:
        by_key.append(table.c.key.in_(keys))
    return and_(table.c.dimension.in_(dimensions), or_(*by_key))


def _move_counts(session: Session, table: Any, delta: Counts, day: date | None = None) -> None:
    """Servers per group and status moved: the counts now, or a day's snapshot of them."""
    moved = {group: n for group, n in delta.items() if n}
    if not moved:
        return
    columns = (table.c.id, table.c.dimension, table.c.key, table.c.status, table.c.servers)
    where = _in_groups(table, {(d, k) for d, k, _ in moved})
    if day is not None:
        where = and_(where, table.c.day == day)
    rows = session.execute(select(*columns).where(where))
    kept = {(d, k, str(s)): (i, n) for i, d, k, s, n in rows}
    on = {} if day is None else {"day": day}
    changed: list[dict[str, Any]] = []
    gone: list[int] = []
    added: list[dict[str, Any]] = []
    for (dimension, key, status), n in sorted(moved.items(), key=repr):
        row_id, servers = kept.get((dimension, key, str(status)), (None, 0))
        total = servers + n
        if row_id is not None and total:
            changed.append({"_id": row_id, "servers": total})
        elif row_id is not None:
            gone.append(row_id)
        else:
            added.append({"dimension": dimension, "key": key, "status": status,
                          "servers": total, **on})  # fmt: skip
    _write(session, table, changed, gone, added, ("servers",))


def _move_applications(session: Session, old: AppCounts, new: AppCounts) -> None:
    moved: dict[tuple[str, str | None], tuple[int, int]] = {}
    for group in set(old) | set(new):
        before, after = old.get(group, [0, 0]), new.get(group, [0, 0])
        if before != after:
            moved[group] = (after[0] - before[0], after[1] - before[1])
    if not moved:
        return
    columns = (APPS.c.id, APPS.c.dimension, APPS.c.key, APPS.c.applications, APPS.c.migrated)
    rows = session.execute(select(*columns).where(_in_groups(APPS, moved)))
    kept = {(d, k): (i, n, m) for i, d, k, n, m in rows}
    changed: list[dict[str, Any]] = []
    gone: list[int] = []
    added: list[dict[str, Any]] = []
    for (dimension, key), (dn, dm) in sorted(moved.items(), key=repr):
        row_id, n, m = kept.get((dimension, key), (None, 0, 0))
        if row_id is not None and n + dn:
            changed.append({"_id": row_id, "applications": n + dn, "migrated": m + dm})
        elif row_id is not None:
            gone.append(row_id)
        else:
            added.append({"dimension": dimension, "key": key, "applications": dn, "migrated": dm})
    _write(session, APPS, changed, gone, added, ("applications", "migrated"))


def _write(
    session: Session,
    table: Any,
    changed: list[dict[str, Any]],
    gone: list[int],
    added: list[dict[str, Any]],
    values: Sequence[str],
) -> None:
    """Rows moved, emptied (deleted: a rebuild keeps no empty group) and new."""
    if changed:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in values})
        )
        session.connection().execute(stmt, changed)
    for chunk in chunked(gone):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
    if added:
        session.execute(insert(table), added)
