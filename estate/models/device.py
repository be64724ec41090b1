from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Index, false, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from estate.models.base import (
    SITE,
    Reading,
    Reference,
    Tracked,
    UTCDateTime,
    enum_type,
    sort_indexes,
    timestamp,
)
from estate.status import DeviceType, EntityStatus

# The list's sorts and filters not indexed by their own column (estate.models.base.sort_indexes).
DEVICE_SORT_INDEXES = ("asset_tag", "serial", "hostname", "device_type", "os_name",
                       "purchased_on", "updated_at", "disposed_on", "windows11_ready",
                       "replacement_due_on")  # fmt: skip

# None is SQL NULL here ("not evaluated yet"), not the JSON value null.
ReasonsType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class DeviceBase(SQLModel):
    asset_tag: str | None = Field(default=None, max_length=100)
    serial: str | None = Field(default=None, max_length=100)
    hostname: str | None = Field(default=None, max_length=255)
    device_type: DeviceType | None = Field(default=None, sa_type=enum_type(DeviceType))
    manufacturer: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    os_name: str | None = Field(default=None, max_length=200)
    os_version: str | None = Field(default=None, max_length=100)
    department: str | None = Field(default=None, max_length=200, index=True)
    site_id: int | None = Field(default=None, foreign_key="sites.id", index=True)
    purchased_on: date | None = None
    purchase_cost: float | None = None
    warranty_expires_on: date | None = None
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    compliance_state: str | None = Field(default=None, max_length=40)
    enrolled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    memory_gb: float | None = None
    storage_gb: float | None = None
    tpm_version: str | None = Field(default=None, max_length=20)
    # The processor as its source spells it ("Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz").
    cpu_model: str | None = Field(default=None, max_length=200)
    status: EntityStatus = Field(
        default=EntityStatus.ACTIVE, sa_type=enum_type(EntityStatus), index=True
    )


class Device(DeviceBase, Tracked, table=True):
    __tablename__ = "devices"
    references: ClassVar[tuple[Reference, ...]] = (SITE,)
    readings: ClassVar[tuple[Reading, ...]] = (Reading("last_seen_at"),)
    __table_args__ = (
        Index("ix_devices_serial_key", "serial_key"),
        Index("ix_devices_asset_tag_key", "asset_tag_key"),
        Index("ix_devices_name_key", "name_key"),
        *sort_indexes("devices", *DEVICE_SORT_INDEXES),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Personal data (UK GDPR): who holds the device, only when a source provides it.
    assigned_to: str | None = Field(default=None, max_length=255)
    serial_key: str | None = Field(default=None, max_length=100)
    asset_tag_key: str | None = Field(default=None, max_length=100)
    name_key: str | None = Field(default=None, max_length=255)
    # Derived by estate.devices.store.refresh_replacement: the earliest rule's date and every
    # rule that gave one ({"rule", "due_on", "detail", "source"}); None until first evaluated.
    # Indexed with the id (DEVICE_SORT_INDEXES): `due=true` longest overdue first is then the
    # index's first rows, however many devices are due.
    replacement_due_on: date | None = None
    replacement_reasons: list[dict[str, Any]] | None = Field(
        default=None, sa_type=ReasonsType, nullable=True
    )
    # True when a person's override date decided replacement_due_on, not the policy.
    replacement_explicit: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": false()}
    )
    replacement_override_on: date | None = None
    # Derived with the replacement decision (estate.devices.policy.windows11_ready): whether its
    # hardware can take Windows 11, by processor and the minimums; None: a fact is unknown or
    # the device does not run Windows.
    windows11_ready: bool | None = None
    # An input of the replacement decision or a forecast bucket column changed since the last
    # evaluation: true on INSERT, set by the table's trigger on any writer's UPDATE (migration
    # 0017), cleared by refresh_replacement, which re-evaluates only such devices.
    # Not indexed: an index on it (or on replacement_seen_at) costs every evaluated row's
    # UPDATE another index entry, while the scan for pending rows is one pass of the table.
    replacement_pending: bool = Field(
        default=True, nullable=False, sa_column_kwargs={"server_default": true()}
    )
    # The last_seen_at a stale reason was worked out from; None when the decision is not stale.
    replacement_seen_at: datetime | None = timestamp()
    # Disposed of: out of every forecast, and assigned_to is cleared (UK GDPR).
    disposed_on: date | None = None


class DevicePublic(DeviceBase):
    """What any reader may see: who holds the device is left out (see DevicePersonal)."""

    id: int
    site: str | None = None
    replacement_due_on: date | None = None
    replacement_reasons: list[dict[str, Any]] | None = None
    replacement_explicit: bool = False
    replacement_override_on: date | None = None
    windows11_ready: bool | None = None
    disposed_on: date | None = None
    missing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class DevicePersonal(DevicePublic):
    """For readers granted personal data: adds who holds the device."""

    assigned_to: str | None = None


class ReplacementPolicyState(SQLModel, table=True):
    """The fingerprint of the policy the stored replacement dates were worked out with (one
    row): when the [replacement] settings or the lifecycle table change, every device is
    re-evaluated."""

    __tablename__ = "replacement_policy_state"

    id: int = Field(default=1, primary_key=True)
    fingerprint: str = Field(max_length=64)


class DeviceReplacementBucket(SQLModel, table=True):
    """Devices counted by replacement quarter, department, type, site and state.

    Rebuilt by estate.devices.store.refresh_replacement (after every ingest and every override or
    disposal) so the forecast sums a few thousand rows, not every device.
    """

    __tablename__ = "device_replacement_buckets"

    id: int | None = Field(default=None, primary_key=True)
    # Financial-year quarter as one number: start year * 4 + quarter - 1; None: no due date.
    period: int | None = Field(default=None, index=True)
    department: str | None = Field(default=None, max_length=200)
    device_type: DeviceType | None = Field(default=None, sa_type=enum_type(DeviceType))
    site_id: int | None = None
    explicit: bool
    gone: bool
    disposed: bool
    devices: int
    # The sum of the purchase costs known, and how many devices had one.
    purchase_cost: float | None = None
    costed: int
    # Windows 11 readiness, kept here so the devices page and the forecast count it from the
    # buckets too: the devices' windows11_ready, and whether they are counted at all (a readiness
    # known, or an OS naming Windows or none: estate.devices.forecast.counted_for_windows11).
    windows11_ready: bool | None = None
    windows11_counted: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": false()}
    )


class DeviceReason(SQLModel, table=True):
    """Each rule among a device's replacement reasons, one row each: written with the reasons by
    estate.devices.store.refresh_replacement, so `GET /devices?reason=` is an index lookup, not
    a look inside every device's JSON."""

    __tablename__ = "device_reasons"
    __table_args__ = (Index("ix_device_reasons_rule", "rule", "device_id"),)

    device_id: int = Field(foreign_key="devices.id", primary_key=True)
    rule: str = Field(max_length=40, primary_key=True)
