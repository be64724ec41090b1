"""Keeping every server's migration status, in bulk, and the aggregates built on it.

`refresh_statuses` evaluates estate.migration.rules.derive for every server (or some) a batch
at a time, loading each batch's facts with one query per related table, and writes only the
rows that changed (one executemany UPDATE per batch) with a change row for each status that
moved. `refresh` does that and then keeps the aggregates (estate.progress, estate.hosting):
recounted in full after a scan, moved by the touched servers' delta after a user's write
(estate.migration.progress_delta). Nothing here commits: the scan run, the request or the
command does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import MigrationSettings
from estate.db.bulk import chunked
from estate.history.changelog import Actor, Cause, ChangeLog
from estate.migration import hosting, progress
from estate.migration.applications import wave_names
from estate.migration.progress_delta import Counted, Snapshot, Touched
from estate.migration.rules import (
    AppPlan,
    Derived,
    Explanation,
    LinkedWorkload,
    Review,
    ServerFacts,
    derive,
    explanation,
)
from estate.models import (
    Application,
    Decommission,
    Server,
    ServerApplication,
    Workload,
)
from estate.models.base import table_of, utcnow
from estate.status import EntityStatus

if TYPE_CHECKING:
    from estate.config import Settings

# --- loading facts in bulk -------------------------------------------------------------------

SERVERS = table_of(Server)
_FACT_COLUMNS = (
    SERVERS.c.id,
    SERVERS.c.strategy_override,
    SERVERS.c.wave_id,
    SERVERS.c.mgn_lifecycle_state,
    SERVERS.c.power_state,
    SERVERS.c.missing_since,
    SERVERS.c.status_override,
    SERVERS.c.status_override_reason,
    SERVERS.c.site_id,
)
_KEPT = (
    "migration_status",
    "migration_status_reason",
    "migration_evidence",
    "effective_strategy",
    "effective_wave_id",
)


DECISIONS = table_of(Decommission)
# A decision's columns as estate.migration.rules.Review takes them, in order.
_REVIEWED = ("decision", "reviewer", "reviewed_at", "note", "removed_on", "disposal_reference")


@dataclass
class Batch:
    rows: list[Row[Any]]


@dataclass
class Derivations:
    """What a refresh of some servers derived for each, with the facts it used: what the kept
    aggregates move to, and what a write answers with (a server's explanation, its
    applications), so none of it is read or derived again."""

    waves: dict[int, str] = field(default_factory=dict)
    seen: dict[int, tuple[ServerFacts, Derived]] = field(default_factory=dict)
    # Each server as the progress counts it once its status is written, and its application
    # links: what the kept aggregates move to (estate.migration.progress_delta), not re-read.
    counted: list[Counted] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)

    def snapshot(self) -> Snapshot:
        return Snapshot(sorted(self.counted), sorted(self.links))

    def explanation(self, server_id: int) -> Explanation | None:
        found = self.seen.get(server_id)
        return None if found is None else explanation(found[1], found[0], self.waves)

    def applications(self) -> dict[int, list[str]]:
        """Each server's applications by name, in name order (as the facts are loaded)."""
        return {i: [a.name for a in facts.applications] for i, (facts, _) in self.seen.items()}


def _batches(session: Session, server_ids: Sequence[int] | None, size: int) -> Iterator[Batch]:
    columns = (*_FACT_COLUMNS, *(SERVERS.c[name] for name in _KEPT))
    if server_ids is not None:
        for chunk in chunked(sorted(set(server_ids)), size):
            yield Batch(list(session.execute(select(*columns).where(SERVERS.c.id.in_(chunk)))))
        return
    last = 0
    while True:
        query = select(*columns).where(SERVERS.c.id > last).order_by(SERVERS.c.id).limit(size)
        rows = list(session.execute(query))
        if not rows:
            return
        yield Batch(rows)
        last = rows[-1].id


