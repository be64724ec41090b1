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

from sqlalchemy import Row, delete, func, insert, select, text, update
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.devices.forecast import due_period
from estate.devices.policy import Decision, DeviceFacts, Policy, evaluate
from estate.history.changelog import Actor, Cause, ChangeLog, erase_field_history
from estate.inventory.devices import DeviceDetail, DevicePersonalDetail, device_detail
from estate.models.device import Device, DeviceReplacementBucket
from estate.status import EntityStatus, Permission
from estate.writes import Day, Invalid, NotFound, WriteBody

FACT_COLUMNS: tuple[Any, ...] = (
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
CURRENT_COLUMNS: tuple[Any, ...] = (
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
    rebuild_buckets(session)
    return changed


def rebuild_buckets(session: Session) -> None:
    """Recount the forecast's buckets from the devices table: one DELETE, one INSERT ... SELECT.

    A whole recount rather than a patch, so a device's move to another department or site
    (made by ingest, not by this module) can never leave a bucket stale.
    """
    bucket = DeviceReplacementBucket
    session.execute(delete(bucket))
    counted = select(
        due_period(col(Device.replacement_due_on)).label("period"),
        col(Device.department),
        col(Device.device_type),
        col(Device.site_id),
        col(Device.replacement_explicit),
        (col(Device.status) == EntityStatus.GONE).label("gone"),
        col(Device.disposed_on).is_not(None).label("disposed"),
        func.count(),
        func.sum(col(Device.purchase_cost)),
        func.count(col(Device.purchase_cost)),
    ).group_by(
        # By output name, as estate.devices.forecast explains.
        text("period"),
        col(Device.department),
        col(Device.device_type),
        col(Device.site_id),
        col(Device.replacement_explicit),
        text("gone"),
        text("disposed"),
    )
    columns = [
        "period", "department", "device_type", "site_id", "explicit", "gone", "disposed",
        "devices", "purchase_cost", "costed",
    ]  # fmt: skip
    session.execute(insert(bucket).from_select(columns, counted))


def _batches(
    session: Session, device_ids: Iterable[int] | None, size: int
) -> Iterator[Sequence[Row[Any]]]:
    query = (
        select(col(Device.id), *FACT_COLUMNS, *CURRENT_COLUMNS).order_by(col(Device.id)).limit(size)
    )
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
    """One UPDATE for the whole batch, joined to the batch's (id, due, reasons, explicit) rows.

    Sent as the driver's own SQL with plain parameters: building thousands of typed SQLAlchemy
    bind parameters per batch cost more than the database's work.
    """
    connection = session.connection()
    ids = [device_id for device_id, _ in updates]
    reasons = [json.dumps(decision.reasons_json()) for _, decision in updates]
    explicit = [decision.explicit for _, decision in updates]
    if connection.dialect.name == "postgresql":
        # Four array parameters, whatever the batch size; the id range keeps the planner
        # from hashing the whole table for each batch.
        dues: list[Any] = [decision.due_on for _, decision in updates]
        connection.exec_driver_sql(
            "UPDATE devices SET replacement_due_on = v.due, replacement_reasons = v.reasons,"
            " replacement_explicit = v.explicit"
            " FROM unnest(%s::integer[], %s::date[], %s::jsonb[], %s::boolean[])"
            " AS v(id, due, reasons, explicit)"
            " WHERE devices.id = v.id AND devices.id BETWEEN %s AND %s",
            (ids, dues, reasons, explicit, min(ids), max(ids)),
        )
        return
    # SQLite keeps dates as ISO text and booleans as 0/1, as SQLAlchemy writes them.
    params: list[Any] = []
    for device_id, (_, decision), text_reasons, flag in zip(
        ids, updates, reasons, explicit, strict=True
    ):
        due = decision.due_on.isoformat() if decision.due_on else None
        params += [device_id, due, text_reasons, int(flag)]
    values = ", ".join(["(?, ?, ?, ?)"] * len(updates))
    connection.exec_driver_sql(
        f"WITH v(id, due, reasons, explicit) AS (VALUES {values}) "
        "UPDATE devices SET replacement_due_on = v.due, replacement_reasons = v.reasons,"
        " replacement_explicit = v.explicit FROM v WHERE devices.id = v.id",
        tuple(params),
    )


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
    erase_field_history(session, "device", ids, "assigned_to")
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


class DeviceUpdate(WriteBody):
    """A person's decisions about a device: a replacement date that beats the policy's (null
    clears it; needs edit-inventory), and its disposal (needs decommission), which also
    forgets who held it."""

    replacement_override_on: Day | None = None
    disposed_on: Day | None = None


# The permission each field of a DeviceUpdate needs.
UPDATE_NEEDS = {
    "replacement_override_on": Permission.EDIT_INVENTORY,
    "disposed_on": Permission.DECOMMISSION,
}


def update_device(
    session: Session,
    settings: ReplacementSettings,
    actor: Actor,
    device_id: int,
    data: DeviceUpdate,
    today: date,
    personal: bool,
) -> DevicePersonalDetail | DeviceDetail:
    """Set or clear the override and record disposal, as given, with their change rows; the
    device's replacement date follows. Returns the device as this reader may see it."""
    wanted = data.model_dump(exclude_unset=True)
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"no device with id {device_id}")
    if device.disposed_on is not None and "disposed_on" in wanted and wanted["disposed_on"] is None:
        raise Invalid(("body", "disposed_on"), "a disposal cannot be undone")
    before = {field: getattr(device, field) for field in wanted}
    policy = Policy.from_settings(settings)
    if "replacement_override_on" in wanted:
        set_override(session, [device_id], wanted["replacement_override_on"], policy, today)
    if wanted.get("disposed_on") is not None:
        dispose_devices(session, [device_id], wanted["disposed_on"], policy, today)
    session.refresh(device)
    after = {field: getattr(device, field) for field in before}
    ChangeLog(Cause.of(actor)).record(session, "device", [(device_id, before, after)])
    detail = device_detail(session, device_id, personal)
    assert detail is not None
    return detail
