"""Ingest: a scanner's event stream in, observations and entities out, in bulk.

A run is recorded as `running` (with its host and process) in a short transaction of its own
before any work, and is heart-beaten while it works (estate.inventory.liveness). The work owns
one transaction: it takes the source's lock, writes observations in batches (`INSERT ... ON
CONFLICT DO UPDATE`), reconciles new ones to entities, re-merges the entities whose
observations changed, marks unseen observations of completed scopes missing, and commits with
the run's outcome. If the scanner raises, the work rolls back and the run is closed as failed
on its own, so a fault never deletes or hides what earlier scans found; if the database goes
away, the same holds, and a run that could not be closed is found abandoned later.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from estate.config import Settings, SourceConfig
from estate.db.bulk import (
    Statistics,
    chunked,
    insert_rows,
)
from estate.db.locks import SourceBusy, lock_source
from estate.db.outages import is_outage, reported, unavailable
from estate.history.changelog import Cause, ChangeLog
from estate.inventory import observations
from estate.inventory.entities import Names, create_entities, refresh_entities
from estate.inventory.links import resolve_links, sweep_gone
from estate.inventory.liveness import (
    OURS,
    Heartbeat,
    close_failed,
    hold_run,
    run_problem,
    start_run,
)
from estate.inventory.matching import candidates, link_orphans
from estate.inventory.observations import OBSERVATIONS
from estate.inventory.reconcile import SPECS, EntitySpec, Seen, find_match, merge
from estate.inventory.records import Event, Problem, Record, ScopeEnd
from estate.models import ScanRun
from estate.models.base import utcnow
from estate.status import RunStatus

log = logging.getLogger(__name__)

# A run keeps this many problems in full; the rest are counted.
MAX_PROBLEMS = 1000

Progress = Callable[[int], None]


def run_scan(
    engine: Engine,
    settings: Settings,
    source: SourceConfig,
    events: Iterable[Event],
    progress: Progress | None = None,
) -> ScanRun:
    """Ingest one run of a source. Raises SourceBusy if another run holds the source too long
    (nothing is recorded), DatabaseUnavailable if the database goes away (nothing of the run's
    work is written; the run is closed as failed now if the database answers again, else by
    whoever finds it abandoned)."""
    recorded: ScanRun | None = None
    try:
        with Session(engine, expire_on_commit=False) as session:
            # PostgreSQL: the source is held from here; SQLite: by start_run's write lock.
            lock_source(session, source.name, settings.database.lock_timeout_seconds)
            recorded = start_run(engine, settings, source)
            run = hold_run(session, recorded)
            with Heartbeat(engine, run, settings.ingest.heartbeat_seconds):
                ingestor = Ingestor(session, settings, source, run)
                for event in events:
                    ingestor.feed(event)
                    if progress is not None and isinstance(event, Record):
                        progress(1)
                ingestor.finish()
            session.commit()
            OURS.done(recorded.id or 0)
            return run
    except SourceBusy:
        if recorded is not None:  # SQLite: taken between recording and starting; no work done
            OURS.unclosed(recorded.id or 0, "busy: another run took the database as it started")
        raise
    except Exception as exc:
        return _failed(engine, source, recorded, exc)


def _failed(engine: Engine, source: SourceConfig, run: ScanRun | None, exc: Exception) -> ScanRun:
    """Close the run as failed. An outage is raised as DatabaseUnavailable once the run is
    closed (or, the database still away, left for the next run or sweep of this process, which
    knows why, or of any other, which finds it abandoned); anything else is logged in full."""
    if is_outage(exc):
        report = unavailable(engine, _doing(source, run), exc)
        if run is not None:
            OURS.unclosed(run.id or 0, str(report))
            try:
                close_failed(engine, source, run, str(report))
            except Exception as again:
                if not is_outage(again):
                    raise
        raise report from exc
    log.exception("scan of %s failed", source.name)
    with reported(engine, f"recording that {_doing(source, run)} failed"):
        return close_failed(engine, source, run, f"{type(exc).__name__}: {exc}")


def _doing(source: SourceConfig, run: ScanRun | None) -> str:
    return f"scanning source {source.name!r}" + (f" (run {run.id})" if run is not None else "")


class Ingestor:
    """The state of one run: batches per entity kind, scopes, problems and counts."""

    def __init__(self, session: Session, settings: Settings, source: SourceConfig, run: ScanRun):
        self.session = session
        self.settings = settings
        self.source = source
        self.run = run
        self.now = run.started_at
        self.grace = timedelta(days=settings.ingest.grace_days)
        self.names = Names()
        self.names.load_sites(session)
        self.statistics = Statistics(session)
        self.history = ChangeLog(Cause(scan_run_id=run.id), self.now)
        self.buffers: dict[str, list[Record]] = defaultdict(list)
        self.scopes: dict[str, bool] = {}
        self.record_scopes: set[str] = set()
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.counts = {"added": 0, "changed": 0, "unchanged": 0, "missing": 0, "readings": 0}
        # Entities whose observations changed (to re-merge) and those made by this run.
        self.touched: dict[str, set[int]] = defaultdict(set)
        self.created: dict[str, set[int]] = defaultdict(set)

    def feed(self, event: Event) -> None:
        if isinstance(event, Problem):
            self._problem(event)
        elif isinstance(event, ScopeEnd):
            self.scopes[event.scope] = self.scopes.get(event.scope, True) and event.complete
        else:
            self.record_scopes.add(event.scope)
            buffer = self.buffers[event.entity]
            buffer.append(event)
            if len(buffer) >= self.settings.ingest.batch_size:
                self._flush(SPECS[event.entity], buffer)
                buffer.clear()

    def finish(self) -> None:
        for kind, buffer in self.buffers.items():
            self._flush(SPECS[kind], buffer)
        for scope in sorted(self.record_scopes - set(self.scopes)):
            self._problem(Problem(scope=scope, reason="the scanner did not finish this scope"))
            self.scopes[scope] = False
        missing = self._mark_missing()
        for kind, ids in link_orphans(self.session, self.created).items():
            self.touched[kind].update(ids)
        for spec in SPECS.values():
            ids = self.touched.get(spec.kind, set()) | missing.get(spec.kind, set())
            for chunk in chunked(sorted(ids), self.settings.ingest.batch_size):
                self._refresh(spec, set(chunk))
        changed = {kind: self.touched[kind] | self.created[kind] for kind in SPECS}
        resolve_links(self.session, changed, self.history, self.created)
        for spec in SPECS.values():
            if spec.has_lifecycle:
                sweep_gone(self.session, spec, self.history, self.grace)
        self.history.flush(self.session)
        self._close_run()

    def _problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem.model_dump())

    def _close_run(self) -> None:
        run = self.run
        run.added, run.changed = self.counts["added"], self.counts["changed"]
        run.unchanged, run.missing = self.counts["unchanged"], self.counts["missing"]
        run.readings = self.counts["readings"]
        errors = list(self.problems)
        if self.problem_count > len(errors):
            more = self.problem_count - len(errors)
            errors.append(run_problem(f"... and {more} more problems"))
        run.errors = errors
        run.scopes = dict(sorted(self.scopes.items()))
        run.finished_at = utcnow()
        wrote = any(self.counts[k] for k in ("added", "changed", "unchanged"))
        if self.problem_count == 0 and all(self.scopes.values()):
            run.status = RunStatus.OK
        elif wrote or any(self.scopes.values()):
            run.status = RunStatus.PARTIAL
        else:
            run.status = RunStatus.FAILED
        self.session.add(run)

    # --- one batch -------------------------------------------------------------------------

    def _flush(self, spec: EntitySpec, records: list[Record]) -> None:
        if not records:
            return
        batch = {r.external_id: r for r in records}  # the last word on a repeated id wins
        encoded = {eid: observations.encode(record) for eid, record in batch.items()}
        existing = observations.existing(self.session, self.source.name, list(batch))
        fresh, changed, unchanged, readings = [], [], [], []
        for eid in batch:
            known = existing.get(eid)
            if known is not None and batch[eid].readings_unread:
                encoded[eid] = observations.keep_unread(encoded[eid], batch[eid], known.readings)
            if known is None:
                fresh.append(eid)
            elif known.digest != encoded[eid].digest:
                changed.append(eid)
            elif known.readings != encoded[eid].readings:
                readings.append(eid)
            else:
                unchanged.append(eid)
        observations.touch(
            self.session, [existing[eid].id for eid in unchanged], self.now, self.run.id
        )
        new_readings = [(existing[eid].id, encoded[eid].readings) for eid in readings]
        observations.write_readings(self.session, new_readings, self.now, self.run.id)
        # Entities merged again: a missing one that is back, and one with a new reading.
        self.touched[spec.kind].update(
            entity_id
            for eid in unchanged
            if existing[eid].missing and (entity_id := existing[eid].entity_id) is not None
        )
        self.touched[spec.kind].update(
            entity_id for eid in readings if (entity_id := existing[eid].entity_id) is not None
        )
        links = self._link(spec, [batch[eid] for eid in fresh])
        links.update({eid: existing[eid].entity_id for eid in changed})
        rows = {
            eid: self._observation_row(spec, batch[eid], encoded[eid], links.get(eid))
            for eid in fresh + changed
        }
        # New ones cannot clash: the source's lock keeps its other runs out until we commit.
        insert_rows(self.session, OBSERVATIONS, [rows[e] for e in fresh], encoded=["attributes"])
        observations.upsert(self.session, [rows[e] for e in changed])
        self.statistics.wrote(OBSERVATIONS, len(fresh), observations.LOOKUP_COLUMNS)
        self.touched[spec.kind].update(e for eid in changed if (e := links.get(eid)) is not None)
        self.counts["added"] += len(fresh)
        self.counts["changed"] += len(changed)
        self.counts["unchanged"] += len(unchanged) + len(readings)
        self.counts["readings"] += len(readings)
        self.history.flush(self.session)

    def _observation_row(
        self,
        spec: EntitySpec,
        record: Record,
        encoded: observations.Encoded,
        entity_id: int | None,
    ) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "source_kind": self.source.kind,
            "external_id": record.external_id,
            "scope": record.scope,
            "entity_kind": spec.kind,
            "entity_id": entity_id,
            "attributes": encoded.attributes,  # JSON text
            "digest": encoded.digest,
            "readings": encoded.readings,
            "first_seen": self.now,
            "last_seen": self.now,
            "missing_since": None,
            "last_run_id": self.run.id,
        }

    # --- reconciliation --------------------------------------------------------------------

    def _link(self, spec: EntitySpec, records: list[Record]) -> dict[str, int | None]:
        """Each new observation's entity: an existing match, else one made for it (or None
        for match-only records). Records of one batch that share a key share an entity."""
        if not records:
            return {}
        # The records' own field dicts, read-only: copying them costs more than all the rest.
        values = {r.external_id: MappingProxyType(vars(r)) for r in records}
        keys = {eid: spec.key_values(v) for eid, v in values.items()}
        index, entity_keys = candidates(self.session, spec, keys.values())
        links: dict[str, int | None] = {}
        groups: list[list[str]] = []
        group_index: dict[str, dict[str, int]] = defaultdict(dict)
        group_keys: dict[int, dict[str, str | None]] = {}
        for record in records:
            eid = record.external_id
            match = find_match(spec, keys[eid], index, entity_keys)
            if match is not None:
                links[eid] = match
                self.touched[spec.kind].add(match)
                continue
            if record.match_only:
                links[eid] = None
                continue
            group = find_match(spec, keys[eid], group_index, group_keys)
            if group is None:
                group = len(groups)
                groups.append([])
                group_keys[group] = dict(keys[eid])
            groups[group].append(eid)
            for column, value in keys[eid].items():
                if value is not None:
                    group_index[column].setdefault(value, group)
        source, precedence = self.source, self._precedence(spec)
        merged = [
            merge(spec, [Seen(source.name, source.kind, False, values[e]) for e in g], precedence)
            for g in groups
        ]
        # A group of one has its record's keys; a larger one, those of what merged.
        known = [keys[g[0]] if len(g) == 1 else None for g in groups]
        ids = create_entities(self.session, spec, merged, self.names, self.now, known)
        self.statistics.wrote(spec.table, len(ids), ["id", *(c for c, _ in spec.keys)])
        for group_ids, entity_id in zip(groups, ids, strict=True):
            links.update(dict.fromkeys(group_ids, entity_id))
            if len(group_ids) > 1:
                self.touched[spec.kind].add(entity_id)
        self.created[spec.kind].update(ids)
        return links

    def _precedence(self, spec: EntitySpec) -> dict[str, list[str]]:
        return dict(getattr(self.settings.precedence, spec.kind, {}) or {})

    def _refresh(self, spec: EntitySpec, ids: set[int]) -> None:
        refresh_entities(
            self.session, spec, ids, self._precedence(spec), self.names, self.history, self.grace
        )

    # --- after the stream ------------------------------------------------------------------

    def _mark_missing(self) -> dict[str, set[int]]:
        """Observations of each completed scope that this run did not see go missing now."""
        affected: dict[str, set[int]] = defaultdict(set)
        for scope, complete in list(self.scopes.items()):
            if not complete:
                continue
            held, lost = observations.scope_losses(
                self.session, self.source.name, scope, self.run.id
            )
            if self._too_many_missing(scope, held, lost):
                continue
            for kind, entity_id in observations.mark_missing(
                self.session, self.source.name, scope, self.run.id, self.now
            ):
                self.counts["missing"] += 1
                if entity_id is not None:
                    affected[kind].add(entity_id)
        return affected

    def _too_many_missing(self, scope: str, held: int, lost: int) -> bool:
        """Refuse a mass disappearance (a truncated export, an empty API answer): mark nothing
        in the scope and say why, so a person can check before anything goes missing."""
        settings = self.settings.ingest
        if lost < settings.missing_guard_min or lost <= settings.max_missing_share * held:
            return False
        self._problem(
            Problem(
                scope=scope,
                reason=(
                    f"not marking {lost} of {held} things missing: more than"
                    f" {settings.max_missing_share:.0%} of the scope at once looks like a"
                    " truncated export or a broken source; if they really are gone, raise"
                    " ingest.max_missing_share for one run"
                ),
            )
        )
        self.scopes[scope] = False
        return True
