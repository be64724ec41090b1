"""Ingest: a scanner's event stream in, observations and entities out, in bulk.

A run owns one transaction: it takes the source's lock, writes observations in batches
(`INSERT ... ON CONFLICT DO UPDATE`), reconciles new ones to entities, re-merges the entities
whose observations changed, marks unseen observations of completed scopes missing, and commits.
If the scanner raises, the transaction rolls back and a failed run is recorded on its own, so
a fault never deletes or hides what earlier scans found.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any, get_args, get_origin

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from estate.bulk import (
    LOOKUP_CHUNK,
    Statistics,
    among,
    chunked,
    dialect_insert,
    insert_rows,
    json_text,
)
from estate.entities import History, Names, create_entities, refresh_entities
from estate.links import resolve_links, sweep_gone
from estate.locks import SourceBusy, lock_source
from estate.models import Observation, ScanRun
from estate.models.base import table_of, utcnow
from estate.models.status import RunStatus
from estate.reconcile import SPECS, EntitySpec, Seen, find_match, merge
from estate.records import Event, Problem, Record, ScopeEnd
from estate.settings import Settings, SourceConfig

log = logging.getLogger(__name__)

OBSERVATIONS = table_of(Observation)
# A run keeps this many problems in full; the rest are counted.
MAX_PROBLEMS = 1000
_NOT_ATTRIBUTES = {"external_id", "scope", "match_only"}

Progress = Callable[[int], None]


def run_scan(
    engine: Engine,
    settings: Settings,
    source: SourceConfig,
    events: Iterable[Event],
    progress: Progress | None = None,
) -> ScanRun:
    """Ingest one run of a source; raises SourceBusy if another run holds it too long."""
    started = utcnow()
    try:
        with Session(engine, expire_on_commit=False) as session:
            lock_source(session, source.name, settings.database.lock_timeout_seconds)
            run = ScanRun(source=source.name, kind=source.kind, started_at=started)
            session.add(run)
            _flush_run(session, source.name)
            ingestor = Ingestor(session, settings, source, run)
            for event in events:
                ingestor.feed(event)
                if progress is not None and isinstance(event, Record):
                    progress(1)
            ingestor.finish()
            session.commit()
            return run
    except SourceBusy:
        raise
    except Exception as exc:
        log.exception("scan of %s failed", source.name)
        return _record_failure(engine, source, started, f"{type(exc).__name__}: {exc}")


def _flush_run(session: Session, source: str) -> None:
    try:
        session.flush()
    except OperationalError as exc:
        # SQLite: another writer kept the database locked past the busy timeout.
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise SourceBusy(
                f"source {source!r} is busy: the database is locked by another run"
            ) from None
        raise


def _record_failure(
    engine: Engine, source: SourceConfig, started: datetime, reason: str
) -> ScanRun:
    run = ScanRun(
        source=source.name,
        kind=source.kind,
        started_at=started,
        finished_at=utcnow(),
        status=RunStatus.FAILED,
        errors=[{"scope": None, "reason": reason, "row": None, "column": None, "target": None}],
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(run)
        session.commit()
    return run


# The observation columns lookups use, whose statistics PostgreSQL plans them by.
_LOOKUP_COLUMNS = ("source", "external_id", "scope", "entity_kind", "entity_id")
# Dict-valued fields (extra, tags, facts) are hashed apart, keys sorted: a source that lists
# the same tags in another order has not changed them.
_SORTED_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _is_dict(annotation: Any) -> bool:
    return any(a is dict or get_origin(a) is dict for a in (annotation, *get_args(annotation)))


@cache
def _dict_fields(record_type: type[Record]) -> tuple[set[str], tuple[str, ...]]:
    """The record type's fields left out of its JSON for the digest, and its dict fields."""
    nested = tuple(n for n, f in record_type.model_fields.items() if _is_dict(f.annotation))
    return _NOT_ATTRIBUTES | set(nested), nested


