"""The one writer of change rows: every field that really changed, with why it changed.

A change has a cause: a scan run (its id; none for the daily refresh, which only re-derives)
or a user (the token's name and the request id, shared by every row of one bulk edit). Rows
are collected and written in one INSERT per flush; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from estate.db.bulk import chunked, insert_rows
from estate.models import Change
from estate.models.base import table_of, utcnow
from estate.status import ChangeCause

CHANGES = table_of(Change)
# (entity id, the fields before, the fields after): one entity's edit.
Edit = tuple[int, Mapping[str, Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Actor:
    """A user write's author (the token's name) and the request it came in, shared by a bulk
    edit so its rows can be found together."""

    name: str
    request_id: str


@dataclass(frozen=True)
class Cause:
    """Why rows change: a scan run, or a user's request (`actor`)."""

    scan_run_id: int | None = None
    actor: Actor | None = None

    @classmethod
    def of(cls, actor: Actor | None, scan_run_id: int | None = None) -> Cause:
        """The user's when a person's write caused it, else the scan's."""
        return cls(actor=actor) if actor is not None else cls(scan_run_id=scan_run_id)

    def columns(self) -> dict[str, Any]:
        if self.actor is not None:
            return {
                "cause": ChangeCause.USER,
                "actor": self.actor.name,
                "request_id": self.actor.request_id,
            }
        return {"cause": ChangeCause.SCAN, "scan_run_id": self.scan_run_id}


def jsonable(value: Any) -> Any:
    """A field's value as the change row keeps it (JSON)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass
class ChangeLog:
    """Change rows of one cause, stamped `at`, written in bulk by `flush`; each row's old and
    new values are kept as JSON text."""

    cause: Cause
    at: datetime = field(default_factory=utcnow)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, entity_id: int, name: str, old: Any, new: Any) -> None:
        """One change the caller knows happened."""
        self.add_encoded(
            kind, entity_id, name, json.dumps(jsonable(old)), json.dumps(jsonable(new))
        )

    def add_encoded(self, kind: str, entity_id: int, name: str, old: str, new: str) -> None:
        """`add` with the values already JSON text, encoded as json.dumps would."""
        self.rows.append(
            {"entity_kind": kind, "entity_id": entity_id, "field": name, "old": old, "new": new}
        )

    def diff(self, kind: str, edits: Iterable[Edit]) -> None:
        """A change per field whose value differs, of each entity's before and after."""
        for entity_id, before, after in edits:
            for name, value in after.items():
                if before.get(name) != value:
                    self.add(kind, entity_id, name, before.get(name), value)

    def flush(self, session: Session) -> int:
        """Write what was collected; returns how many rows."""
        written = len(self.rows)
        if self.rows:
            # The values as SQLAlchemy's JSON type would encode them (json.dumps; None is JSON
            # null), the time and cause bound once for every row: a first device refresh
            # writes hundreds of thousands, and SQLAlchemy's per-row handling cost more than
            # the database's work (tests/history/test_changelog.py holds the two equal).
            fixed = {"at": self.at, **self.cause.columns()}
            insert_rows(session, CHANGES, self.rows, encoded=("old", "new"), fixed=fixed)
            self.rows = []
        return written

    def record(self, session: Session, kind: str, edits: Iterable[Edit]) -> int:
        """`diff` and `flush` in one: a user write's audit rows."""
        self.diff(kind, edits)
        return self.flush(session)


def erase_field_history(
    session: Session, entity_kind: str, entity_ids: Sequence[int], field: str
) -> None:
    """Blank the recorded values of one field (personal data that must be forgotten), keeping
    the fact that it changed and when."""
    for chunk in chunked(entity_ids):
        session.execute(
            update(CHANGES)
            .where(
                CHANGES.c.entity_kind == entity_kind,
                CHANGES.c.entity_id.in_(chunk),
                CHANGES.c.field == field,
            )
            .values(old=None, new=None)
        )
