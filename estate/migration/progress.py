"""Migration progress: servers per status, overall and per wave, strategy, application and
site, kept in small tables and read in one response; and the daily burn-down snapshots.

`rebuild` recounts every group from the servers table with one INSERT ... SELECT ... GROUP BY
per dimension (called by estate.migration.refresh after each scan; a user's write moves only
its servers' groups, estate.migration.progress_delta), so a read sums a few hundred kept rows
however large the estate. The figures are exactly what the
server list gives for the same filter (GET /api/v1/servers?wave=...&migration_status=...).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import String, delete, func, insert, literal, select, type_coerce
from sqlalchemy.orm import Session

from estate.db.bulk import chunked, dialect_insert
from estate.models import (
    AggregateState,
    Application,
    ProgressApplications,
    ProgressCount,
    ProgressSnapshot,
    Server,
    ServerApplication,
    Site,
    Wave,
)
from estate.models.base import table_of
from estate.status import MigrationStatus, Strategy

S = MigrationStatus
# Off the on-premise estate: migrated, or further along the way out.
MIGRATED = frozenset(
    {S.MIGRATED, S.DECOMMISSION_CANDIDATE, S.DECOMMISSION_APPROVED, S.DECOMMISSIONED}
)
# Left where they are or switched off by plan: neither migrated nor still to do.
SETTLED = frozenset({S.RETAINED, S.RETIRED})
DIMENSIONS = ("wave", "strategy", "application", "site")
# Kept per day: the whole estate, each wave (the burn-down) and each site (the exit forecast).
SNAPSHOT_DIMENSIONS = ("all", "wave", "site")
AGGREGATE = "migration"
# The servers' columns `count` reads (what a count as at a day must rebuild).
COUNTED = ("migration_status", "effective_wave_id", "effective_strategy", "site_id")

SERVERS = table_of(Server)
LINKS = table_of(ServerApplication)
COUNTS = table_of(ProgressCount)
APPS = table_of(ProgressApplications)
SNAPSHOTS = table_of(ProgressSnapshot)
STATE = table_of(AggregateState)


class Figures(BaseModel):
    """Servers by status; `migrated` counts migrated and every decommission step after it;
    `remaining` leaves out the migrated, the retained and the retired. An application is
    migrated (in a group) when all its servers there are."""

    servers: int = 0
    migrated: int = 0
    remaining: int = 0
    percent_migrated: float = 0.0
    by_status: dict[MigrationStatus, int] = {}
    applications: int = 0
    applications_migrated: int = 0
    percent_applications_migrated: float = 0.0
    links: dict[str, str] = Field(
        default={},
        description="Each count's rows: the list query whose `total` is the count (keys are"
        " the count's name, `by_status.<status>` for a status). Filled by the API.",
    )


class Group(Figures):
    """One wave, strategy, application or site; key None is the group where it is not set."""

    key: str | None
    name: str | None


class Progress(BaseModel):
    refreshed_at: datetime | None
    total: Figures
    by_wave: list[Group]
    by_strategy: list[Group]
    by_application: list[Group]
    by_site: list[Group]


class Day(BaseModel):
    day: date
    servers: int
    migrated: int
    remaining: int
    percent_migrated: float
    by_status: dict[MigrationStatus, int]


# --- keeping -------------------------------------------------------------------------------


def bump_version(session: Session, now: datetime) -> str:
    """A new version for the kept aggregates. The upsert also locks the row until commit, so
    concurrent rebuilds (PostgreSQL) take turns instead of interleaving DELETEs and INSERTs."""
    version = uuid.uuid4().hex
    stmt: Any = dialect_insert(session, STATE)
    stmt = stmt.values(name=AGGREGATE, version=version, refreshed_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"version": version, "refreshed_at": now}
    )
    session.execute(stmt)
    return version


_VERSION = select(STATE.c.version, STATE.c.refreshed_at).where(STATE.c.name == AGGREGATE)


def current_version(session: Session) -> tuple[str, datetime] | None:
    """The kept aggregates' version: one indexed row, read on every cached request (Core, so
    it skips the ORM's per-statement work)."""
    row = session.execute(_VERSION).first()
    return (row[0], row[1]) if row else None


def _key(value: Any) -> str | None:
    return None if value is None else str(value)


