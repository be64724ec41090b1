"""Keeping each device's replacement_due_on and reasons up to date, in bulk, in proportion to
what changed.

`refresh_replacement` re-evaluates only the devices that need it: those whose inputs changed
since they were last evaluated (`replacement_pending`, set by the table's trigger whoever
writes the row), those whose stale state the date or a new sighting changes, or every device
when the policy's fingerprint changed. It reads their facts a batch at a time
(`estate.devices.batch`, in the driver's own SQL), evaluates them with one `Evaluator` (the
same rules the tests check case by case, each rule's answer kept per the facts it reads) and
writes each batch with one UPDATE and the change rows of what moved. Like every estate function
it takes a session and never commits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, text, true, update
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.devices.batch import read_batch, write_batch
from estate.devices.forecast import counted_for_windows11
from estate.devices.policy import Evaluator, Policy
from estate.devices.quarters import due_period
from estate.history.changelog import Actor, Cause, ChangeLog, erase_field_history
from estate.inventory.devices import DeviceDetail, DevicePersonalDetail, device_detail
from estate.models.device import (
    Device,
    DeviceReplacementBucket,
    ReplacementPolicyState,
)
from estate.status import EntityStatus, Permission
from estate.writes import Day, Invalid, NotFound, WriteBody


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
            read = read_batch(session, chunk)
            decided = [(device_id, *evaluator.decide_with_text(facts))
                       for device_id, facts, _ in read]  # fmt: skip
            write_batch(session, [stored for _, _, stored in read], decided)
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
