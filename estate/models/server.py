from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from estate.models.base import (
    SITE,
    JSONType,
    Reading,
    Reference,
    Tracked,
    enum_type,
    sort_indexes,
)
from estate.status import EntityStatus, MigrationStatus, ServerKind, Strategy

# The list's sorts not indexed by their own column (estate.models.base.sort_indexes); the
# readings power_watts, cpu_usage_percent and memory_usage_percent are left out.
SERVER_SORT_INDEXES = ("hostname", "fqdn", "serial", "kind", "os_name", "rack", "cpu_cores",
                       "memory_gb", "updated_at")  # fmt: skip


class ServerBase(SQLModel):
    hostname: str | None = Field(default=None, max_length=255)
    fqdn: str | None = Field(default=None, max_length=255)
    serial: str | None = Field(default=None, max_length=100)
    bios_uuid: str | None = Field(default=None, max_length=64)
    # A VM's vCenter instance UUID: its identity before the BIOS UUID, which clones share.
    instance_uuid: str | None = Field(default=None, max_length=64)
    asset_tag: str | None = Field(default=None, max_length=100)
    kind: ServerKind | None = Field(default=None, sa_type=enum_type(ServerKind))
    manufacturer: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    os_name: str | None = Field(default=None, max_length=200)
    os_version: str | None = Field(default=None, max_length=100)
    cpu_cores: int | None = None
    memory_gb: float | None = None
    storage_gb: float | None = None
    power_state: str | None = Field(default=None, max_length=20)
    host_id: int | None = Field(default=None, foreign_key="servers.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="sites.id", index=True)
    room: str | None = Field(default=None, max_length=100)
    rack: str | None = Field(default=None, max_length=100)
    rack_unit: int | None = None
    rack_units: int | None = None
    power_watts: float | None = None
    # A VM's use of what it was given (vCenter quick stats), for sizing it before it moves.
    cpu_usage_percent: float | None = None
    memory_usage_percent: float | None = None
    mgn_lifecycle_state: str | None = Field(default=None, max_length=40)
    mgn_replication_state: str | None = Field(default=None, max_length=40)
    mgn_launched_instance_id: str | None = Field(default=None, max_length=40)
    status: EntityStatus = Field(
        default=EntityStatus.ACTIVE, sa_type=enum_type(EntityStatus), index=True
    )
    # The migration plan as people set it for this one server; None follows its applications.
    strategy_override: Strategy | None = Field(default=None, sa_type=enum_type(Strategy))
    wave_id: int | None = Field(default=None, foreign_key="waves.id", index=True)
    notes: str | None = Field(default=None, sa_type=Text)
    status_override: MigrationStatus | None = Field(
        default=None, sa_type=enum_type(MigrationStatus)
    )
    status_override_reason: str | None = Field(default=None, max_length=500)
    # Derived by estate.migration.refresh_statuses from the facts; never written by hand.
    migration_status: MigrationStatus = Field(
        default=MigrationStatus.NOT_ASSESSED,
        sa_type=enum_type(MigrationStatus),
        index=True,
        sa_column_kwargs={"server_default": MigrationStatus.NOT_ASSESSED.value},
    )
    migration_status_reason: str | None = Field(default=None, sa_type=Text)
    # What makes it a decommission candidate (empty when the rules do not hold).
    migration_evidence: list[str] | None = Field(default=None, sa_type=JSONType)
    effective_strategy: Strategy | None = Field(
        default=None, sa_type=enum_type(Strategy), index=True
    )
    effective_wave_id: int | None = Field(default=None, foreign_key="waves.id", index=True)


class Server(ServerBase, Tracked, table=True):
    __tablename__ = "servers"
    references: ClassVar[tuple[Reference, ...]] = (SITE, Reference("host", physical_only=True))
    readings: ClassVar[tuple[Reading, ...]] = (
        Reading("power_watts", series=True),
        Reading("cpu_usage_percent", series=True),
        Reading("memory_usage_percent", series=True),
    )
    __table_args__ = (
        Index("ix_servers_serial_key", "serial_key"),
        Index("ix_servers_bios_uuid_key", "bios_uuid_key"),
        Index("ix_servers_instance_uuid_key", "instance_uuid_key"),
        Index("ix_servers_name_key", "name_key"),
        *sort_indexes("servers", *SERVER_SORT_INDEXES),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Identity keys for reconciliation: normalised serial, lower-case BIOS UUID, short name.
    serial_key: str | None = Field(default=None, max_length=100)
    bios_uuid_key: str | None = Field(default=None, max_length=64)
    instance_uuid_key: str | None = Field(default=None, max_length=64)
    name_key: str | None = Field(default=None, max_length=255)
    host_ref: str | None = Field(default=None, max_length=255)


class ServerPublic(ServerBase):
    id: int
    site: str | None = None
    applications: list[str] = []
    missing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class ServerRef(SQLModel):
    """A server named from another record: a VM's host, a workload's origin."""

    id: int
    hostname: str | None