def rebuild(session: Session, now: datetime) -> None:
    """Recount every group from the servers table (a whole recount: nothing can go stale)."""
    bump_version(session, now)
    _replace(session, *count(session, SERVERS, LINKS))


Counts = Counter[tuple[str, str | None, str]]
AppCounts = dict[tuple[str, str | None], list[int]]
# Each application's servers in each group, and how many of them are migrated.
PerApp = dict[tuple[str, str | None, int], list[int]]


def combo(servers: Any) -> tuple[Any, ...]:
    """What a server is counted by: its status, wave, strategy and site."""
    return (
        type_coerce(servers.c.migration_status, String),
        servers.c.effective_wave_id,
        type_coerce(servers.c.effective_strategy, String),
        servers.c.site_id,
    )


def count(session: Session, servers: Any, links: Any) -> tuple[Counts, AppCounts]:
    """Servers per group and status, and applications (all, migrated) per group, of `servers`
    (the servers table, or the servers as at a day) linked by `links`.

    Two GROUP BYs over every combination of status, wave, strategy and site (one of them per
    application link), expanded into each dimension in memory: each server and each link is
    read once, however many dimensions there are.
    """
    counted = combo(servers)
    combos = session.execute(select(*counted, func.count()).group_by(*counted))
    linked = session.execute(
        select(links.c.application_id, *counted, func.count())
        .select_from(links.join(servers, servers.c.id == links.c.server_id))
        .group_by(links.c.application_id, *counted)
    )
    counts, per_app = tally(combos, linked)
    return counts, judge(per_app)


def _groups(wave: Any, strategy: str | None, site: Any) -> tuple[tuple[str, str | None], ...]:
    return (("all", None), ("wave", _key(wave)), ("strategy", strategy), ("site", _key(site)))


def tally(
    combos: Iterable[Sequence[Any]], linked: Iterable[Sequence[Any]]
) -> tuple[Counts, PerApp]:
    """Servers per group and status from (status, wave, strategy, site, n) rows, and each
    application's servers per group from (application, status, wave, strategy, site, n) rows."""
    counts: Counts = Counter()
    for status, wave, strategy, site, n in combos:
        for group in _groups(wave, strategy, site):
            counts[(*group, status)] += n
    per_app: PerApp = defaultdict(lambda: [0, 0])
    for app_id, status, wave, strategy, site, n in linked:
        counts[("application", str(app_id), status)] += n
        done = n if status in MIGRATED else 0
        for dimension, key in (*_groups(wave, strategy, site), ("application", str(app_id))):
            entry = per_app[(dimension, key, app_id)]
            entry[0] += n
            entry[1] += done
    return counts, per_app


def judge(per_app: PerApp) -> AppCounts:
    """Applications per group, and those whose servers there are all migrated."""
    apps: AppCounts = defaultdict(lambda: [0, 0])
    for (dimension, key, _), (servers_in, migrated) in per_app.items():
        if servers_in:
            apps[(dimension, key)][0] += 1
            apps[(dimension, key)][1] += int(servers_in == migrated)
    return apps


def _replace(session: Session, counts: Counts, apps: AppCounts) -> None:
    session.execute(delete(COUNTS))
    session.execute(delete(APPS))
    rows = [
        {"dimension": d, "key": k, "status": s, "servers": n} for (d, k, s), n in counts.items()
    ]
    for chunk in chunked(rows, 5000):
        session.execute(insert(COUNTS), chunk)
    app_rows = [
        {"dimension": d, "key": k, "applications": n, "migrated": m}
        for (d, k), (n, m) in apps.items()
    ]
    for chunk in chunked(app_rows, 5000):
        session.execute(insert(APPS), chunk)


def snapshot(session: Session, day: date) -> None:
    """Keep the day's counts (replacing any taken earlier that day)."""
    session.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.day == day))
    kept = select(
        literal(day), COUNTS.c.dimension, COUNTS.c.key, COUNTS.c.status, COUNTS.c.servers
    ).where(COUNTS.c.dimension.in_(SNAPSHOT_DIMENSIONS))
    session.execute(
        insert(SNAPSHOTS).from_select(["day", "dimension", "key", "status", "servers"], kept)
    )


