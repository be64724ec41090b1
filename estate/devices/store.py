"""Keeping each device's replacement_due_on and reasons up to date, in bulk, in proportion to
what changed.

`refresh_replacement` re-evaluates only the devices that need it: those whose inputs changed
since they were last evaluated (`replacement_pending`, set by the table's trigger whoever
writes the row), those whose stale state the date or a new sighting changes, or every device
when the policy's fingerprint changed. It reads their facts a batch at a time with the
driver's own SQL, evaluates them with one `Evaluator` (the same rules the tests check case by
case, each rule's answer kept per the facts it reads) and writes each batch with one UPDATE.
Like every estate function it takes a session and never commits.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, text, true, update
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.devices.forecast import counted_for_windows11
from estate.devices.policy import Decision, DeviceFacts, Evaluator, Policy
from estate.devices.quarters import due_period
from estate.history.changelog import Actor, Cause, ChangeLog, erase_field_history
from estate.inventory.devices import DeviceDetail, DevicePersonalDetail, device_detail
from estate.models.device import (
    Device,
    DeviceReason,
    DeviceReplacementBucket,
    ReplacementPolicyState,
)
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
    Device.cpu_model,
)
# Read as UTC dates: the rules use only the day of these two.
DAY_COLUMNS = {"enrolled_at", "last_seen_at"}


def refresh_replacement(
    session: Session,
    policy: Policy,
    today: date,
    device_ids: Iterable[int] | None = None,
) -> int:
    """Re-evaluate the devices that need it, of those given (all when None; every device
    whatever is given when the policy changed); returns how many were evaluated. The
    forecast's buckets are recounted when any was. Each moved date, reason list or flag is
    recorded, so the devices as at a past day (estate.history.as_at) have theirs then."""
    clear_disposed_assignees(session)
    if _policy_changed(session, policy):
        wanted = list(session.execute(select(col(Device.id)).order_by(col(Device.id))).scalars())
    else:
        query = select(col(Device.id)).where(needs_evaluation(policy, today))
        wanted = sorted(session.execute(query).scalars())
        if device_ids is not None:
            given = set(device_ids)
            wanted = [device_id for device_id in wanted if device_id in given]
    evaluator = Evaluator(policy, today)
    size = policy.settings.batch_size
    with _cyclic_gc_paused():
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            decided = [(device_id, *evaluator.decide_with_text(facts))
                       for device_id, facts in _read(session, chunk)]  # fmt: skip
            _record(session, decided)
            _write(session, decided)
            _write_rules(session, decided)
    if wanted:
        rebuild_buckets(session)
    return len(wanted)


def needs_evaluation(policy: Policy, today: date) -> ColumnElement[bool]:
    """A device whose stored decision may be out of date: its inputs changed, it went stale
    (no source has seen it for stale_days) since, or was seen again or later than the stale
    reason says. Plain comparisons of the row's own columns: one pass of the table."""
    seen, last = col(Device.replacement_seen_at), col(Device.last_seen_at)
    terms = [col(Device.replacement_pending) == true(), seen.is_not(None) & last.is_(None)]
    days = policy.settings.stale_days
    if not days:
        return or_(*terms, seen.is_not(None))
    # Stale on `today` exactly when last seen before the start of (today - days + 1), UTC.
    cutoff = datetime.combine(today - timedelta(days=days - 1), time(), UTC)
    terms += [
        seen.is_(None) & (last < cutoff) & col(Device.disposed_on).is_(None),
        seen.is_not(None) & ((last != seen) | (last >= cutoff)),
    ]
    return or_(*terms)


def _policy_changed(session: Session, policy: Policy) -> bool:
    """Whether the policy differs from the one the stored dates were worked out with. With no
    fingerprint kept yet there is nothing to compare: every device is pending since
    migration 0017 or was evaluated with this policy."""
    fingerprint = policy.fingerprint()
    kept = session.get(ReplacementPolicyState, 1)
    if kept is None:
        session.add(ReplacementPolicyState(id=1, fingerprint=fingerprint))
        session.flush()
        return False
    if kept.fingerprint == fingerprint:
        return False
    kept.fingerprint = fingerprint
    session.flush()
    return True


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
        col(Device.windows11_ready),
        counted_for_windows11(col(Device.windows11_ready), col(Device.os_name)).label("counted"),
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
        col(Device.windows11_ready),
        text("counted"),
    )
    columns = [
        "period", "department", "device_type", "site_id", "explicit", "gone", "disposed",
        "windows11_ready", "windows11_counted", "devices", "purchase_cost", "costed",
    ]  # fmt: skip
    session.execute(insert(bucket).from_select(columns, counted))


def _read(session: Session, ids: Sequence[int]) -> list[tuple[int, DeviceFacts]]:
    """The devices' facts from the driver's own cursor, typed here: SQLAlchemy's per-row and
    per-value result processing cost more than evaluating the rules."""
    connection = session.connection()
    names = [column.key for column in FACT_COLUMNS]
    param: Any
    if connection.dialect.name == "postgresql":
        days = {name: f"({name} AT TIME ZONE 'UTC')::date" for name in DAY_COLUMNS}
        where, param, typed = "id = ANY(%s)", list(ids), _Typed(lambda day: day)
    else:
        # SQLite keeps dates as ISO text.
        days = {name: f"date({name})" for name in DAY_COLUMNS}
        where = "id IN (SELECT value FROM json_each(?))"
        param, typed = "[" + ",".join(map(str, ids)) + "]", _Typed(date.fromisoformat)
    selected = ", ".join(days.get(name, name) for name in names)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT id, {selected} FROM devices WHERE {where} ORDER BY id", (param,))
        return [(row[0], typed.facts(row)) for row in cursor.fetchall()]
    finally:
        cursor.close()