def load_facts(
    session: Session, rows: Sequence[Row[Any]], links: list[tuple[int, int]] | None = None
) -> dict[int, ServerFacts]:
    """Each server's facts: one query per related table for the whole batch; each
    application link (server, application) added to `links` if given."""
    ids = [r.id for r in rows]
    apps: dict[int, list[AppPlan]] = defaultdict(list)
    query = (
        select(
            col(ServerApplication.server_id),
            col(Application.name),
            col(Application.strategy),
            col(Application.wave_id),
            col(ServerApplication.application_id),
        )
        .join(Application, col(Application.id) == col(ServerApplication.application_id))
        .where(col(ServerApplication.server_id).in_(ids))
        .order_by(col(Application.name))
    )
    for server_id, name, strategy, wave_id, app_id in session.execute(query):
        apps[server_id].append(AppPlan(name, strategy, wave_id))
        if links is not None:
            links.append((server_id, app_id))
    workloads: dict[int, list[LinkedWorkload]] = defaultdict(list)
    wl = table_of(Workload)
    query = select(
        wl.c.migrated_from_server_id,
        wl.c.name,
        wl.c.resource_id,
        wl.c.state,
        wl.c.launched_at,
        wl.c.created_at,
    ).where(
        wl.c.migrated_from_server_id.in_(ids),
        wl.c.status != EntityStatus.GONE,
        wl.c.ended.is_(False),  # a terminated instance migrated nothing
    )
    for row in session.execute(query):
        workloads[row.migrated_from_server_id].append(
            LinkedWorkload(
                row.name or row.resource_id, row.state, row.launched_at or row.created_at
            )
        )
    # Core rows, not ORM objects: a review written since in this session (estate.migration.
    # decommission writes them so) is read as it now is, not as the identity map kept it.
    decided = select(DECISIONS.c.server_id, *(DECISIONS.c[name] for name in _REVIEWED)).where(
        DECISIONS.c.server_id.in_(ids)
    )
    reviews = {d[0]: Review(*d[1:]) for d in session.execute(decided)}
    return {
        r.id: ServerFacts(
            strategy_override=r.strategy_override,
            wave_id=r.wave_id,
            applications=tuple(apps.get(r.id, ())),
            mgn_lifecycle_state=r.mgn_lifecycle_state,
            workloads=tuple(workloads.get(r.id, ())),
            power_state=r.power_state,
            missing_since=r.missing_since,
            review=reviews.get(r.id),
            status_override=r.status_override,
            status_override_reason=r.status_override_reason,
        )
        for r in rows
    }


# --- keeping statuses ------------------------------------------------------------------------


def kept_values(derived: Derived) -> dict[str, Any]:
    return {
        "migration_status": derived.status,
        "migration_status_reason": derived.reason,
        "migration_evidence": list(derived.evidence),
        "effective_strategy": derived.strategy,
        "effective_wave_id": derived.wave_id,
    }


def refresh_statuses(
    session: Session,
    rules: MigrationSettings,
    *,
    server_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
    run_id: int | None = None,
    log: ChangeLog | None = None,
    derivations: Derivations | None = None,
    pending: Mapping[int, Mapping[str, Any]] | None = None,
) -> int:
    """Derive the status of the given servers (all when None) and write those that changed,
    with a change row for each status that moved (added to `log` where the caller keeps one,
    and written with its rows), keeping each derivation in `derivations` if given. `pending`:
    servers' own columns a write sets (its plan), derived from and written with the derived
    ones, one UPDATE of each such row. Returns how many rows' statuses changed."""
    now = now or utcnow()
    waves = wave_names(session)
    if derivations is not None:
        derivations.waves = waves
    pending = pending or {}
    changed = 0
    for batch in _batches(session, server_ids, rules.batch_size):
        rows = [_planned(r, pending.get(r.id)) for r in batch.rows]
        links = None if derivations is None else derivations.links
        facts = load_facts(session, rows, links)
        updates, planned, history = [], [], []
        for row in rows:
            derived = derive(facts[row.id], rules, now, waves)
            if derivations is not None:
                derivations.seen[row.id] = (facts[row.id], derived)
                derivations.counted.append(_counted(row.id, derived, row.site_id))
            new = kept_values(derived)
            moved = [(n, getattr(row, n), v) for n, v in new.items() if getattr(row, n) != v]
            if pending.get(row.id):
                planned.append((row.id, {**new, **pending[row.id]}))
            elif moved:
                updates.append({"_id": row.id, **new})
            changed += bool(moved)
            # Every kept field, so the server's list row can be rebuilt as at any day; but a
            # new server's first explanation is not a change of it.
            history += [(row.id, *m) for m in moved if m[1] is not None or m[0] not in _TOLD]
        _write(session, updates)
        for server_id, values in planned:
            session.execute(update(SERVERS).where(SERVERS.c.id == server_id).values(values))
        _history(session, history, log or ChangeLog(Cause.of(actor, run_id), now))
    return changed


def _planned(row: Row[Any], plan: Mapping[str, Any] | None) -> Any:
    """A server's row as a write's plan leaves it, before the plan is written (a plan and the
    status derived from it go in one UPDATE: every other index of the row changes once)."""
    return SimpleNamespace(**{**row._mapping, **plan}) if plan else row