# --- reading -------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def figures(
    by_status: dict[MigrationStatus, int], apps: int = 0, apps_migrated: int = 0
) -> Figures:
    servers = sum(by_status.values())
    migrated = sum(n for s, n in by_status.items() if s in MIGRATED)
    settled = sum(n for s, n in by_status.items() if s in SETTLED)
    return Figures(
        servers=servers,
        migrated=migrated,
        remaining=servers - migrated - settled,
        percent_migrated=_percent(migrated, servers),
        by_status={s: by_status[s] for s in MigrationStatus if by_status.get(s)},
        applications=apps,
        applications_migrated=apps_migrated,
        percent_applications_migrated=_percent(apps_migrated, apps),
    )


def group_names(session: Session) -> dict[str, dict[str, str]]:
    """Each dimension's keys and what a group of each is called."""

    def pairs(model: Any) -> dict[str, str]:
        return {str(i): n for i, n in session.execute(select(model.id, model.name))}

    return {
        "wave": pairs(Wave),
        "site": pairs(Site),
        "application": pairs(Application),
        "strategy": {s.value: s.value for s in Strategy},
    }


def read(session: Session) -> Progress:
    """The kept progress: totals, then each dimension's groups ordered by name (unset last)."""
    counts: Counts = Counter()
    for dimension, key, status, servers in session.execute(
        select(COUNTS.c.dimension, COUNTS.c.key, COUNTS.c.status, COUNTS.c.servers)
    ):
        counts[(dimension, key, status)] = servers
    apps: AppCounts = {
        (dimension, key): [n, m]
        for dimension, key, n, m in session.execute(
            select(APPS.c.dimension, APPS.c.key, APPS.c.applications, APPS.c.migrated)
        )
    }
    version = current_version(session)
    return assemble(session, counts, apps, version[1] if version else None)


def assemble(
    session: Session, counted: Counts, apps: AppCounts, refreshed_at: datetime | None
) -> Progress:
    """Progress from its counts: totals, then each dimension's groups ordered by name (unset
    last)."""
    counts: dict[tuple[str, str | None], dict[MigrationStatus, int]] = defaultdict(dict)
    for (dimension, key, status), servers in counted.items():
        counts[(dimension, key)][MigrationStatus(status)] = servers
    names = group_names(session)
    groups: dict[str, list[Group]] = {d: [] for d in DIMENSIONS}
    for (dimension, key), by_status in counts.items():
        if dimension == "all":
            continue
        name = names[dimension].get(key) if key is not None else None
        made = figures(by_status, *apps.get((dimension, key), (0, 0)))
        groups[dimension].append(Group(key=key, name=name, **made.model_dump()))
    for found in groups.values():
        found.sort(key=lambda g: (g.key is None, (g.name or "").lower(), g.key or ""))
    return Progress(
        refreshed_at=refreshed_at,
        total=figures(counts.get(("all", None), {}), *apps.get(("all", None), (0, 0))),
        by_wave=groups["wave"],
        by_strategy=groups["strategy"],
        by_application=groups["application"],
        by_site=groups["site"],
    )


def history(
    session: Session, start: date | None, end: date | None, wave: int | None = None
) -> list[Day]:
    """The kept day-by-day counts, oldest first: the whole estate, or one wave."""
    query = select(SNAPSHOTS.c.day, SNAPSHOTS.c.status, SNAPSHOTS.c.servers)
    if wave is None:
        query = query.where(SNAPSHOTS.c.dimension == "all")
    else:
        query = query.where(SNAPSHOTS.c.dimension == "wave", SNAPSHOTS.c.key == str(wave))
    if start is not None:
        query = query.where(SNAPSHOTS.c.day >= start)
    if end is not None:
        query = query.where(SNAPSHOTS.c.day <= end)
    days: dict[date, dict[MigrationStatus, int]] = defaultdict(dict)
    for day, status, servers in session.execute(query.order_by(SNAPSHOTS.c.day)):
        days[day][MigrationStatus(status)] = servers
    result = []
    for day, by_status in sorted(days.items()):
        made = figures(by_status)
        result.append(
            Day(
                day=day,
                servers=made.servers,
                migrated=made.migrated,
                remaining=made.remaining,
                percent_migrated=made.percent_migrated,
                by_status=made.by_status,
            )
        )
    return result