def encode(record: Record) -> tuple[str, str]:
    """The record's attributes as JSON text (pydantic's, a third of the cost of json.dumps of
    its dump), and a digest of what it says, which decides most re-scans. Dicts of two keys or
    more are hashed apart, keys sorted: the same tags listed in another order are no change."""
    text = record.model_dump_json(exclude=_NOT_ATTRIBUTES)
    excluded, nested = _dict_fields(type(record))
    dicts = {name: value for name in nested if len(value := getattr(record, name) or ()) > 1}
    if not dicts:
        parts = [record.scope, text]
    else:
        parts = [record.scope, record.model_dump_json(exclude=excluded)]
        parts += [f"{name}={_SORTED_JSON.encode(value)}" for name, value in dicts.items()]
    return text, hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Existing:
    id: int
    digest: str
    entity_id: int | None
    missing: bool


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
        self.history = History(run.id, self.now)
        self.buffers: dict[str, list[Record]] = defaultdict(list)
        self.scopes: dict[str, bool] = {}
        self.record_scopes: set[str] = set()
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.counts = {"added": 0, "changed": 0, "unchanged": 0, "missing": 0}
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
        self._link_orphans()
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
        errors = list(self.problems)
        if self.problem_count > len(errors):
            more = self.problem_count - len(errors)
            errors.append(
                {
                    "scope": None,
                    "reason": f"... and {more} more problems",
                    "row": None,
                    "column": None,
                    "target": None,
                }
            )
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
        encoded = {eid: encode(record) for eid, record in batch.items()}
        existing = self._existing(list(batch))
        fresh, changed, unchanged = [], [], []
        for eid in batch:
            known = existing.get(eid)
            if known is None:
                fresh.append(eid)
            elif known.digest != encoded[eid][1]:
                changed.append(eid)
            else:
                unchanged.append(eid)
        self._touch([existing[eid].id for eid in unchanged])
        self.touched[spec.kind].update(
            entity_id
            for eid in unchanged
            if existing[eid].missing and (entity_id := existing[eid].entity_id) is not None
        )
        links = self._link(spec, [batch[eid] for eid in fresh])
        links.update({eid: existing[eid].entity_id for eid in changed})
        rows = {
            eid: self._observation_row(spec, batch[eid], *encoded[eid], links.get(eid))
            for eid in fresh + changed
        }
        # New ones cannot clash: the source's lock keeps its other runs out until we commit.
        insert_rows(self.session, OBSERVATIONS, [rows[e] for e in fresh], encoded=["attributes"])
        self._upsert_observations([rows[e] for e in changed])
        self.statistics.wrote(OBSERVATIONS, len(fresh), _LOOKUP_COLUMNS)
        self.touched[spec.kind].update(e for eid in changed if (e := links.get(eid)) is not None)
        self.counts["added"] += len(fresh)
        self.counts["changed"] += len(changed)
        self.counts["unchanged"] += len(unchanged)
        self.history.flush(self.session)

    def _existing(self, external_ids: list[str]) -> dict[str, Existing]:
        table = OBSERVATIONS
        found: dict[str, Existing] = {}
        columns = (
            table.c.external_id,
            table.c.id,
            table.c.digest,
            table.c.entity_id,
            table.c.missing_since.is_not(None),
        )
        for chunk in chunked(external_ids, LOOKUP_CHUNK):
            query = select(*columns).where(
                table.c.source == self.source.name,
                among(self.session, table.c.external_id, chunk),
            )
            for eid, oid, digest, entity_id, missing in self.session.execute(query).all():
                found[eid] = Existing(oid, digest, entity_id, bool(missing))
        return found

    def _touch(self, observation_ids: list[int]) -> None:
        """Unchanged: only the last-seen stamp moves, in one statement per chunk."""
        table = OBSERVATIONS
        for chunk in chunked(observation_ids, LOOKUP_CHUNK):
            self.session.execute(
                update(table)
                .where(among(self.session, table.c.id, chunk))
                .values(last_seen=self.now, last_run_id=self.run.id, missing_since=None)
            )

    def _observation_row(
        self,
        spec: EntitySpec,
        record: Record,
        attributes: str,
        digest: str,
        entity_id: int | None,
    ) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "source_kind": self.source.kind,
            "external_id": record.external_id,
            "scope": record.scope,
            "entity_kind": spec.kind,
            "entity_id": entity_id,
            "attributes": attributes,  # JSON text
            "digest": digest,
            "first_seen": self.now,
            "last_seen": self.now,
            "missing_since": None,
            "last_run_id": self.run.id,
        }

    def _upsert_observations(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        # The attributes are JSON text: bound under another name, as text, cast where needed.
        rows = [{**row, "attributes_json": row.pop("attributes")} for row in rows]
        stmt: Any = dialect_insert(self.session, OBSERVATIONS).values(
            attributes=json_text(self.session, "attributes_json")
        )
        kept = (
            "scope",
            "entity_kind",
            "entity_id",
            "attributes",
            "digest",
            "last_seen",
            "missing_since",
            "last_run_id",
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["source", "external_id"], set_={c: stmt.excluded[c] for c in kept}
        )
        self.session.connection().execute(stmt, rows)

    # --- reconciliation --------------------------------------------------------------------

    def _link(self, spec: EntitySpec, records: list[Record]) -> dict[str, int | None]:
        """Each new observation's entity: an existing match, else one made for it (or None
        for match-only records). Records of one batch that share a key share an entity."""
        if not records:
            return {}
        # The records' own field dicts, read-only: copying them costs more than all the rest.
        values = {r.external_id: MappingProxyType(vars(r)) for r in records}
        keys = {eid: spec.key_values(v) for eid, v in values.items()}
        index, entity_keys = self._candidates(spec, keys.values())
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

    def _candidates(
        self, spec: EntitySpec, keys: Iterable[dict[str, str | None]]
    ) -> tuple[dict[str, dict[str, int]], dict[int, dict[str, str | None]]]:
        table = spec.table
        wanted: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            for column, value in key.items():
                if value is not None:
                    wanted[column].add(value)
        columns = [column for column, _ in spec.keys]
        index: dict[str, dict[str, int]] = defaultdict(dict)
        entity_keys: dict[int, dict[str, str | None]] = {}
        for column, values in wanted.items():
            for chunk in chunked(sorted(values), LOOKUP_CHUNK):
                query = select(table.c.id, *(table.c[c] for c in columns)).where(
                    among(self.session, table.c[column], chunk)
                )
                for row in self.session.execute(query.order_by(table.c.id)):
                    entity_keys[row[0]] = dict(zip(columns, row[1:], strict=True))
                    for c, value in entity_keys[row[0]].items():
                        if value is not None:
                            index[c].setdefault(value, row[0])
        return index, entity_keys

    def _precedence(self, spec: EntitySpec) -> dict[str, list[str]]:
        return dict(getattr(self.settings.precedence, spec.kind, {}) or {})

    def _refresh(self, spec: EntitySpec, ids: set[int]) -> None:
        refresh_entities(
            self.session, spec, ids, self._precedence(spec), self.names, self.history, self.grace
        )

    # --- after the stream ------------------------------------------------------------------

    def _mark_missing(self) -> dict[str, set[int]]:
        """Observations of each completed scope that this run did not see go missing now."""
        table = OBSERVATIONS
        affected: dict[str, set[int]] = defaultdict(set)
        for scope, complete in list(self.scopes.items()):
            if not complete:
                continue
            present = (
                table.c.source == self.source.name,
                table.c.scope == scope,
                table.c.missing_since.is_(None),
            )
            unseen = (table.c.last_run_id.is_(None)) | (table.c.last_run_id != self.run.id)
            if self._too_many_missing(scope, present, unseen):
                continue
            stmt = (
                update(table)
                .where(*present, unseen)
                .values(missing_since=self.now)
                .returning(table.c.entity_kind, table.c.entity_id)
            )
            for kind, entity_id in self.session.execute(stmt):
                self.counts["missing"] += 1
                if entity_id is not None:
                    affected[kind].add(entity_id)
        return affected

    def _too_many_missing(self, scope: str, present: Any, unseen: Any) -> bool:
        """Refuse a mass disappearance (a truncated export, an empty API answer): mark nothing
        in the scope and say why, so a person can check before anything goes missing."""
        table = OBSERVATIONS
        count = select(func.count()).select_from(table)
        held = self.session.execute(count.where(*present)).scalar_one()
        lost = self.session.execute(count.where(*present, unseen)).scalar_one()
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

    def _link_orphans(self) -> None:
        """Match-only observations (of any source) whose entity has since appeared."""
        table = OBSERVATIONS
        for spec in SPECS.values():
            if not self.created.get(spec.kind):
                continue
            query = select(
                table.c.id, table.c.external_id, table.c.scope, table.c.attributes
            ).where(table.c.entity_kind == spec.kind, table.c.entity_id.is_(None))
            orphans = self.session.execute(query).all()
            if not orphans:
                continue
            keys = {}
            for oid, eid, scope, attributes in orphans:
                record = spec.record.model_validate(
                    {**attributes, "external_id": eid, "scope": scope}
                )
                keys[oid] = spec.key_values({f: getattr(record, f) for f in spec.fields})
            index, entity_keys = self._candidates(spec, keys.values())
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
                self.session.connection().execute(stmt, found)
                self.touched[spec.kind].update(row["entity_id"] for row in found)