def _counted(server_id: int, derived: Derived, site_id: int | None) -> Counted:
    """As progress_delta.Snapshot reads a server (statuses and strategies as text)."""
    strategy = None if derived.strategy is None else str(derived.strategy)
    return (server_id, str(derived.status), derived.wave_id, strategy, site_id)


# What explains a status: None only until a server is first derived.
_TOLD = frozenset({"migration_status_reason", "migration_evidence"})


def _write(session: Session, updates: list[dict[str, Any]]) -> None:
    if updates:
        stmt = (
            update(SERVERS)
            .where(SERVERS.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in _KEPT})
        )
        session.connection().execute(stmt, updates)


def _history(session: Session, moves: list[tuple[int, str, Any, Any]], log: ChangeLog) -> None:
    """A status move is a change of the server: the user's when a write caused it, else the
    scan's (run_id may be None for a daily refresh)."""
    for server_id, name, old, new in moves:
        log.add("server", server_id, name, old, new)
    log.flush(session)


def explain(
    session: Session, rules: MigrationSettings, server_id: int, now: datetime | None = None
) -> Explanation | None:
    """The derivation for one server now, with the facts it used (for GET /servers/{id})."""
    batch = next(_batches(session, [server_id], 1), None)
    if batch is None or not batch.rows:
        return None
    facts = load_facts(session, batch.rows)[server_id]
    waves = wave_names(session)
    return explanation(derive(facts, rules, now or utcnow(), waves), facts, waves)


def refresh(
    session: Session,
    settings: Settings,
    *,
    server_ids: Sequence[int] | None = None,
    actor: Actor | None = None,
    run_id: int | None = None,
    now: datetime | None = None,
    touched: Touched | None = None,
    log: ChangeLog | None = None,
    derivations: Derivations | None = None,
    pending: Mapping[int, Mapping[str, Any]] | None = None,
) -> int:
    """Statuses (of some servers or all), then the kept aggregates and today's snapshot.

    All servers: every aggregate is recounted. Some: the aggregates move by what those servers
    changed (estate.migration.progress_delta), from `touched` as the caller captured them before
    its write; a caller that changed none of their application links may leave it to be
    captured here. `log` holds the change rows of the caller's write (not yet written): the
    statuses' own join them in one INSERT, stamped at its time, which is then the refresh's.
    `derivations`, if given, keeps what each server's status was derived from; `pending` is
    as refresh_statuses takes it."""
    now = now or (log.at if log is not None else utcnow())
    if server_ids is not None and touched is None:
        touched = Touched.capture(session, server_ids)
    log = log or ChangeLog(Cause.of(actor, run_id), now)
    if server_ids is not None:  # what the aggregates move to
        derivations = derivations or Derivations()
    changed = refresh_statuses(
        session,
        settings.migration,
        server_ids=server_ids,
        now=now,
        actor=actor,
        log=log,
        derivations=derivations,
        pending=pending,
    )
    log.flush(session)  # the caller's rows, where no status moved
    moves = None
    if server_ids is None or touched is None:
        progress.rebuild(session, now)
        progress.snapshot(session, now.date())
    else:
        assert derivations is not None
        moves = touched.apply(session, now, derivations.snapshot())  # and today's snapshot
    _keep_hosting(session, settings, now.date(), server_ids, moves)
    return changed


def _keep_hosting(
    session: Session,
    settings: Settings,
    day: date,
    server_ids: Sequence[int] | None,
    moves: list[tuple[str, str]] | None,
) -> None:
    """Today's figures of every site, or of the touched servers' sites; a write whose servers'
    statuses (`moves`, before and after) count on site as they did keeps its sites' figures,
    once they are kept for the day."""
    sites, kept = (
        (None, False) if server_ids is None else hosting.sites_of(session, server_ids, day)
    )
    unmoved = moves is not None and not any(hosting.moves_off_site(*m) for m in moves)
    if sites is not None and unmoved and kept:
        return
    hosting.record_day(session, day, sites, settings.outcomes.default_watts)


def refresh_after_scan(session: Session, settings: Settings, run_id: int | None = None) -> int:
    """Called at the end of every scan run, inside its transaction: every server is
    re-derived (power, sight, MGN states and workloads may all have moved)."""
    return refresh(session, settings, run_id=run_id)


def take_snapshot(session: Session, settings: Settings) -> progress.Progress:
    """Re-derive every server now and keep today's snapshot (also taken daily)."""
    refresh(session, settings, now=utcnow())
    return progress.read(session)
