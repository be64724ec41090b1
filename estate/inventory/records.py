"""The typed records scanners emit: the one contract between scanners and estate.

A scanner's `collect()` yields a stream of `Event`s: records (one source's view of one thing),
problems (a bad row or a failed call, kept on the scan run) and scope ends (a scope finished,
well or badly; only a scope that ended well marks its unseen observations missing).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from estate.status import NetworkDeviceClass

# A server's power as every scanner reports it, whatever its source calls it.
PowerState = Literal["on", "off", "suspended", "unknown"]

# What BIOSes, BMCs, MDMs and exports put where no serial was set: never an identity. Kept as
# `serial_form` writes them, so "To Be Filled By O.E.M." and "to be filled by o.e.m." are one.
JUNK_SERIALS = frozenset(
    {
        "",
        "0",
        "00000000",
        "0123456789",
        "123456789",
        "NONE",
        "NULL",
        "N/A",
        "NA",
        "UNKNOWN",
        "NOTSPECIFIED",
        "NOTAVAILABLE",
        "DEFAULTSTRING",
        "TOBEFILLEDBYO.E.M.",
        "SYSTEMSERIALNUMBER",
        "CHASSISSERIALNUMBER",
        "NOASSETTAG",
    }
)
_SPACE = re.compile(r"\s+")


def serial_form(serial: str) -> str:
    """A serial as identity compares it: upper case, whitespace removed ("abc 123" = "ABC123")."""
    return _SPACE.sub("", serial).upper()


def is_junk_serial(serial: str) -> bool:
    return serial_form(serial) in JUNK_SERIALS


class Record(BaseModel):
    """One source's view of one thing; `external_id` is unique within the source."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    entity: ClassVar[str]

    external_id: str = Field(min_length=1)
    scope: str
    # Attach to an existing entity only; never create one (MGN's view of an on-prem server).
    match_only: bool = False
    # Source-specific facts kept on the observation only (IPs, cluster, tools status, ...).
    extra: dict[str, Any] = Field(default_factory=dict)
    # Readings the source could not read this time (a throttled CloudWatch call): ingest keeps
    # the ones its last scan found instead of clearing them.
    readings_unread: tuple[str, ...] = ()


class ServerRecord(Record):
    entity: ClassVar[str] = "server"

    hostname: str | None = None
    fqdn: str | None = None
    serial: str | None = None
    bios_uuid: str | None = None
    # vCenter's own id of a VM: unique to it, where a VM's clones share its BIOS UUID.
    instance_uuid: str | None = None
    kind: Literal["physical", "virtual"] | None = None
    manufacturer: str | None = None
    model: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    cpu_cores: int | None = None
    memory_gb: float | None = None
    storage_gb: float | None = None
    power_state: PowerState | None = None
    # The physical host a VM runs on: its serial, FQDN or hostname.
    host: str | None = None
    site: str | None = None
    room: str | None = None
    rack: str | None = None
    rack_unit: int | None = None
    rack_units: int | None = None
    power_watts: float | None = None
    asset_tag: str | None = None
    applications: tuple[str, ...] | None = None
    # AWS Application Migration Service's view of this server as a replication source.
    mgn_lifecycle_state: str | None = None
    mgn_replication_state: str | None = None
    mgn_launched_instance_id: str | None = None
    # A VM's use of what it was given, from vCenter's quick stats (readings).
    cpu_usage_percent: float | None = None
    memory_usage_percent: float | None = None


class DeviceRecord(Record):
    entity: ClassVar[str] = "device"

    asset_tag: str | None = None
    serial: str | None = None
    hostname: str | None = None
    device_type: Literal["laptop", "desktop", "thin-client", "tablet", "phone"] | None = None
    manufacturer: str | None = None
    model: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    assigned_to: str | None = None
    department: str | None = None
    site: str | None = None
    purchased_on: date | None = None
    purchase_cost: float | None = None
    warranty_expires_on: date | None = None
    last_seen_at: AwareDatetime | None = None
    # Intune's view: compliance, enrolment and the hardware facts Windows 11 readiness needs.
    compliance_state: str | None = None
    enrolled_at: AwareDatetime | None = None
    memory_gb: float | None = None
    storage_gb: float | None = None
    tpm_version: str | None = None
    # The processor as the source spells it; Windows 11 readiness reads its model number.
    # As long as the devices column holds: a longer value is a bad row, not a failed run.
    cpu_model: str | None = Field(default=None, max_length=200)


class WorkloadRecord(Record):
    entity: ClassVar[str] = "workload"

    provider: str
    account_id: str | None = None
    region: str | None = None
    resource_type: str
    resource_id: str
    name: str | None = None
    state: str | None = None
    # The provider says it is over (an EC2 instance terminated, an RDS database deleting): it
    # counts toward no migration figure or outcome.
    ended: bool = False
    size: str | None = None
    launched_at: AwareDatetime | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    # The on-premise server this workload was migrated from: hostname, FQDN or serial.
    migrated_from_server: str | None = None
    # 95th percentile of hourly CPU over `[outcomes] utilisation_days`, and how many hours
    # of figures it is of (readings).
    cpu_p95: float | None = None
    cpu_hours: int | None = None
    # What the outcomes are judged from (estate.migration.outcome_rules): Availability Zones,
    # backups, scaling, generation, storage held while stopped.
    facts: dict[str, Any] = Field(default_factory=dict)


class NetworkDeviceRecord(Record):
    entity: ClassVar[str] = "network_device"

    name: str | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None
    location: str | None = None
    serial: str | None = None
    interface_count: int | None = None
    device_class: NetworkDeviceClass | None = None
    management_address: str | None = None
    site: str | None = None


class ApplicationRecord(Record):
    entity: ClassVar[str] = "application"

    name: str
    owner: str | None = None
    criticality: str | None = None


class Problem(BaseModel):
    """Something a scan could not record: a bad row, or a call that failed for a scope."""

    model_config = ConfigDict(frozen=True)

    scope: str
    reason: str
    row: int | None = None
    column: str | None = None
    target: str | None = None


class ScopeEnd(BaseModel):
    """A scope is finished. `complete=False` (failed or partial) marks nothing missing."""

    model_config = ConfigDict(frozen=True)

    scope: str
    complete: bool


EntityRecord = ServerRecord | DeviceRecord | WorkloadRecord | NetworkDeviceRecord
Event = EntityRecord | ApplicationRecord | Problem | ScopeEnd
