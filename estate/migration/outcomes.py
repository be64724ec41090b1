"""The strategy's outcomes: each cloud workload judged resilient, flexible and efficient from its
facts (estate.migration.outcome_rules), kept on the workload in bulk, and the migrated ones
counted overall and per application, wave, strategy and site of the server they came from.

`refresh_outcomes` runs after every scan that saw workloads and daily (a backup ages with
time alone); a change of an outcome is a change row, as a migration status's is. A workload
counts as migrated when it names the on-premise server it replaced, is not ended and not gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, String, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from estate.config import OutcomesSettings
from estate.db.bulk import CHUNK, chunked
from estate.history.changelog import Cause, ChangeLog
from estate.migration.outcome_rules import WorkloadFacts, assess
from estate.migration.progress import group_names
from estate.models import Server, ServerApplication, Workload
from estate.models.base import table_of, utcnow
from estate.status import EntityStatus

WORKLOADS = table_of(Workload)
SERVERS = table_of(Server)
LINKS = table_of(ServerApplication)
OUTCOMES = ("resilient", "flexible", "efficient", "oversized", "idle")
_KEPT = (*OUTCOMES, "outcome_evidence")
_READ = (
    WORKLOADS.c.id,
    WORKLOADS.c.resource_type,
    WORKLOADS.c.state,
    WORKLOADS.c.tags,
    WORKLOADS.c.facts,
    WORKLOADS.c.cpu_p95,
    WORKLOADS.c.cpu_hours,
    *(WORKLOADS.c[name] for name in _KEPT),
)


def _batches(session: Session, ids: Sequence[int] | None) -> Iterator[list[Row[Any]]]:
    if ids is not None:
        for chunk in chunked(sorted(set(ids)), CHUNK):
            yield list(session.execute(select(*_READ).where(WORKLOADS.c.id.in_(chunk))))
        return
    last = 0
    while rows := list(
        session.execute(
            select(*_READ).where(WORKLOADS.c.id > last).order_by(WORKLOADS.c.id).limit(CHUNK)
        )
    ):
        yield rows
        last = rows[-1].id


def refresh_outcomes(
    session: Session,
    settings: OutcomesSettings,
    *,
    workload_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    run_id: int | None = None,
) -> int:
    """Judge the given workloads (all when None) and write those whose outcomes moved, with a
    change row for each outcome (and evidence) that did. Returns how many rows changed."""
    now = now or utcnow()
    log = ChangeLog(Cause(scan_run_id=run_id), now)
    changed = 0
    for rows in _batches(session, workload_ids):
        updates = []
        for row in rows:
            facts = WorkloadFacts(row.resource_type, row.state, row.tags or {}, row.facts or {},
                                  row.cpu_p95, row.cpu_hours)  # fmt: skip
            judged = assess(facts, settings, now)
            new = {name: getattr(judged, name) for name in OUTCOMES}
            new["outcome_evidence"] = judged.evidence
            if any(getattr(row, name) != value for name, value in new.items()):
                updates.append({"_id": row.id, **new})
            # The evidence too, so the workloads as at a past day have theirs then.
            log.diff("workload", [(row.id, dict(row._mapping), new)])
        if updates:
            stmt = (
                update(WORKLOADS)
                .where(WORKLOADS.c.id == bindparam("_id"))
                .values({name: bindparam(name) for name in _KEPT})
            )
            session.connection().execute(stmt, updates)
            changed += len(updates)
        log.flush(session)
    return changed


# --- the roll-up ----------------------------------------------------------------------------


class Figures(BaseModel):
    """Migrated workloads and how many are resilient, flexible and efficient (and not, and not
    known), oversized and idle; each percentage is of all migrated workloads in the group."""

    workloads: int = 0
    resilient: int = 0
    not_resilient: int = 0
    resilient_unknown: int = 0
    percent_resilient: float = 0.0
    flexible: int = 0
    not_flexible: int = 0
    flexible_unknown: int = 0
    percent_flexible: float = 0.0
    efficient: int = 0
    not_efficient: int = 0
    efficient_unknown: int = 0
    percent_efficient: float = 0.0
    oversized: int = 0
    idle: int = 0


class Group(Figures):
    """One application, wave, strategy or site; key None is the group where it is not set."""

    key: str | None
    name: str | None


class Outcomes(BaseModel):
    total: Figures
    by_application: list[Group]
    by_wave: list[Group]
    by_strategy: list[Group]
    by_site: list[Group]


def migrated(workloads: Any = WORKLOADS) -> Any:
    """The workloads that count: they name their on-premise server, are not ended, not gone."""
    return (
        workloads.c.migrated_from_server_id.is_not(None),
        workloads.c.ended.is_(False),
        workloads.c.status != EntityStatus.GONE,
    )


def read(session: Session, workloads: Any = WORKLOADS, servers: Any = SERVERS) -> Outcomes:
    """Every group's counts: one GROUP BY over the migrated workloads and their servers, one
    more through the servers' application links. `workloads` and `servers`: the tables, or
    the same as at a past day (estate.migration.as_at)."""
    counts: dict[tuple[str, str | None], Figures] = defaultdict(Figures)
    joined = workloads.join(servers, servers.c.id == workloads.c.migrated_from_server_id)
    judged_by = tuple(workloads.c[name] for name in OUTCOMES)
    plan = (
        servers.c.effective_wave_id,
        type_coerce(servers.c.effective_strategy, String),
        servers.c.site_id,
    )
    query = (
        select(*plan, *judged_by, func.count())
        .select_from(joined)
        .where(*migrated(workloads))
        .group_by(*plan, *judged_by)
    )
    for wave, strategy, site, *judged, n in session.execute(query):
        for group in (("all", None), ("wave", _key(wave)), ("strategy", strategy),
                      ("site", _key(site))):  # fmt: skip
            _add(counts[group], judged, n)
    linked = (
        select(LINKS.c.application_id, *judged_by, func.count())
        .select_from(joined.join(LINKS, LINKS.c.server_id == servers.c.id))
        .where(*migrated(workloads))
        .group_by(LINKS.c.application_id, *judged_by)
    )
    for app_id, *judged, n in session.execute(linked):
        _add(counts[("application", str(app_id))], judged, n)
    for figures in counts.values():
        _percentages(figures)
    names = group_names(session)
    groups: dict[str, list[Group]] = {d: [] for d in ("application", "wave", "strategy", "site")}
    for (dimension, key), figures in counts.items():
        if dimension == "all":
            continue
        name = names[dimension].get(key) if key is not None else None
        groups[dimension].append(Group(key=key, name=name, **figures.model_dump()))
    for found in groups.values():
        found.sort(key=lambda g: (g.key is None, (g.name or "").lower(), g.key or ""))
    return Outcomes(
        total=counts.get(("all", None), Figures()),
        by_application=groups["application"],
        by_wave=groups["wave"],
        by_strategy=groups["strategy"],
        by_site=groups["site"],
    )


def _key(value: Any) -> str | None:
    return None if value is None else str(value)


def _add(figures: Figures, judged: Sequence[bool | None], n: int) -> None:
    resilient, flexible, efficient, oversized, idle = judged
    figures.workloads += n
    for name, value in (("resilient", resilient), ("flexible", flexible),
                        ("efficient", efficient)):  # fmt: skip
        field = name if value is True else f"not_{name}" if value is False else f"{name}_unknown"
        setattr(figures, field, getattr(figures, field) + n)
    figures.oversized += n if oversized is True else 0
    figures.idle += n if idle is True else 0


def _percentages(figures: Figures) -> None:
    for name in ("resilient", "flexible", "efficient"):
        part = getattr(figures, name)
        share = round(100.0 * part / figures.workloads, 1) if figures.workloads else 0.0
        setattr(figures, f"percent_{name}", share)