class _Typed:
    """Each distinct date value parsed once (a fleet has a few thousand)."""

    def __init__(self, parse: Callable[[Any], date]) -> None:
        self._parse = parse
        self._dates: dict[Any, date | None] = {None: None}
        self._midnights: dict[Any, datetime | None] = {None: None}

    def day(self, value: Any) -> date | None:
        try:
            return self._dates[value]
        except KeyError:
            found = self._dates[value] = self._parse(value)
            return found

    def midnight(self, value: Any) -> datetime | None:
        try:
            return self._midnights[value]
        except KeyError:
            found = self._midnights[value] = datetime.combine(self._parse(value), time(), UTC)
            return found

    def facts(self, row: Sequence[Any]) -> DeviceFacts:
        day, midnight = self.day, self.midnight
        return DeviceFacts(
            row[1], day(row[2]), midnight(row[3]), day(row[4]), row[5], row[6], row[7],
            row[8], row[9], row[10], midnight(row[11]), day(row[12]), day(row[13]), row[14],
        )  # fmt: skip


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Evaluating a fleet makes millions of short-lived objects, none in a cycle (reference
    counting frees them); the cyclic collector's passes over the whole heap meanwhile cost a
    quarter of the refresh."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record(session: Session, decided: list[tuple[int, Decision, str]]) -> None:
    """A change row (a re-derivation: no run, no user) for each field a decision moves."""
    if not decided:
        return
    kept = (col(Device.replacement_due_on), col(Device.replacement_reasons),
            col(Device.replacement_explicit), col(Device.windows11_ready))  # fmt: skip
    query = select(col(Device.id), *kept).where(col(Device.id).in_([d for d, _, _ in decided]))
    before = {row[0]: dict(zip(_RECORDED, row[1:], strict=True)) for row in session.execute(query)}
    log = ChangeLog(Cause())
    for device_id, decision, reasons in decided:
        after = (decision.due_on, json.loads(reasons), decision.explicit, decision.windows11_ready)
        log.diff(
            "device", [(device_id, before[device_id], dict(zip(_RECORDED, after, strict=True)))]
        )
    log.flush(session)


_RECORDED = (
    "replacement_due_on", "replacement_reasons", "replacement_explicit", "windows11_ready",
)  # fmt: skip


def _write(session: Session, decided: list[tuple[int, Decision, str]]) -> None:
    """The batch's decisions written; each row's `replacement_pending` cleared and the sighting
    a stale reason was worked out from kept.

    Sent as the driver's own SQL with plain parameters: building thousands of typed SQLAlchemy
    bind parameters per batch cost more than the database's work.
    """
    if not decided:
        return
    connection = session.connection()
    stale = [any(r.rule == "stale" for r in decision.reasons) for _, decision, _ in decided]
    sets = (
        "replacement_due_on = v.due, replacement_reasons = v.reasons,"
        " replacement_explicit = v.explicit, replacement_pending = false,"
        " replacement_seen_at = CASE WHEN v.stale THEN devices.last_seen_at END,"
        " windows11_ready = v.ready"
    )
    if connection.dialect.name == "postgresql":
        # psycopg pipelines executemany: measured 2.4x faster here than one
        # UPDATE ... FROM unnest(arrays) of the same rows.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(
                "UPDATE devices SET replacement_due_on = %s, replacement_reasons = %s::jsonb,"
                " replacement_explicit = %s, replacement_pending = false,"
                " replacement_seen_at = CASE WHEN %s THEN last_seen_at END,"
                " windows11_ready = %s WHERE id = %s",
                [(decision.due_on, reasons, decision.explicit, gone, decision.windows11_ready,
                  device_id)
                 for (device_id, decision, reasons), gone in zip(decided, stale, strict=True)],
            )  # fmt: skip
        finally:
            cursor.close()
        return
    # One UPDATE joined to the batch's rows. SQLite keeps dates as ISO text and booleans as
    # 0/1, as SQLAlchemy writes them.
    params: list[Any] = []
    for (device_id, decision, reasons), gone_stale in zip(decided, stale, strict=True):
        due = decision.due_on.isoformat() if decision.due_on else None
        ready = None if decision.windows11_ready is None else int(decision.windows11_ready)
        params += [device_id, due, reasons, int(decision.explicit), int(gone_stale), ready]
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(decided))
    connection.exec_driver_sql(
        f"WITH v(id, due, reasons, explicit, stale, ready) AS (VALUES {values}) "
        f"UPDATE devices SET {sets} FROM v WHERE devices.id = v.id",
        tuple(params),
    )


def _write_rules(session: Session, decided: list[tuple[int, Decision, str]]) -> None:
    """The batch's rules, one row each (device_reasons: what the list's `reason` filter reads),
    replaced with the reasons just written."""
    if not decided:
        return
    session.execute(
        delete(DeviceReason).where(col(DeviceReason.device_id).in_([d for d, _, _ in decided]))
    )
    rows = [
        {"device_id": device_id, "rule": rule}
        for device_id, decision, _ in decided
        for rule in sorted({r.rule for r in decision.reasons})
    ]
    if rows:
        session.execute(insert(DeviceReason), rows)


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
