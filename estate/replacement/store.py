"""Keeping each device's replacement_due_on and reasons up to date, in bulk.

`refresh_replacement` reads devices in id order a batch at a time, evaluates the policy on each
(the same pure function the tests check case by case) and writes the batch's changed rows with
one UPDATE ... FROM (VALUES ...) statement. Call it after every device ingest and after a
person changes an override or disposes of a device. Like every estate function it takes a
session and never commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Row, bindparam, select, text, update
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col

from estate.models.device import Device
from estate.replacement.policy import Decision, DeviceFacts, Policy, evaluate

FACT_COLUMNS = (
    Device.device_type,
    Device.purchased_on,
    Device.enrolled_at,
    Device.warranty_expires_on,
    Device.os_name,
    Device.os_version,
    Device.model,
    Device.memory_gb,
    Device.storage_gb,
    Device.tpm_version,
    Device.last_seen_at,
    Device.replacement_override_on,
    Device.disposed_on,
)
CURRENT_COLUMNS = (
    Device.replacement_due_on,
    Device.replacement_reasons,
    Device.replacement_explicit,
)


def refresh_replacement(
    session: Session,
    policy: Policy,
    today: date,
    device_ids: Iterable[int] | None = None,
) -> int:
    """Re-evaluate the given devices (all when None); returns how many rows changed."""
    clear_disposed_assignees(session)
    changed = 0
    for rows in _batches(session, device_ids, policy.settings.batch_size):
        updates = []
        for row in rows:
            decision = evaluate(_facts(row), policy, today)
            if _differs(row, decision):
                updates.append((row.id, decision))
        if updates:
            _write(session, updates)
            changed += len(updates)
    return changed


def _batches(
    session: Session, device_ids: Iterable[int] | None, size: int
) -> Iterator[Sequence[Row[Any]]]:
    query = select(Device.id, *FACT_COLUMNS, *CURRENT_COLUMNS).order_by(Device.id).limit(size)
    if device_ids is not None:
        ids = sorted(set(device_ids))
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            yield session.execute(query.where(col(Device.id).in_(chunk))).all()
        return
    after = 0
    while rows := session.execute(query.where(col(Device.id) > after)).all():
        yield rows
        after = rows[-1].id


def _facts(row: Row[Any]) -> DeviceFacts:
    return DeviceFacts(**{column.key: getattr(row, column.key) for column in FACT_COLUMNS})


def _differs(row: Row[Any], decision: Decision) -> bool:
    return (
        row.replacement_due_on != decision.due_on
        or row.replacement_explicit != decision.explicit
        or row.replacement_reasons != decision.reasons_json()
    )


def _write(session: Session, updates: list[tuple[int, Decision]]) -> None:
    """One UPDATE for the whole batch, joining a VALUES list of (id, due, reasons, explicit)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    params: list[BindParameter[Any]] = []
    rows = []
    for n, (device_id, decision) in enumerate(updates):
        params += [
            bindparam(f"i{n}", device_id, type_=Integer),
            bindparam(f"d{n}", decision.due_on, type_=Date),
            bindparam(f"r{n}", json.dumps(decision.reasons_json())),
            bindparam(f"e{n}", decision.explicit, type_=Boolean),
        ]
        rows.append(f"(:i{n}, :d{n}, :r{n}, :e{n})")
    # PostgreSQL types a VALUES column from its values (an all-NULL column is text), so the
    # assignments cast; SQLite stores what it is given (its DATE is ISO text, JSON is text).
    due = "CAST(v.due AS DATE)" if postgres else "v.due"
    reasons = "CAST(v.reasons AS JSONB)" if postgres else "v.reasons"
    statement = text(
        f"WITH v(id, due, reasons, explicit) AS (VALUES {', '.join(rows)}) "
        f"UPDATE devices SET replacement_due_on = {due}, replacement_reasons = {reasons}, "
        "replacement_explicit = v.explicit FROM v WHERE devices.id = v.id"
    ).bindparams(*params)
    session.execute(statement)


def clear_disposed_assignees(session: Session) -> None:
    """A disposed-of device keeps no personal data (UK GDPR), whatever a source says later."""
    session.execute(
        update(Device)
        .where(col(Device.disposed_on).is_not(None), col(Device.assigned_to).is_not(None))
        .values(assigned_to=None)
    )


def dispose_devices(
    session: Session, device_ids: Iterable[int], on: date, policy: Policy, today: date
) -> None:
    """Record disposal: out of every forecast, and who held the device is forgotten."""
    ids = list(device_ids)
    session.execute(
        update(Device).where(col(Device.id).in_(ids)).values(disposed_on=on, assigned_to=None)
    )
    refresh_replacement(session, policy, today, ids)


def set_override(
    session: Session, device_ids: Iterable[int], on: date | None, policy: Policy, today: date
) -> None:
    """Set (or with None, clear) a person's replacement date, then re-evaluate those devices."""
    ids = list(device_ids)
    session.execute(
        update(Device).where(col(Device.id).in_(ids)).values(replacement_override_on=on)
    )
    refresh_replacement(session, policy, today, ids)
