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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
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
    Counts,
    combo,
    current_version,
    judge,
    rebuild,
    snapshot,
    tally,
)

# The kept aggregates' version and refresh time, as columns of another statement.
_STATE_NOW = tuple(
    select(column).where(STATE.c.name == AGGREGATE).scalar_subquery()
    for column in (STATE.c.version, STATE.c.refreshed_at)
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
    def read_at(
        cls, session: Session, server_ids: Collection[int]
    ) -> tuple[Snapshot, tuple[str, datetime] | None]:
        """One query a chunk: each server's row once per link (once with none where it has
        none), beside the aggregates' version and refresh time as the first chunk's statement
        saw them (one statement sees one moment: no committed write falls between them)."""
        servers: dict[int, Counted] = {}
        links: list[tuple[int, int]] = []
        version: tuple[str, datetime] | None = None
        joined = SERVERS.outerjoin(LINKS, LINKS.c.server_id == SERVERS.c.id)
        for n, chunk in enumerate(chunked(sorted(server_ids))):
            query = (
                select(*_STATE_NOW, SERVERS.c.id, *combo(SERVERS), LINKS.c.application_id)
                .select_from(joined)
                .where(SERVERS.c.id.in_(chunk))
            )
            for seen, at, *counted, app_id in session.execute(query):
                if n == 0 and seen is not None:
                    version = (seen, at)
                servers[counted[0]] = tuple(counted)
                if app_id is not None:
                    links.append((counted[0], app_id))
        return cls(sorted(servers.values()), sorted(links)), version

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
        before, found = Snapshot.read_at(session, ids)
        if not before.servers:  # none of them exist: the version on its own
            found = current_version(session)
        version, day = (found[0], found[1].date()) if found else (None, None)
        return cls(ids, version, before, day)

    def apply(
        self, session: Session, now: datetime, after: Snapshot
    ) -> list[tuple[str, str]] | None:
        """Move the kept aggregates by what the write changed, to the servers as they count
        `after` it (as their refresh derived them: a rebuild if the aggregates moved since the
        capture), taking the aggregates' lock first as a rebuild does, and today's snapshot
        with them. Returns each touched server's status before and after (None after a
        rebuild)."""
        if self.version is None or not _bump_from(session, self.version, now):
            rebuild(session, now)
            snapshot(session, now.date())
            return None
        old_combos, old_linked = self.before.rows()
        new_combos, new_linked = after.rows()
        counts = tally(new_combos, new_linked)[0]
        counts.subtract(tally(old_combos, old_linked)[0])
        today = now.date() if self.refreshed_on == now.date() else None
        apps = self._applications_moved(session, after, old_linked, new_linked)
        _move(session, counts, apps, today)
        if today is None:  # today's snapshot is not of the counts just moved: taken afresh
            snapshot(session, now.date())
        statuses = {row[0]: row[1] for row in self.before.servers}
        return [(statuses[row[0]], row[1]) for row in after.servers if row[0] in statuses]

    def _applications_moved(
        self,
        session: Session,
        after: Snapshot,
        old_linked: list[Counted],
        new_linked: list[Counted],
    ) -> dict[tuple[str, str | None], tuple[int, int]]:
        """Each group's applications (all, migrated) moved. Where the touched servers count in
        every application's groups as they did (a status moving within the migrated ones, as
        most decommission reviews do), none moves, and their other servers go unread."""
        if tally((), old_linked)[1] == tally((), new_linked)[1]:
            return {}
        shared = self._untouched_links(session, self.before.applications() | after.applications())
        old = judge(tally((), [*shared, *old_linked])[1])
        new = judge(tally((), [*shared, *new_linked])[1])
        moved = {}
        for group in set(old) | set(new):
            before, now = old.get(group, [0, 0]), new.get(group, [0, 0])
            if before != now:
                moved[group] = (now[0] - before[0], now[1] - before[1])
        return moved

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


# The kept tables a write moves, by the name their rows are read back under: (name, id,
# dimension, key, status, then servers, or applications and those migrated).
_TABLES = {"counts": COUNTS, "snapshots": SNAPSHOTS, "applications": APPS}


def _move(
    session: Session,
    counts: Counts,
    apps: dict[tuple[str, str | None], tuple[int, int]],
    day: date | None,
) -> None:
    """The servers per group and status moved by `counts` (and today's snapshot of them when
    `day`, the day of the refresh that left it so, is today), the applications per group by
    `apps`: the rows of all three read in one statement, then each table written."""
    snapshots = day is not None
    moved: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {
        "counts": {g: (n,) for g, n in counts.items() if n},
        "snapshots": {
            g: (n,) for g, n in counts.items() if n and snapshots and g[0] in SNAPSHOT_DIMENSIONS
        },
        "applications": {g: m for g, m in apps.items() if any(m)},
    }
    reads = [_kept_rows(name, {g[:2] for g in moved[name]}, day) for name in moved if moved[name]]
    if not reads:
        return
    kept: dict[str, dict[tuple[Any, ...], tuple[int, list[int]]]] = {n: {} for n in _TABLES}
    for name, row_id, dimension, key, status, *values in session.execute(union_all(*reads)):
        if name == "applications":
            kept[name][(dimension, key)] = (row_id, values)
        else:
            kept[name][(dimension, key, status)] = (row_id, values[:1])
    for name, groups in moved.items():
        _write_moved(session, name, groups, kept[name], day)


def _kept_rows(name: str, groups: Collection[tuple[str, str | None]], day: date | None) -> Any:
    """One table's rows of these groups, as `_move` reads them back (typed NULLs where a
    table has no such column: PostgreSQL takes an untyped one for text)."""
    table = _TABLES[name]
    where = _in_groups(table, groups)
    if name == "snapshots":
        where = and_(where, table.c.day == day)
    if name == "applications":
        status: Any = cast(null(), String)
        values: tuple[Any, ...] = (table.c.applications, table.c.migrated)
    else:
        status = type_coerce(table.c.status, String)
        values = (table.c.servers, cast(null(), Integer))
    columns = (table.c.id, table.c.dimension, table.c.key, status, *values)
    return select(literal(name), *columns).where(where)


def _write_moved(
    session: Session,
    name: str,
    moved: dict[tuple[Any, ...], tuple[int, ...]],
    kept: dict[tuple[Any, ...], tuple[int, list[int]]],
    day: date | None,
) -> None:
    """One table's rows of the moved groups, each the kept row's counts plus the delta."""
    names = ("applications", "migrated") if name == "applications" else ("servers",)
    on = {"day": day} if name == "snapshots" else {}
    changed: list[dict[str, Any]] = []
    gone: list[int] = []
    added: list[dict[str, Any]] = []
    for group, delta in sorted(moved.items(), key=repr):
        row_id, values = kept.get(_as_kept(group), (None, [0] * len(names)))
        totals = dict(zip(names, (v + d for v, d in zip(values, delta, strict=True)), strict=True))
        if row_id is not None and totals[names[0]]:
            changed.append({"_id": row_id, **totals})
        elif row_id is not None:
            gone.append(row_id)
        else:
            fields = dict(zip(("dimension", "key", "status"), group, strict=False))
            added.append({**fields, **totals, **on})
    _write(session, _TABLES[name], changed, gone, added, names)


def _as_kept(group: tuple[Any, ...]) -> tuple[Any, ...]:
    """A group as the kept rows' read gives it back (statuses as text)."""
    return (*group[:2], str(group[2])) if len(group) == 3 else group


def _write(
    session: Session,
    table: Any,
    changed: list[dict[str, Any]],
    gone: list[int],
    added: list[dict[str, Any]],
    values: Sequence[str],
) -> None:
    """Rows moved, emptied (deleted: a rebuild keeps no empty group) and new."""
    for chunk in chunked(changed):
        # One statement, each row's new counts by its id: a write moves a few rows, and an
        # executemany costs the driver a pipeline of its own (psycopg) for them.
        by_id = {
            name: case({r["_id"]: r[name] for r in chunk}, value=table.c.id) for name in values
        }
        ids = [r["_id"] for r in chunk]
        session.execute(update(table).where(table.c.id.in_(ids)).values(by_id))
    for emptied in chunked(gone):
        session.execute(delete(table).where(table.c.id.in_(emptied)))
    if added:
        session.execute(insert(table), added)
